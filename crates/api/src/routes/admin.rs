//! Organisers' (and partly judges') operations: scenario, clock, teams, logins, tokens,
//! adjustments, the event log, the audit log and the export.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use drillboard_scenario::{Problem, Team, load_str, parse_teams_csv, slug};
use drillboard_scoring::EventKind;
use drillboard_store::NewEvent;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, Organiser, Role, Staff, new_api_token};
use crate::error::{ApiError, ApiResult};
use crate::json::{self, Path, Query, RawBody};
use crate::ops::{self, ClockAction};
use crate::routes::public::iso;
use crate::state::AppState;

fn utf8(bytes: Bytes) -> ApiResult<String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| ApiError::BadRequest {
        code: "not_utf8",
        message: format!(
            "the body must be UTF-8 text: invalid byte at offset {}",
            e.utf8_error().valid_up_to()
        ),
        field: None,
    })
}

fn invalid(what: &str, problems: Vec<Problem>) -> ApiError {
    ApiError::Invalid {
        message: format!(
            "the {what} has {} problem(s); each is listed with its line and column",
            problems.len()
        ),
        problems: json!(problems),
    }
}

/// Read and check a scenario sent over HTTP: its checkers must live in the checker folder.
fn uploaded_scenario(state: &AppState, src: &str) -> ApiResult<drillboard_scenario::Scenario> {
    let mut s = load_str(src, "scenario.yaml", None).map_err(|p| invalid("scenario", p))?;
    let known: Vec<String> = state
        .live()
        .scenario
        .as_ref()
        .map(|cur| {
            cur.services
                .iter()
                .filter_map(|x| x.checker_http.clone())
                .collect()
        })
        .unwrap_or_default();
    crate::checkers::confine(&mut s, state.0.settings.checkers_dir.as_deref(), &known)
        .map_err(|p| invalid("scenario", p))?;
    Ok(s)
}

/// `POST /api/v1/scenario/validate`: check scenario YAML (the body) without loading it.
pub async fn validate(
    State(state): State<AppState>,
    Organiser(_): Organiser,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let src = utf8(body)?;
    let s = uploaded_scenario(&state, &src)?;
    Ok(Json(
        json!({"valid": true, "exercise": s.exercise.id, "teams": s.teams.len(), "challenges": s.challenges.len()}),
    ))
}

/// `PUT /api/v1/scenario`: load scenario YAML (the body). Returns credentials of new team logins.
pub async fn load(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let src = utf8(body)?;
    let s = uploaded_scenario(&state, &src)?;
    let id = s.exercise.id.clone();
    let credentials = ops::load_scenario(&state, s, src, &caller.name).await?;
    Ok(Json(json!({"loaded": id, "credentials": credentials})))
}

/// `GET /api/v1/scenario`: the loaded scenario, flags included (organisers only).
pub async fn get_scenario(
    State(state): State<AppState>,
    Organiser(_): Organiser,
) -> ApiResult<Json<Value>> {
    let live = state.live();
    let (Some(row), Some(s)) = (&live.exercise, &live.scenario) else {
        return Err(ApiError::NotFound("no scenario is loaded yet".into()));
    };
    Ok(Json(json!({"yaml": row.scenario_yaml, "scenario": s})))
}

/// Body of `extend`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extend {
    /// Minutes to add.
    pub minutes: i64,
}

