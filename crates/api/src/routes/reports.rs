//! Injects and incident reports: teams read injects and submit reports; judges mark them blind;
//! organisers release grades.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use drillboard_scenario::{Inject, ReportRequirement};
use drillboard_scoring::EventKind;
use drillboard_store::{MarkRow, NewEvent, NewFile, NewMark, ReportRow, StoreError, VersionRow};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Caller, Organiser, Role, Staff, TeamCaller, random_bytes};
use crate::error::{ApiError, ApiResult};
use crate::grading::{self, Stage, Status};
use crate::json::{self, Path};
use crate::markdown::render;
use crate::ops::ensure_running;
use crate::routes::public::iso;
use crate::state::AppState;

/// Largest report text.
pub const MAX_REPORT_BYTES: usize = 100_000;
/// Largest attachment, after decoding.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Attachments per version.
pub const MAX_FILES: usize = 3;
/// Largest request body on the report route (base64 makes files a third larger).
pub const MAX_REPORT_BODY: usize = 9 * 1024 * 1024;

const ALLOWED: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain; charset=utf-8"),
    ("log", "text/plain; charset=utf-8"),
    ("md", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("json", "application/json"),
    ("zip", "application/zip"),
    ("pcap", "application/vnd.tcpdump.pcap"),
    ("pcapng", "application/octet-stream"),
];

fn text_html(t: &drillboard_scenario::Text) -> Value {
    crate::markdown::render_text(t)
}

/// Times of an inject released at `released` (see [`crate::state::release_of`]):
/// (released, due, closes).
fn times(inject: &Inject, released: i64) -> (i64, Option<i64>, Option<i64>) {
    let due = inject
        .report
        .as_ref()
        .map(|r| released + r.due_within_seconds * 1000);
    let closes = inject
        .report
        .as_ref()
        .and_then(|r| r.cutoff_seconds.map(|c| due.unwrap_or(released) + c * 1000));
    (released, due, closes)
}

fn visible_to(inject: &Inject, team: &str) -> bool {
    inject.audience.is_empty() || inject.audience.iter().any(|t| t == team)
}

/// `GET /api/v1/injects`: released injects for a team (its audience only); every inject with the
/// judges' guidance for organisers and judges.
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let now = state.now();
    let (scenario, row, rules, released_grades) = {
        let live = state.live();
        let scenario = live
            .scenario
            .clone()
            .ok_or_else(|| ApiError::NotFound("no scenario is loaded yet".into()))?;
        let rules: Vec<_> = live
            .engine
            .as_ref()
            .map(|e| e.config().injects.clone())
            .unwrap_or_default();
        let released_grades: HashMap<String, i64> = scenario
            .injects
            .iter()
            .filter_map(|i| {
                let at = live.engine.as_ref()?.grades_released(&i.id)?;
                Some((i.id.clone(), at))
            })
            .collect();
        (scenario, live.exercise.clone(), rules, released_grades)
    };
    let team = if caller.role == Role::Team {
        Some(caller.team()?.to_owned())
    } else {
        None
    };
    let mut out = Vec::new();
    for inject in &scenario.injects {
        let release = row
            .as_ref()
            .and_then(|r| crate::state::release_of(r, inject));
        let (released, due, closes) = release.map_or((None, None, None), |r| {
            let (r, d, c) = times(inject, r);
            (Some(r), d, c)
        });
        if let Some(t) = &team
            && (!visible_to(inject, t) || released.is_none_or(|r| now < r))
        {
            continue;
        }
        let report = inject.report.as_ref().map(|r| {
            json!({
                "due_at": due.map(iso),
                "closes_at": closes.map(iso),
                "grace_seconds": r.grace_seconds,
                "penalty_per_minute": r.penalty_per_minute,
                "weight": r.weight,
                "max_total": r.max_total(),
                "rubric": r.rubric.iter().map(|c| {
                    let mut v = json!({"id": c.id, "title": c.title, "max": c.max});
                    if team.is_none() {
                        v["guidance"] = json!(c.guidance);
                        v["guidance_html"] = text_html(&c.guidance);
                    }
                    v
                }).collect::<Vec<_>>(),
            })
        });
        let mut item = json!({
            "id": inject.id,
            "title": inject.title,
            "body_html": text_html(&inject.body),
            "released_at": released.map(iso),
            "attachments": inject.attachments,
            "report": report,
        });
        if team.is_none() {
            item["release_after_seconds"] = json!(inject.release_after_seconds);
            if inject.report.is_some() {
                item["grades_released_at"] =
                    json!(released_grades.get(&inject.id).map(|t| iso(*t)));
            }
        }
        // The audience names teams: organisers only, so that judges stay blind.
        if caller.role == Role::Organiser {
            item["audience"] = json!(inject.audience);
        }
        if let Some(t) = &team
            && inject.report.is_some()
        {
            let mine = match state.store().find_report(t, &inject.id).await? {
                Some(r) => state.store().versions(r.id).await?,
                None => Vec::new(),
            };
            let rule = rules.iter().find(|r| r.id == inject.id);
            item["my_report"] = match mine.last() {
                Some(v) => {
                    let (minutes, factor) = rule.map_or((0, 1.0), |r| r.late(v.submitted_at));
                    json!({"versions": mine.len(), "last_submitted_at": iso(v.submitted_at), "minutes_late": minutes, "late_factor": factor})
                }
                None => Value::Null,
            };
        }
        out.push(item);
    }
    Ok(Json(Value::Array(out)))
}

