//! Attack/defend over HTTP: flag submission (`PUT /flags`, the Hackerdom/ForcAD shape), the
//! attack data farms read, the service-status grid, round history and voiding a round.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use drillboard_gameserver::replies::Reply;
use drillboard_scenario::Scenario;
use drillboard_scoring::EventKind;
use drillboard_store::{NewEvent, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{MaybeCaller, Organiser, Staff, token_owner};
use crate::error::{ApiError, ApiResult};
use crate::json::{self, Path, RawBody};
use crate::routes::public::{board_time, iso};
use crate::state::{AppState, Live};

/// Longest flag accepted, in bytes (the TCP server's line limit too).
pub const MAX_FLAG_BYTES: usize = crate::game::tcp::MAX_LINE;

/// `PUT /flags`: a JSON array of flags with the team token in `X-Team-Token`; the reply is one
/// `{"flag", "status", "msg"}` per flag, in order. An unknown token is a 403 whose body still has
/// that shape, so farms file every flag as rejected rather than crash; a database outage is a
/// 503 in that shape with "try again later" for every flag.
pub async fn put_flags(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let flags: Vec<String> = json::parse(&body)?;
    let limit = {
        let live = state.live();
        let Some(ad) = live
            .scenario
            .as_ref()
            .and_then(|s| s.attack_defense.as_ref())
        else {
            return Err(ApiError::NotFound(
                "this exercise has no attack/defend part; jeopardy flags go to POST /api/v1/challenges/{id}/submit".into(),
            ));
        };
        ad.max_flags_per_request as usize
    };
    if flags.len() > limit {
        return Err(ApiError::BadRequest {
            code: "too_many_flags",
            message: format!(
                "{} flags in one request; send at most {limit} per request",
                flags.len()
            ),
            field: None,
        });
    }
    if let Some(i) = flags.iter().position(|f| f.len() > MAX_FLAG_BYTES) {
        return Err(ApiError::BadRequest {
            code: "flag_too_long",
            message: format!(
                "flag [{i}] is {} bytes long; a flag has at most {MAX_FLAG_BYTES} bytes",
                flags[i].len()
            ),
            field: Some(format!("[{i}]")),
        });
    }
    let token = headers
        .get("x-team-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    let team = if token.is_empty() {
        // The team page sends flags with its session (`Authorization: Bearer`).
        match crate::auth::authenticate_headers(&headers, &state).await? {
            Some(c) if c.role == crate::auth::Role::Team => {
                c.team.and_then(|slug| state.live().team(&slug).cloned())
            }
            Some(_) => {
                return Err(ApiError::Forbidden(
                    "only teams submit flags; none was judged".into(),
                ));
            }
            None => None,
        }
    } else {
        match token_owner(&state, token).await {
            Ok(found) => found.map(|(_, t)| t),
            // The database is away: every flag is "try again later", in the shape farms read,
            // so they keep the flags and send them again.
            Err(e) => {
                tracing::error!(error = %e, "token lookup failed during flag submission");
                let body = replies_json(&flags, &vec![Reply::TryAgain; flags.len()]);
                return Ok((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response());
            }
        }
    };
    // A typo in a farm's token must not throw its flags away: the whole request is refused
    // with an error object, not a reply per flag, so a farm raises and keeps them queued.
    let Some(team) = team else {
        let why = if token.is_empty() {
            "no team token: send your team's API token in the X-Team-Token header (or sign in on the team page)"
        } else {
            "unknown or revoked team token in X-Team-Token: check the token your farm sends \
             (organisers can list a team's tokens)"
        };
        return Err(ApiError::Forbidden(format!(
            "{why}; none of the {} flags was judged, send them again with the right token",
            flags.len()
        )));
    };
    crate::routes::play::ensure_not_disqualified(&state.live(), &team.slug)?;
    let replies = crate::game::submit::submit(&state, &team, &flags).await;
    state
        .0
        .metrics
        .submissions("http", replies.iter().map(|r| r.name()));
    Ok(Json(replies_json(&flags, &replies)).into_response())
}

fn replies_json(flags: &[String], replies: &[Reply]) -> Value {
    Value::Array(
        flags
            .iter()
            .zip(replies)
            .map(|(f, r)| json!({"flag": f, "status": *r == Reply::Accepted, "code": r.name(), "msg": format!("[{f}] {}", r.message())}))
            .collect(),
    )
}

/// The scenario, if it has an attack/defend part (else 404), and the current round (0: none yet).
fn ad_scenario(live: &Live) -> ApiResult<(Arc<Scenario>, u32)> {
    let s = live
        .scenario
        .clone()
        .filter(|s| s.attack_defense.is_some())
        .ok_or_else(|| ApiError::NotFound("this exercise has no attack/defend part".into()))?;
    Ok((s, live.ad.as_ref().map_or(0, |a| a.round_number())))
}

/// Flag ids of one service: host -> round -> place -> ids.
type HostRounds<'a> = BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<&'a str>>>>;

/// `GET /api/v1/attack-data`: public flag ids of the alive rounds, per service, team address,
/// round and flag place (the shape ENOWARS publishes; FAUST-style farms read the same ids).
pub async fn attack_data(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let (scenario, teams, round) = {
        let live = state.live();
        let (s, round) = ad_scenario(&live)?;
        (s, live.teams.clone(), round)
    };
    let lifetime = scenario
        .attack_defense
        .as_ref()
        .map_or(1, |a| a.flag_lifetime_rounds);
    let flags = if round == 0 {
        Vec::new()
    } else {
        state
            .store()
            .flags_since(crate::game::first_alive_round(round, lifetime))
            .await?
    };
    let host = |team: &str, service: &str| -> Option<String> {
        let index = teams.iter().position(|t| t.slug == team)?;
        let svc = scenario.services.iter().find(|s| s.id == service)?;
        Some(svc.host_for(team, index + 1))
    };
    let mut services: BTreeMap<&str, HostRounds> = scenario
        .services
        .iter()
        .map(|s| (s.id.as_str(), BTreeMap::new()))
        .collect();
    for f in flags.iter().filter(|f| f.planted) {
        if teams.iter().any(|t| t.slug == f.team && t.hidden) {
            continue;
        }
        let (Some(h), Some(svc)) = (
            host(&f.team, &f.service),
            services.get_mut(f.service.as_str()),
        ) else {
            continue;
        };
        svc.entry(h)
            .or_default()
            .entry(f.round.to_string())
            .or_default()
            .entry(f.place.to_string())
            .or_default()
            .push(&f.flag_id);
    }
    let visible: Vec<_> = teams.iter().filter(|t| !t.hidden).collect();
    let team_list: Vec<Value> = visible
        .iter()
        .map(|t| {
            let hosts: serde_json::Map<String, Value> = scenario
                .services
                .iter()
                .filter_map(|s| host(&t.slug, &s.id).map(|h| (s.id.clone(), json!(h))))
                .collect();
            json!({"id": t.slug, "name": t.name, "hosts": hosts})
        })
        .collect();
    let mut available: Vec<String> = visible
        .iter()
        .flat_map(|t| {
            scenario
                .services
                .iter()
                .filter_map(|s| host(&t.slug, &s.id))
        })
        .collect();
    available.sort();
    available.dedup();
    Ok(Json(json!({
        "round": round,
        "flag_lifetime": lifetime,
        "teams": team_list,
        "availableTeams": available,
        "services": services,
    })))
}

/// `GET /api/v1/services`: the service-status grid: every team × service with the last verdict,
/// its message, and attack, defense and SLA points (frozen for teams and the public after the
/// freeze, like the board); first bloods per service.
pub async fn services(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let (scenario, mut round) = ad_scenario(&state.live())?;
    let (as_of, frozen) = board_time(&state.live(), caller.as_ref(), None, now)?;
    // While the board is frozen, teams and the public see the verdicts of the rounds over by
    // the freeze, like the points: later ones would tell how services moved.
    if frozen && let Some(f) = as_of {
        round = state
            .store()
            .rounds()
            .await?
            .iter()
            .filter(|r| r.ended_at.is_some_and(|e| e <= f))
            .map(|r| r.number as u32)
            .max()
            .unwrap_or(0);
    }
    // The latest verdict per team and service, from the last few rounds.
    let mut checks = state
        .store()
        .checks_since(round.saturating_sub(3).max(1))
        .await?;
    checks.retain(|c| c.round as u32 <= round);
    let mut last: BTreeMap<(&str, &str), &drillboard_store::CheckRow> = BTreeMap::new();
    for c in &checks {
        last.insert((c.team.as_str(), c.service.as_str()), c);
    }
    let live = state.live();
    let standings = live
        .standings(as_of)
        .ok_or_else(|| ApiError::NotFound("no scenario is loaded yet".into()))?;
    let teams: Vec<Value> = standings
        .standings
        .iter()
        .map(|st| {
            let cells: Vec<Value> = scenario
                .services
                .iter()
                .enumerate()
                .map(|(i, svc)| {
                    let p = st.services.get(i).copied().unwrap_or_default();
                    let v = last.get(&(&*st.team, svc.id.as_str()));
                    json!({
                        "service": svc.id,
                        "state": v.map(|c| c.state.as_str()),
                        "round": v.map(|c| c.round),
                        "message": v.map(|c| c.public.as_str()),
                        "attack": p.attack,
                        "defense": p.defense,
                        "sla": p.sla,
                        "captured": p.captured,
                        "lost": p.lost,
                    })
                })
                .collect();
            json!({"rank": st.rank, "team": {"id": st.team, "name": st.name}, "services": cells})
        })
        .collect();
    let first_bloods: Vec<Value> = standings
        .first_bloods
        .iter()
        .map(|f| json!({"service": f.service, "team": f.team, "name": live.team(&f.team).map(|t| t.name.as_str()), "victim": f.victim, "at": iso(f.at)}))
        .collect();
    Ok(Json(json!({
        "round": round,
        "frozen": frozen,
        "services": scenario.services.iter().map(|s| json!({"id": s.id, "name": s.name, "weight": s.weight, "places": s.places})).collect::<Vec<_>>(),
        "teams": teams,
        "first_bloods": first_bloods,
    })))
}

fn voided(live: &Live) -> Vec<(String, u32)> {
    live.engine
        .as_ref()
        .map_or_else(Vec::new, |e| e.voided_rounds())
}

/// `GET /api/v1/rounds`: every round with its times, status and voided services.
pub async fn rounds(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let rows = state.store().rounds().await?;
    let voids = voided(&state.live());
    Ok(Json(json!({
        "rounds": rows.iter().map(|r| json!({
            "number": r.number,
            "started_at": iso(r.started_at),
            "ended_at": r.ended_at.map(iso),
            "status": r.status,
            "voided": voids.iter().filter(|(_, n)| *n == r.number as u32).map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()
    })))
}

/// Alerts kept in `GET /api/v1/alerts`.
const ALERTS_SHOWN: u64 = 200;

/// `GET /api/v1/workers`: the checker workers (organisers and judges): each with its capacity,
/// the jobs it ran when last heard from and whether it is alive; the jobs waiting; and how the
/// last round's jobs went (done, late, run again after a worker died).
pub async fn workers(State(state): State<AppState>, Staff(_): Staff) -> ApiResult<Json<Value>> {
    let store = state.store();
    let now = crate::game::workers::wall_ms();
    let list: Vec<Value> = store
        .workers()
        .await?
        .iter()
        .map(|w| {
            json!({
                "name": w.name, "capacity": w.capacity, "running": w.running,
                "seen_at": iso(w.seen_at), "started_at": iso(w.started_at),
                "alive": crate::game::workers::alive(w, now),
            })
        })
        .collect();
    let round = state.live().ad.as_ref().map_or(0, |a| a.round_number());
    let mut last = Value::Null;
    for n in (round.saturating_sub(1)..=round).rev().filter(|n| *n > 0) {
        let jobs = store.jobs_of(n).await?;
        if jobs.is_empty() {
            continue;
        }
        let count = |s: &str| jobs.iter().filter(|j| j.status == s).count();
        last = json!({
            "round": n, "jobs": jobs.len(), "done": count("done"), "late": count("late"),
            "waiting": count("queued") + count("running"),
            "run_again": jobs.iter().filter(|j| j.attempts > 1).count(),
        });
        break;
    }
    Ok(Json(json!({
        "workers": list,
        "queued": store.queued_jobs().await?,
        "last_round": last,
    })))
}

/// `GET /api/v1/alerts`: checker failures, newest first (organisers and judges): per round and
/// service, each team whose checker failed or answered CHECKER_ERROR, the step, what went wrong,
/// how the service's `on_checker_failure` policy decided it, and the tail of its stderr.
pub async fn alerts(State(state): State<AppState>, Staff(_): Staff) -> ApiResult<Json<Value>> {
    let rows = state
        .store()
        .audit_of(crate::game::ticker::ALERT_ACTION, ALERTS_SHOWN)
        .await?;
    let voids = voided(&state.live());
    let alerts: Vec<Value> = rows
        .iter()
        .map(|a| {
            let d: Value = serde_json::from_str(&a.detail).unwrap_or(Value::Null);
            let voided = voids.iter().any(|(s, n)| {
                Some(s.as_str()) == d["service"].as_str() && Some(*n as u64) == d["round"].as_u64()
            });
            json!({
                "id": a.id, "at": iso(a.at), "round": d["round"], "service": d["service"],
                "teams": d["teams"], "problem": d["problem"], "problem_code": d["problem_code"],
                "problem_params": d["problem_params"], "voided": voided,
            })
        })
        .collect();
    Ok(Json(json!({ "alerts": alerts })))
}

/// `GET /api/v1/rounds/{n}`: the verdicts of one round. Checker stderr (`private`) only for
/// organisers and judges.
pub async fn round(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(n): Path<u32>,
) -> ApiResult<Json<Value>> {
    let Some(r) = state.store().round(n).await? else {
        return Err(ApiError::NotFound(format!("round {n} has not been played")));
    };
    let staff = caller.as_ref().is_some_and(|c| c.role.sees_live_board());
    // The frozen board rule: teams and the public do not see verdicts given after the freeze
    // (they would tell how services and SLA moved).
    let frozen = state
        .live()
        .exercise
        .as_ref()
        .and_then(|row| crate::ops::frozen_at(row, state.now()));
    if !staff
        && let Some(f) = frozen
        && r.ended_at.is_none_or(|end| end > f)
    {
        return Err(ApiError::NotFound(format!(
            "round {n} ended after the board froze; its verdicts are shown when the freeze is lifted"
        )));
    }
    let checks: Vec<Value> = state
        .store()
        .checks_in(n)
        .await?
        .into_iter()
        .map(|c| {
            let mut v = json!({"team": c.team, "service": c.service, "state": c.state, "message": c.public, "at": iso(c.at)});
            if staff {
                v["private"] = json!(c.private);
            }
            v
        })
        .collect();
    let voids = voided(&state.live());
    Ok(Json(json!({
        "number": r.number,
        "started_at": iso(r.started_at),
        "ended_at": r.ended_at.map(iso),
        "status": r.status,
        "voided": voids.iter().filter(|(_, x)| *x == n).map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        "checks": checks,
    })))
}

/// Body of a void.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Void {
    /// The service whose checker was broken.
    pub service: String,
    /// Why (audit log); required.
    pub reason: String,
}

/// `POST /api/v1/rounds/{n}/void`: a round's verdicts for a service stop counting (the checker
/// was broken); SLA follows at once.
pub async fn void(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    Path(n): Path<u32>,
    json::Json(body): json::Json<Void>,
) -> ApiResult<Json<Value>> {
    ApiError::require_reason(&body.reason, "the round does not count")?;
    let known = state
        .live()
        .scenario
        .as_ref()
        .is_some_and(|s| s.services.iter().any(|x| x.id == body.service));
    if !known {
        return Err(ApiError::field(
            "service",
            format!("no service `{}` in this scenario", body.service),
        ));
    }
    match state.store().round(n).await? {
        None => return Err(ApiError::NotFound(format!("round {n} has not been played"))),
        Some(r) if r.status == "running" => {
            return Err(ApiError::conflict(
                "round_running",
                format!("round {n} is still running; void it once it has ended"),
            ));
        }
        Some(_) => {}
    }
    let now = state.now();
    let event = state
        .store()
        .append_event(NewEvent {
            at: now,
            team: String::new(),
            kind: EventKind::RoundVoided {
                service: body.service.clone(),
                round: n,
            },
            actor: Some(caller.name.clone()),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::conflict(
                "already_voided",
                format!("round {n} of `{}` is already void", body.service),
            ),
            other => other.into(),
        })?;
    state
        .store()
        .audit(
            &caller.name,
            "round.void",
            json!({"round": n, "service": body.service, "reason": body.reason.trim()}),
            now,
        )
        .await?;
    state.live_mut().apply(&event);
    Ok(Json(
        json!({"seq": event.seq, "round": n, "service": body.service, "at": iso(now)}),
    ))
}