/// `POST /api/v1/exercise/{action}`: start, pause, resume, end, freeze, unfreeze, or extend
/// (with `{"minutes": n}`).
pub async fn clock(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(action): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let row = if action == "extend" {
        let Extend { minutes } = json::parse(&body)?;
        ops::extend(&state, minutes, &caller.name).await?
    } else {
        let a: ClockAction = serde_json::from_value(json!(action)).map_err(|_| {
            ApiError::NotFound(format!("no exercise action `{action}`; use start, pause, resume, end, extend, freeze or unfreeze"))
        })?;
        // A body is optional: `{"reason": "…"}`, and `{"extend": true}` with resume.
        let opts: ops::ClockOptions = if body.iter().all(u8::is_ascii_whitespace) {
            ops::ClockOptions::default()
        } else {
            json::parse(&body)?
        };
        ops::clock_with(&state, a, &caller.name, opts).await?
    };
    let now = state.now();
    Ok(Json(json!({
        "status": ops::status(&row, now),
        "started_at": row.started_at.map(iso),
        "ends_at": row.ends_at.map(iso),
        "freeze_at": if row.freeze_released { None } else { row.freeze_at.map(iso) },
        "frozen": ops::frozen_at(&row, now).is_some(),
    })))
}

/// `GET /api/v1/teams`: every team (organisers and judges).
pub async fn teams(State(state): State<AppState>, Staff(_caller): Staff) -> ApiResult<Json<Value>> {
    let teams = state.store().teams().await?;
    Ok(Json(json!(
        teams
            .iter()
            .map(|t| json!({
                "id": t.slug,
                "name": t.name,
                "organisation": t.organisation,
                "members": serde_json::from_str::<Value>(&t.members).unwrap_or(json!([])),
                "hidden": t.hidden,
            }))
            .collect::<Vec<_>>()
    )))
}

/// A team in `POST /api/v1/teams`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeamBody {
    /// Id (made from the name when absent).
    pub id: Option<String>,
    /// Display name.
    pub name: String,
    /// Province or organisation.
    #[serde(default)]
    pub organisation: String,
    /// Members.
    #[serde(default)]
    pub members: Vec<String>,
}

fn check_team(i: usize, t: NewTeamBody) -> ApiResult<Team> {
    let name = t.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::field(
            format!("[{i}].name"),
            "a team name needs 1 to 100 characters",
        ));
    }
    let id = t.id.unwrap_or_else(|| slug(&name));
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        return Err(ApiError::field(
            format!("[{i}].id"),
            "a team id needs 1 to 64 lowercase letters, digits, `-` or `_`",
        ));
    }
    Ok(Team {
        id,
        name,
        organisation: t.organisation,
        members: t.members,
        networks: Vec::new(),
    })
}

/// `POST /api/v1/teams`: create teams (a JSON array); returns each new login once.
pub async fn create_teams(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    json::Json(body): json::Json<Vec<NewTeamBody>>,
) -> ApiResult<Json<Value>> {
    let teams = body
        .into_iter()
        .enumerate()
        .map(|(i, t)| check_team(i, t))
        .collect::<ApiResult<Vec<_>>>()?;
    let credentials = ops::create_teams(&state, &teams, &caller.name).await?;
    Ok(Json(json!({"credentials": credentials})))
}

/// `POST /api/v1/teams/import`: create teams from CSV text (`name,organisation,members[,id]`).
pub async fn import_teams(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let teams = parse_teams_csv(&utf8(body)?, "teams.csv").map_err(|p| invalid("team list", p))?;
    let credentials = ops::create_teams(&state, &teams, &caller.name).await?;
    Ok(Json(json!({"credentials": credentials})))
}

fn may_manage_team(caller: &Caller, team: &str) -> ApiResult<()> {
    if !caller.is_session() {
        return Err(ApiError::Forbidden(
            "API tokens cannot manage tokens; sign in with the team's password".into(),
        ));
    }
    if caller.role == Role::Organiser || caller.team.as_deref() == Some(team) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "you can only manage your own team's tokens".into(),
        ))
    }
}

/// `GET /api/v1/teams/{id}/tokens`: a team's tokens (never the tokens themselves).
pub async fn tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(team): Path<String>,
) -> ApiResult<Json<Value>> {
    may_manage_team(&caller, &team)?;
    let t = state
        .store()
        .team_by_slug(&team)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no team `{team}`")))?;
    let list = state.store().tokens(t.id).await?;
    Ok(Json(json!(list
        .iter()
        .map(|k| json!({"id": k.id, "prefix": k.prefix, "label": k.label, "created_at": iso(k.created_at), "revoked_at": k.revoked_at.map(iso)}))
        .collect::<Vec<_>>())))
}