/// An attachment as sent: a name and the bytes in base64.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// File name (only its last path component is kept).
    pub filename: String,
    /// The bytes, base64 (standard alphabet).
    pub content_base64: String,
}

/// Body of a report submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// The report in Markdown.
    pub body: String,
    /// Up to three files.
    #[serde(default)]
    pub attachments: Vec<Upload>,
}

/// Body of `POST /api/v1/markdown`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    /// Markdown, at most [`MAX_REPORT_BYTES`].
    pub text: String,
}

/// `POST /api/v1/markdown`: Markdown rendered to HTML exactly as a submitted report (or a hint,
/// or guidance) is shown, with the same sanitising, for a preview while writing. Any login.
pub async fn preview(
    _caller: Caller,
    json::Json(body): json::Json<PreviewBody>,
) -> ApiResult<Json<Value>> {
    if body.text.len() > MAX_REPORT_BYTES {
        return Err(ApiError::field(
            "text",
            format!("the text is longer than {MAX_REPORT_BYTES} bytes, the most a report may be"),
        ));
    }
    Ok(Json(json!({"html": render(&body.text)})))
}

fn check_upload(i: usize, u: &Upload) -> ApiResult<NewFile> {
    let name: String = u
        .filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let name = name.trim().to_owned();
    let field = |f: &str| format!("attachments[{i}].{f}");
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::field(
            field("filename"),
            "a file name needs 1 to 100 characters",
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some((_, content_type)) = ALLOWED.iter().find(|(e, _)| *e == ext) else {
        let list: Vec<&str> = ALLOWED.iter().map(|(e, _)| *e).collect();
        return Err(ApiError::UnsupportedMediaType(format!(
            "`{}`: files of type `.{ext}` cannot be attached; allowed: {}",
            field("filename"),
            list.join(", ")
        )));
    };
    if u.content_base64.len() > MAX_FILE_BYTES / 3 * 4 + 8 {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_FILE_BYTES,
        });
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(
            u.content_base64
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect::<String>(),
        )
        .map_err(|e| ApiError::field(field("content_base64"), format!("not valid base64: {e}")))?;
    if data.len() > MAX_FILE_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(NewFile {
        filename: name,
        content_type: (*content_type).to_owned(),
        data,
    })
}

fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let b = random_bytes::<8>();
    format!(
        "R-{}",
        b.iter()
            .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
            .collect::<String>()
    )
}

/// `PUT /api/v1/injects/{id}/report`: submit a new version of the team's report.
pub async fn submit(
    State(state): State<AppState>,
    TeamCaller(caller): TeamCaller,
    Path(id): Path<String>,
    json::Json(body): json::Json<ReportBody>,
) -> ApiResult<Json<Value>> {
    let team = caller.team()?.to_owned();
    Ok(Json(
        submit_report(&state, &team, &caller.name, &id, body).await?,
    ))
}