/// Body of a new token.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for (e.g. "exploit farm").
    #[serde(default)]
    pub label: String,
}

/// `POST /api/v1/teams/{id}/tokens`: a new API token, shown once.
pub async fn new_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(team): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    may_manage_team(&caller, &team)?;
    let NewToken { label } = if body.is_empty() {
        NewToken::default()
    } else {
        json::parse(&body)?
    };
    if label.chars().count() > 100 {
        return Err(ApiError::field(
            "label",
            "a label has at most 100 characters",
        ));
    }
    let t = state
        .store()
        .team_by_slug(&team)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no team `{team}`")))?;
    let (token, hash, prefix) = new_api_token();
    let now = state.now();
    let row = state
        .store()
        .create_token(t.id, &hash, &prefix, &label, now)
        .await?;
    state
        .store()
        .audit(
            &caller.name,
            "token.create",
            json!({"team": team, "prefix": prefix}),
            now,
        )
        .await?;
    Ok(Json(
        json!({"id": row.id, "token": token, "prefix": prefix, "label": label}),
    ))
}

/// `DELETE /api/v1/tokens/{id}`: revoke a token at once.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i32>,
) -> ApiResult<Json<Value>> {
    if !caller.is_session() {
        return Err(ApiError::Forbidden(
            "API tokens cannot revoke tokens; sign in with the team's password".into(),
        ));
    }
    let owner = state
        .store()
        .teams()
        .await?
        .into_iter()
        .find(|t| caller.team.as_deref() == Some(t.slug.as_str()))
        .map(|t| t.id);
    if caller.role != Role::Organiser {
        let tokens = match owner {
            Some(team_id) => state.store().tokens(team_id).await?,
            None => Vec::new(),
        };
        if !tokens.iter().any(|k| k.id == id) {
            return Err(ApiError::Forbidden(
                "you can only revoke your own team's tokens".into(),
            ));
        }
    }
    let now = state.now();
    let row = state.store().revoke_token(id, now).await?;
    state.0.tokens.clear();
    state
        .store()
        .audit(
            &caller.name,
            "token.revoke",
            json!({"token": id, "prefix": row.prefix}),
            now,
        )
        .await?;
    Ok(Json(
        json!({"id": row.id, "revoked_at": row.revoked_at.map(iso)}),
    ))
}

/// `GET /api/v1/users`: every login (no password hashes). Organisers.
pub async fn users(
    State(state): State<AppState>,
    Organiser(_): Organiser,
) -> ApiResult<Json<Value>> {
    let teams = state.store().teams().await?;
    let users: Vec<Value> = state
        .store()
        .users()
        .await?
        .iter()
        .map(|u| {
            let team = u
                .team_id
                .and_then(|id| teams.iter().find(|t| t.id == id))
                .map(|t| t.slug.as_str());
            json!({
                "username": u.username,
                "role": u.role,
                "team": team,
                "lead": u.lead,
                "disabled": u.disabled,
                "created_at": iso(u.created_at),
            })
        })
        .collect();
    Ok(Json(json!({ "users": users })))
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// organiser or judge.
    pub role: Role,
    /// Chosen password (generated when absent).
    pub password: Option<String>,
    /// A lead judge moderates when two markers disagree.
    #[serde(default)]
    pub lead: bool,
}

/// `POST /api/v1/users`: create an organiser or judge login.
pub async fn create_user(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    json::Json(body): json::Json<NewUser>,
) -> ApiResult<Json<Value>> {
    if body.lead && body.role != Role::Judge {
        return Err(ApiError::field("lead", "only judges can be lead judges"));
    }
    let cred = ops::create_user(
        &state,
        &body.username,
        body.role,
        body.password,
        &caller.name,
    )
    .await?;
    if body.lead {
        ops::set_lead(&state, &cred.username, true, &caller.name).await?;
    }
    Ok(Json(json!(cred)))
}

/// `POST /api/v1/users/{username}/reset-password`: a new random password, shown once.
pub async fn reset_password(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(username): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        ops::reset_password(&state, &username, &caller.name).await?
    )))
}

/// `POST /api/v1/users/{username}/disable`: the login can no longer sign in, and every session
/// it has ends at once. Organisers cannot disable themselves (the console would lock out).
pub async fn disable_user(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(username): Path<String>,
) -> ApiResult<Json<Value>> {
    if username == caller.name {
        return Err(ApiError::conflict(
            "own_login",
            "you cannot disable your own login; ask another organiser",
        ));
    }
    ops::set_disabled(&state, &username, true, &caller.name).await?;
    Ok(Json(json!({"username": username, "disabled": true})))
}

/// `POST /api/v1/users/{username}/enable`: undo a disable (old sessions stay ended).
pub async fn enable_user(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(username): Path<String>,
) -> ApiResult<Json<Value>> {
    ops::set_disabled(&state, &username, false, &caller.name).await?;
    Ok(Json(json!({"username": username, "disabled": false})))
}

/// Body of a manual adjustment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjust {
    /// Team id.
    pub team: String,
    /// Points to add (negative to remove).
    pub points: f64,
    /// Why (shown in the breakdown and the audit log); required.
    pub reason: String,
}

/// `POST /api/v1/adjustments`: add or remove points, with a reason.
pub async fn adjust(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    json::Json(body): json::Json<Adjust>,
) -> ApiResult<Json<Value>> {
    ApiError::require_reason(&body.reason, "the score changes")?;
    if !body.points.is_finite() || body.points == 0.0 || body.points.abs() > 1e9 {
        return Err(ApiError::field(
            "points",
            "points must be a non-zero number of at most 1e9",
        ));
    }
    if state.live().team(&body.team).is_none() {
        return Err(ApiError::field("team", format!("no team `{}`", body.team)));
    }
    let kind = EventKind::Adjustment {
        points: body.points,
        reason: body.reason.trim().to_owned(),
    };
    append_team_event(&state, &caller, &body.team, kind).await
}

/// Body of a disqualification.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why; required.
    pub reason: String,
}

/// `POST /api/v1/teams/{id}/disqualify`: take a team off the ranking (reversible).
pub async fn disqualify(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(team): Path<String>,
    json::Json(body): json::Json<Reason>,
) -> ApiResult<Json<Value>> {
    ApiError::require_reason(&body.reason, "the team is disqualified")?;
    append_team_event(
        &state,
        &caller,
        &team,
        EventKind::Disqualify {
            reason: body.reason.trim().to_owned(),
        },
    )
    .await
}

/// `POST /api/v1/teams/{id}/reinstate`: lift a disqualification.
pub async fn reinstate(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(team): Path<String>,
) -> ApiResult<Json<Value>> {
    append_team_event(&state, &caller, &team, EventKind::Reinstate).await
}

async fn append_team_event(
    state: &AppState,
    caller: &Caller,
    team: &str,
    kind: EventKind,
) -> ApiResult<Json<Value>> {
    if state.live().team(team).is_none() {
        return Err(ApiError::NotFound(format!("no team `{team}`")));
    }
    let now = state.now();
    let event = state
        .store()
        .append_event(NewEvent {
            at: now,
            team: team.to_owned(),
            kind,
            actor: Some(caller.name.clone()),
        })
        .await?;
    state
        .store()
        .audit(&caller.name, "event.append", json!(event), now)
        .await?;
    state.live_mut().apply(&event);
    Ok(Json(
        json!({"seq": event.seq, "at": iso(event.at), "team": event.team, "event": event.kind}),
    ))
}