/// Check and store a new version of `team`'s report for inject `id`.
pub async fn submit_report(
    state: &AppState,
    team: &str,
    actor: &str,
    id: &str,
    body: ReportBody,
) -> ApiResult<Value> {
    let (team, id) = (team.to_owned(), id.to_owned());
    let now = state.now();
    let (inject, rule) = {
        let live = state.live();
        ensure_running(live.exercise.as_ref(), now, "reports")?;
        crate::routes::play::ensure_not_disqualified(&live, &team)?;
        let (Some(row), Some(scenario)) = (&live.exercise, &live.scenario) else {
            return Err(ApiError::conflict(
                "exercise_not_running",
                "no scenario is loaded yet",
            ));
        };
        let inject = scenario
            .inject(&id)
            .filter(|i| visible_to(i, &team))
            .cloned();
        let release = |i: &Inject| crate::state::release_of(row, i).unwrap_or(now);
        let inject = inject
            .filter(|i| now >= times(i, release(i)).0)
            .ok_or_else(|| {
                ApiError::NotFound(format!("no inject `{id}` has been released to your team"))
            })?;
        if let (_, _, Some(closes)) = times(&inject, release(&inject))
            && now > closes
        {
            return Err(ApiError::conflict(
                "submissions_closed",
                format!("reports for this inject closed at {}", iso(closes)),
            ));
        }
        let rule = live
            .engine
            .as_ref()
            .and_then(|e| e.inject_rule(&id).cloned());
        (inject, rule)
    };
    if inject.report.is_none() {
        return Err(ApiError::NotFound(format!(
            "inject `{id}` does not ask for a report"
        )));
    }
    if body.body.trim().is_empty() {
        return Err(ApiError::field("body", "the report is empty"));
    }
    if body.body.len() > MAX_REPORT_BYTES {
        return Err(ApiError::field(
            "body",
            format!(
                "the report is longer than {MAX_REPORT_BYTES} bytes; attach long material as files"
            ),
        ));
    }
    if body.attachments.len() > MAX_FILES {
        return Err(ApiError::field(
            "attachments",
            format!("at most {MAX_FILES} files per version"),
        ));
    }
    let files = body
        .attachments
        .iter()
        .enumerate()
        .map(|(i, u)| check_upload(i, u))
        .collect::<ApiResult<Vec<_>>>()?;
    let report = state
        .store()
        .report_for(&team, &id, &new_code(), now)
        .await?;
    let version = state
        .store()
        .add_version(report.id, &body.body, actor, now, files)
        .await?;
    state
        .store()
        .audit(
            actor,
            "report.submit",
            json!({"team": team, "inject": id, "version": version.version}),
            now,
        )
        .await?;
    let (minutes, factor) = rule.map_or((0, 1.0), |r| r.late(now));
    Ok(
        json!({"version": version.version, "submitted_at": iso(version.submitted_at), "minutes_late": minutes, "late_factor": factor}),
    )
}

/// `GET /api/v1/injects/{id}/report`: the team's versions, and its grade once released.
pub async fn mine(
    State(state): State<AppState>,
    TeamCaller(caller): TeamCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let team = caller.team()?.to_owned();
    let (inject, released, graded) = {
        let live = state.live();
        let inject = live
            .scenario
            .as_ref()
            .and_then(|s| s.inject(&id))
            .filter(|i| visible_to(i, &team))
            .cloned();
        let released = live.engine.as_ref().and_then(|e| e.grades_released(&id));
        let graded = live.standings(None).and_then(|s| {
            s.standings
                .iter()
                .find(|st| *st.team == *team)
                .and_then(|st| st.reports.iter().find(|r| *r.inject == *id).cloned())
        });
        (inject, released, graded)
    };
    let inject =
        inject.ok_or_else(|| ApiError::NotFound(format!("no inject `{id}` for your team")))?;
    let release = state
        .live()
        .exercise
        .as_ref()
        .and_then(|r| crate::state::release_of(r, &inject));
    if release.is_none_or(|t| state.now() < t) {
        return Err(ApiError::NotFound(format!(
            "no inject `{id}` for your team"
        )));
    }
    let Some(req) = inject.report.as_ref() else {
        return Err(ApiError::NotFound(format!(
            "inject `{id}` does not ask for a report"
        )));
    };
    let Some(report) = state.store().find_report(&team, &id).await? else {
        return Ok(Json(
            json!({"versions": [], "grade": null, "grades_released": released.is_some()}),
        ));
    };
    let versions = state.store().versions(report.id).await?;
    let mut list = Vec::new();
    for v in &versions {
        let files = state.store().files(v.id).await?;
        list.push(json!({
            "version": v.version,
            "submitted_at": iso(v.submitted_at),
            "body": v.body,
            "body_html": render(&v.body),
            "attachments": files.iter().map(|f| json!({"id": f.id, "filename": f.filename, "size": f.size})).collect::<Vec<_>>(),
        }));
    }
    let grade = match (released, graded) {
        (Some(_), Some(g)) => {
            // The grade records its version's submission time, which identifies the version.
            let version = versions.iter().find(|v| v.submitted_at == g.submitted_at);
            let marks = match version {
                Some(v) => state.store().marks(v.id).await?,
                None => Vec::new(),
            };
            let st = grading::status(req, &marks);
            let deciding = grading::deciding(&st, &marks);
            let criteria: Vec<Value> = req
                .rubric
                .iter()
                .map(|c| {
                    let score = g.criteria.iter().find(|s| s.0 == c.id).map_or(0.0, |s| s.1);
                    let comments: Vec<String> = deciding.iter().filter_map(|m| comment_of(m, &c.id)).collect();
                    json!({"id": c.id, "title": c.title, "max": c.max, "score": score, "comments": comments})
                })
                .collect();
            let overall: Vec<String> = deciding.iter().filter_map(|m| comment_of(m, "")).collect();
            json!({
                "version": version.map(|v| v.version),
                "criteria": criteria,
                "comments": overall,
                "total": g.total,
                "max_total": req.max_total(),
                "minutes_late": g.minutes_late,
                "late_factor": g.late_factor,
                "weight": g.weight,
                "points": g.points,
            })
        }
        _ => Value::Null,
    };
    Ok(Json(
        json!({"versions": list, "grade": grade, "grades_released": released.is_some()}),
    ))
}

fn comment_of(m: &MarkRow, key: &str) -> Option<String> {
    let map: Map<String, Value> = serde_json::from_str(&m.comments).ok()?;
    map.get(key)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .filter(|s| !s.trim().is_empty())
}

/// What a judge may do with a report version now.
async fn stage_for(
    state: &AppState,
    caller: &Caller,
    req: &ReportRequirement,
    marks: &[MarkRow],
) -> ApiResult<Option<Stage>> {
    let Status::Awaiting { stage } = grading::status(req, marks) else {
        return Ok(None);
    };
    if marks.iter().any(|m| m.judge == caller.name) {
        return Ok(None);
    }
    if stage == Stage::Moderation && !may_moderate(state, caller).await? {
        return Ok(None);
    }
    Ok(Some(stage))
}

async fn may_moderate(state: &AppState, caller: &Caller) -> ApiResult<bool> {
    if caller.role == Role::Organiser {
        return Ok(true);
    }
    Ok(state
        .store()
        .user_by_name(&caller.name)
        .await?
        .is_some_and(|u| u.lead))
}

/// A report with its inject's requirement and latest version.
async fn load(
    state: &AppState,
    report: &ReportRow,
) -> ApiResult<Option<(Inject, ReportRequirement, VersionRow, Vec<MarkRow>)>> {
    let inject = state
        .live()
        .scenario
        .as_ref()
        .and_then(|s| s.inject(&report.inject))
        .cloned();
    let Some(inject) = inject else {
        return Ok(None);
    };
    let Some(req) = inject.report.clone() else {
        return Ok(None);
    };
    let Some(version) = state.store().versions(report.id).await?.pop() else {
        return Ok(None);
    };
    let marks = state.store().marks(version.id).await?;
    Ok(Some((inject, req, version, marks)))
}

/// A report by its code, loaded for marking; 404 when there is none (or nothing to mark).
async fn by_code(
    state: &AppState,
    code: &str,
) -> ApiResult<(
    ReportRow,
    (Inject, ReportRequirement, VersionRow, Vec<MarkRow>),
)> {
    let missing = || ApiError::NotFound(format!("no report `{code}`"));
    let report = state
        .store()
        .report_by_code(code)
        .await?
        .ok_or_else(missing)?;
    let loaded = load(state, &report).await?.ok_or_else(missing)?;
    Ok((report, loaded))
}