/// Filter and page of the event log (other parameters, such as a cache buster, are ignored).
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    /// Only this team's events.
    pub team: Option<String>,
    /// Only events of this kind (`solve`, `hint`, `adjustment`, …).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A page, newest first, of at most this many events (1 to 1000).
    pub limit: Option<u64>,
    /// With `limit`: only events older than this sequence number (the last `seq` of the page
    /// before).
    pub before: Option<i64>,
}

/// Most events in one page.
const MAX_EVENTS_PAGE: u64 = 1000;

/// `GET /api/v1/events`: the event log behind every score (organisers and judges).
pub async fn events(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Json<Value>> {
    if let Some(k) = q.kind.as_deref()
        && !drillboard_store::EVENT_KINDS.contains(&k)
    {
        return Err(ApiError::field(
            "type",
            format!(
                "no event type `{k}`; use one of {}",
                drillboard_store::EVENT_KINDS.join(", ")
            ),
        ));
    }
    let events = match (q.limit, q.before) {
        (None, None) => {
            let mut all = state.store().events().await?;
            all.retain(|(e, _)| {
                q.kind
                    .as_deref()
                    .is_none_or(|k| drillboard_store::event_kind(&e.kind) == k)
            });
            all
        }
        (None, Some(_)) => {
            return Err(ApiError::field("before", "`before` pages need a `limit`"));
        }
        (Some(n), _) if !(1..=MAX_EVENTS_PAGE).contains(&n) => {
            return Err(ApiError::field(
                "limit",
                format!("a page holds 1 to {MAX_EVENTS_PAGE} events"),
            ));
        }
        (Some(n), before) => {
            // Judges never get grade events: leave them out in the query, so pages stay full.
            let hide = (caller.role == Role::Judge).then_some("report_graded");
            state
                .store()
                .events_page(before, n, q.team.as_deref(), q.kind.as_deref(), hide)
                .await?
        }
    };
    // A grade event ties a team to the exact scores its markers gave: judges, who mark blind,
    // do not see them (the released grades show on the board).
    let judge = caller.role == Role::Judge;
    Ok(Json(json!(events
        .iter()
        .filter(|(e, _)| q.team.as_deref().is_none_or(|t| t == e.team))
        .filter(|(e, _)| !(judge && matches!(e.kind, EventKind::ReportGraded { .. })))
        .map(|(e, actor)| json!({"seq": e.seq, "at": iso(e.at), "team": e.team, "actor": actor, "event": e.kind}))
        .collect::<Vec<_>>())))
}

/// `GET /api/v1/audit`: privileged actions (organisers).
pub async fn audit(
    State(state): State<AppState>,
    Organiser(_): Organiser,
) -> ApiResult<Json<Value>> {
    let log = state.store().audit_log().await?;
    Ok(Json(json!(log
        .iter()
        .map(|a| json!({"id": a.id, "at": iso(a.at), "actor": a.actor, "action": a.action, "detail": serde_json::from_str::<Value>(&a.detail).unwrap_or(Value::Null)}))
        .collect::<Vec<_>>())))
}

/// `GET /api/v1/export`: the whole exercise as one JSON document (organisers).
pub async fn export(
    State(state): State<AppState>,
    Organiser(_): Organiser,
    Query(q): Query<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(crate::export::export(&state).await?).into_response()),
        "csv" => {
            let csv = {
                let live = state.live();
                let standings = live
                    .standings(None)
                    .ok_or_else(|| ApiError::NotFound("no scenario is loaded yet".into()))?;
                crate::export::results_csv(&live, &standings)
            };
            Ok((
                [
                    (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        "attachment; filename=\"results.csv\"",
                    ),
                ],
                csv,
            )
                .into_response())
        }
        other => Err(ApiError::field(
            "format",
            format!("`format` must be `json` or `csv`, not `{other}`"),
        )),
    }
}

/// Query of `GET /api/v1/export`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (the whole exercise, default) or `csv` (the live results table).
    pub format: Option<String>,
}