/// `GET /api/v1/marking`: the reports this judge can mark now. Blind: codes, never teams.
pub async fn queue(State(state): State<AppState>, Staff(caller): Staff) -> ApiResult<Json<Value>> {
    let mut out = Vec::new();
    for report in state.store().reports().await? {
        let Some((inject, req, version, marks)) = load(&state, &report).await? else {
            continue;
        };
        if let Some(stage) = stage_for(&state, &caller, &req, &marks).await? {
            out.push(json!({
                "code": report.code,
                "inject": {"id": inject.id, "title": inject.title},
                "version": version.version,
                "submitted_at": iso(version.submitted_at),
                "stage": stage,
            }));
        }
    }
    Ok(Json(Value::Array(out)))
}

fn blind_file_name(code: &str, id: i32, filename: &str) -> String {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    format!("{code}-file-{id}.{ext}")
}

fn mark_json(m: &MarkRow) -> Value {
    json!({
        "stage": m.stage,
        "judge": m.judge,
        "scores": grading::scores_of(m),
        "comments": serde_json::from_str::<Value>(&m.comments).unwrap_or(Value::Null),
        "total": m.total,
        "submitted_at": iso(m.submitted_at),
    })
}

/// `GET /api/v1/marking/{code}`: a report to mark, blind. Other judges' marks are shown only to
/// a judge who has marked this version already, or who moderates it.
pub async fn detail(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
    let (report, (inject, req, version, marks)) = by_code(&state, &code).await?;
    let stage = stage_for(&state, &caller, &req, &marks).await?;
    let marked = marks.iter().any(|m| m.judge == caller.name);
    let sees_others = marked || stage == Some(Stage::Moderation);
    let files = state.store().files(version.id).await?;
    let rule = state
        .live()
        .engine
        .as_ref()
        .and_then(|e| e.inject_rule(&inject.id).cloned());
    let (minutes_late, late_factor) = rule.map_or((0, 1.0), |r| r.late(version.submitted_at));
    // Blind by content too: the team's own name, id, organisation and members are hidden.
    let words = state
        .live()
        .team(&report.team)
        .map(crate::blind::identity)
        .unwrap_or_default();
    let (body, redacted) = crate::blind::redact(&version.body, &words);
    let mut status = json!(grading::status(&req, &marks));
    // A final grade shows the markers' scores: only to those who see the marks anyway.
    if !sees_others && let Some(o) = status.as_object_mut() {
        o.remove("criteria");
    }
    Ok(Json(json!({
        "code": report.code,
        "inject": {"id": inject.id, "title": inject.title, "body_html": text_html(&inject.body)},
        "rubric": req.rubric.iter().map(|c| {
            let mut v = json!(c);
            v["guidance_html"] = text_html(&c.guidance);
            v
        }).collect::<Vec<_>>(),
        "max_total": req.max_total(),
        "double_marking": req.double_marking,
        "disagreement_threshold": req.disagreement_threshold,
        "version": version.version,
        "submitted_at": iso(version.submitted_at),
        "minutes_late": minutes_late,
        "late_factor": late_factor,
        "body_html": render(&body),
        "redacted": redacted,
        "attachments": files.iter().map(|f| json!({"id": f.id, "name": blind_file_name(&report.code, f.id, &f.filename), "size": f.size})).collect::<Vec<_>>(),
        "stage": stage,
        "status": status,
        "my_mark": marks.iter().find(|m| m.judge == caller.name).map(mark_json),
        "marks": if sees_others { marks.iter().map(mark_json).collect::<Vec<_>>() } else { Vec::new() },
    })))
}

/// A judge's mark.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkBody {
    /// The version being marked (must be the latest).
    pub version: i32,
    /// Score per criterion id.
    pub scores: Map<String, Value>,
    /// Comment per criterion id (shown to the team once grades are released).
    #[serde(default)]
    pub comments: Map<String, Value>,
    /// An overall comment.
    #[serde(default)]
    pub comment: String,
}

/// `POST /api/v1/marking/{code}`: mark the report at the stage it is waiting for.
pub async fn mark(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Path(code): Path<String>,
    json::Json(body): json::Json<MarkBody>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let (report, (inject, req, version, marks)) = by_code(&state, &code).await?;
    if body.version > version.version || body.version < 1 {
        return Err(ApiError::field(
            "version",
            format!("the latest version of this report is {}", version.version),
        ));
    }
    if body.version != version.version {
        return Err(ApiError::conflict(
            "revised",
            format!(
                "the team has submitted version {} since; mark that one",
                version.version
            ),
        ));
    }
    if marks.iter().any(|m| m.judge == caller.name) {
        return Err(ApiError::conflict(
            "already_marked",
            "you have marked this report already; another judge gives the next mark",
        ));
    }
    let stage = match grading::status(&req, &marks) {
        Status::Final { .. } => {
            return Err(ApiError::conflict(
                "already_graded",
                "this report is graded already",
            ));
        }
        Status::Awaiting {
            stage: Stage::Moderation,
        } if !may_moderate(&state, &caller).await? => {
            return Err(ApiError::Forbidden(
                "the judges disagree on this report; a lead judge moderates it".into(),
            ));
        }
        Status::Awaiting { stage } => stage,
    };
    let mut scores = Vec::new();
    for c in &req.rubric {
        let field = format!("scores.{}", c.id);
        let v = body.scores.get(&c.id).ok_or_else(|| {
            ApiError::field(
                &field,
                format!("score criterion `{}` (0 to {})", c.id, c.max),
            )
        })?;
        let x = v
            .as_f64()
            .ok_or_else(|| ApiError::field(&field, "a score is a number"))?;
        if !(0.0..=c.max).contains(&x) {
            return Err(ApiError::field(
                &field,
                format!("a score for `{}` is from 0 to {}", c.id, c.max),
            ));
        }
        scores.push((c.id.clone(), x));
    }
    if let Some(extra) = body
        .scores
        .keys()
        .find(|k| !req.rubric.iter().any(|c| &c.id == *k))
    {
        return Err(ApiError::field(
            format!("scores.{extra}"),
            format!("the rubric has no criterion `{extra}`"),
        ));
    }
    let mut comments = Map::new();
    for (k, v) in &body.comments {
        if !req.rubric.iter().any(|c| &c.id == k) {
            return Err(ApiError::field(
                format!("comments.{k}"),
                format!("the rubric has no criterion `{k}`"),
            ));
        }
        let s = v
            .as_str()
            .ok_or_else(|| ApiError::field(format!("comments.{k}"), "a comment is text"))?;
        if s.chars().count() > 2000 {
            return Err(ApiError::field(
                format!("comments.{k}"),
                "a comment has at most 2000 characters",
            ));
        }
        comments.insert(k.clone(), json!(s));
    }
    if body.comment.chars().count() > 4000 {
        return Err(ApiError::field(
            "comment",
            "the overall comment has at most 4000 characters",
        ));
    }
    comments.insert(String::new(), json!(body.comment));
    let total: f64 = scores.iter().map(|s| s.1).sum();
    let added = state
        .store()
        .add_mark(NewMark {
            version_id: version.id,
            judge: caller.name.clone(),
            stage: stage.as_str().to_owned(),
            scores: json!(scores).to_string(),
            comments: Value::Object(comments).to_string(),
            total,
            at: now,
        })
        .await;
    match added {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                "stage_taken",
                "another judge gave this mark a moment ago; reload the queue",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    state
        .store()
        .audit(
            &caller.name,
            "report.mark",
            json!({"code": code, "stage": stage, "total": total}),
            now,
        )
        .await?;
    let marks = state.store().marks(version.id).await?;
    let status = grading::status(&req, &marks);
    if let Status::Final { criteria, by } = &status {
        let event = state
            .store()
            .append_event(NewEvent {
                at: now,
                team: report.team.clone(),
                kind: EventKind::ReportGraded {
                    inject: inject.id.clone(),
                    criteria: criteria.clone(),
                    submitted_at: version.submitted_at,
                },
                actor: Some(caller.name.clone()),
            })
            .await?;
        state
            .store()
            .audit(
                &caller.name,
                "report.finalise",
                json!({"code": code, "by": by}),
                now,
            )
            .await?;
        state.live_mut().apply(&event);
    }
    Ok(Json(
        json!({"stage": stage, "total": total, "status": status}),
    ))
}

/// `POST /api/v1/injects/{id}/release`: release an inject now, before its scheduled time (the
/// exercise must have started). Its report's due time and cutoff count from now; audited.
pub async fn release_now(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    // One release (or scenario load) at a time: the map is read, changed and written whole.
    let _guard = state.0.reload_lock.lock().await;
    let now = state.now();
    let inject = state
        .live()
        .scenario
        .as_ref()
        .and_then(|s| s.inject(&id))
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("no inject `{id}`")))?;
    // The row as stored now, not as this server last saw it.
    let row = state.store().exercise().await?;
    let Some(row) = row.filter(|r| r.started_at.is_some()) else {
        return Err(ApiError::conflict(
            "exercise_not_running",
            "the exercise has not started; injects are released from the start",
        ));
    };
    if matches!(crate::ops::status(&row, now), crate::ops::Status::Ended) {
        return Err(ApiError::conflict(
            "exercise_not_running",
            "the exercise is over; nothing more is released",
        ));
    }
    if let Some(at) = crate::state::release_of(&row, &inject).filter(|t| *t <= now) {
        return Err(ApiError::conflict(
            "already_released",
            format!("inject `{id}` was released at {}", iso(at)),
        ));
    }
    let mut early = crate::state::early_releases(&row);
    early.insert(id.clone(), now);
    state
        .store()
        .update_exercise(
            drillboard_store::ExerciseUpdate {
                inject_releases: Some(json!(early).to_string()),
                ..Default::default()
            },
            now,
        )
        .await?;
    state
        .store()
        .audit(
            &caller.name,
            "inject.release",
            json!({"inject": id, "scheduled_at": row.started_at.map(|s| s + inject.release_after_seconds * 1000)}),
            now,
        )
        .await?;
    // Deadlines count from the new release: the row, then the rules in place (no replay, so
    // no event committed meanwhile can be missed).
    state.reload_exercise().await?;
    state.live_mut().inject_released(&id, now);
    Ok(Json(json!({"inject": id, "released_at": iso(now)})))
}

/// `POST /api/v1/injects/{id}/release-grades`: teams see their grades and comments, and the
/// grades count on the board, from now on.
pub async fn release(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let has_report = state
        .live()
        .scenario
        .as_ref()
        .and_then(|s| s.inject(&id))
        .map(|i| i.report.is_some());
    match has_report {
        None => return Err(ApiError::NotFound(format!("no inject `{id}`"))),
        Some(false) => {
            return Err(ApiError::NotFound(format!(
                "inject `{id}` does not ask for a report"
            )));
        }
        Some(true) => {}
    }
    if let Some(at) = state
        .live()
        .engine
        .as_ref()
        .and_then(|e| e.grades_released(&id))
    {
        return Ok(Json(
            json!({"inject": id, "released_at": iso(at), "already": true}),
        ));
    }
    let now = state.now();
    let event = state
        .store()
        .append_event(NewEvent {
            at: now,
            team: String::new(),
            kind: EventKind::GradesReleased { inject: id.clone() },
            actor: Some(caller.name.clone()),
        })
        .await?;
    state
        .store()
        .audit(&caller.name, "report.release", json!({"inject": id}), now)
        .await?;
    state.live_mut().apply(&event);
    Ok(Json(
        json!({"inject": id, "released_at": iso(now), "already": false}),
    ))
}

/// `GET /api/v1/reports`: every report with its team and status (organisers: not blind).
pub async fn all(State(state): State<AppState>, Organiser(_): Organiser) -> ApiResult<Json<Value>> {
    let mut out = Vec::new();
    for report in state.store().reports().await? {
        let Some((inject, req, version, marks)) = load(&state, &report).await? else {
            continue;
        };
        out.push(json!({
            "code": report.code,
            "team": report.team,
            "inject": inject.id,
            "version": version.version,
            "submitted_at": iso(version.submitted_at),
            "status": grading::status(&req, &marks),
            "marks": marks.iter().map(mark_json).collect::<Vec<_>>(),
        }));
    }
    Ok(Json(Value::Array(out)))
}

/// `GET /api/v1/files/{id}`: an attached file: for its team, or (under a blind name) for
/// judges and organisers.
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i32>,
) -> ApiResult<Response> {
    let (f, v) = state
        .store()
        .file(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no file {id}")))?;
    let report = state
        .store()
        .report(v.report_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no file {id}")))?;
    let name = match caller.role {
        Role::Team if caller.team.as_deref() == Some(report.team.as_str()) => f.filename.clone(),
        Role::Team => return Err(ApiError::NotFound(format!("no file {id}"))),
        Role::Judge | Role::Organiser => blind_file_name(&report.code, f.id, &f.filename),
    };
    let mut r = f.data.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&f.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(r)
}
