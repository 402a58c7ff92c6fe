//! What anyone may read: health, the exercise, the scoreboard and the CTFtime feed.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use drillboard_scoring::{Standing, Standings};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, ApiResult};
use crate::json::{Path, Query};
use crate::ops::{frozen_at, status};
use crate::state::{AppState, Live};

/// Milliseconds since the epoch as an RFC 3339 UTC string.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn iso_opt(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |m| json!(iso(m)))
}

/// `GET /healthz`: liveness. The process answers requests (the database is not asked: a
/// restart would not bring it back; `/readyz` tells whether the server can do its work).
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"status": "ok", "database": state.store().backend()}),
    ))
}

/// A write that failed this recently makes the server not ready, even if the probe commits.
const RECENT_FAULT: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a stored event may wait for the live board before the board counts as behind
/// (under load, a request stores its event a moment before it feeds the board).
const LIVE_LAG: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a readiness answer is shared by every caller.
const READY_SHARED: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a readiness write may take before the server counts as not ready.
const READY_WRITE: std::time::Duration = std::time::Duration::from_secs(2);

/// A readiness answer: ready or not, and each check.
pub type Readiness = (bool, Value);

/// Whether the live board holds every event stored so far (by count, so an event stored but
/// never applied is found even when later ones were); a board still behind after [`LIVE_LAG`]
/// is rebuilt from the log.
async fn live_caught_up(state: &AppState) -> Result<Value, String> {
    let stored = state
        .store()
        .event_count()
        .await
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    loop {
        let applied = state.live().applied_count();
        if applied >= stored {
            return Ok(json!({"stored": stored, "applied": applied}));
        }
        if started.elapsed() >= LIVE_LAG {
            if let Err(e) = state.reload().await {
                tracing::error!(error = %e, "cannot rebuild the live board");
            }
            return Err(format!(
                "the live board has {applied} events; the database {stored}: rebuilding"
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Run every readiness check.
async fn check_readiness(state: &AppState) -> Readiness {
    let mut checks = serde_json::Map::new();
    let mut ok = true;
    let mut note = |name: &str, result: Result<Value, String>| {
        let v = match result {
            Ok(v) => json!({"ok": true, "detail": v}),
            Err(e) => {
                ok = false;
                json!({"ok": false, "error": e})
            }
        };
        checks.insert(name.to_owned(), v);
    };
    let store = state.store();
    note(
        "read",
        store
            .ping()
            .await
            .map(|_| json!(store.backend()))
            .map_err(|e| e.to_string()),
    );
    let write = tokio::time::timeout(READY_WRITE, store.probe_write(state.now())).await;
    note(
        "write",
        match (write, store.recent_fault(RECENT_FAULT)) {
            (Ok(Ok(())), None) => Ok(json!("committed")),
            (Ok(Ok(())), Some(why)) => Err(format!(
                "a write failed in the last {} s: {why}",
                RECENT_FAULT.as_secs()
            )),
            (Ok(Err(e)), _) => Err(e.to_string()),
            (Err(_), _) => Err(format!("no commit within {} s", READY_WRITE.as_secs())),
        },
    );
    if store.backend() == "sqlite" {
        note("live", live_caught_up(state).await);
    }
    let body = json!({"status": if ok { "ready" } else { "not_ready" }, "checks": checks});
    (ok, body)
}

/// `GET /readyz`: readiness. 200 when the database answers a read, a write commits within 2 s
/// and no write failed in the last 2 s, and (on SQLite, where this process is the only server)
/// the live board holds every stored event; else 503 with the failing check named. A live board
/// found behind is rebuilt. One answer is shared by every caller for a second.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut last = state.0.ready.lock().await;
    let (ok, body) = match last.as_ref() {
        Some((at, r)) if at.elapsed() < READY_SHARED => r.clone(),
        _ => {
            let r = check_readiness(&state).await;
            *last = Some((std::time::Instant::now(), r.clone()));
            r
        }
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// `GET /metrics`: Prometheus metrics in the text format. Organisers only (a scraper sends an
/// organiser's API token as a bearer token): the counters say how the drill is going.
pub async fn metrics(State(state): State<AppState>, _: crate::auth::Organiser) -> Response {
    let [(read_open, read_idle), (write_open, write_idle)] = state.store().pool_use();
    let now_wall = crate::game::workers::wall_ms();
    let workers = state.store().workers().await.unwrap_or_default();
    let alive: Vec<_> = workers
        .iter()
        .filter(|w| crate::game::workers::alive(w, now_wall))
        .collect();
    let queued = state.store().queued_jobs().await.unwrap_or(0);
    let (events, teams, round, running) = {
        let live = state.live();
        let running = live
            .exercise
            .as_ref()
            .is_some_and(|r| status(r, state.now()) == crate::ops::Status::Running);
        let round = live.ad.as_ref().map_or(0, |a| a.round_number());
        (live.applied_count(), live.teams.len(), round, running)
    };
    let gauges: [crate::metrics::Gauge; 12] = [
        (
            "drillboard_checker_workers",
            "Checker workers heard from in the last 10 s.",
            alive.len() as f64,
        ),
        (
            "drillboard_checker_worker_capacity",
            "Checker jobs the workers run at once, in all.",
            alive.iter().map(|w| f64::from(w.capacity)).sum(),
        ),
        (
            "drillboard_checker_jobs_queued",
            "Checker jobs waiting for a worker.",
            queued as f64,
        ),
        (
            "drillboard_stream_clients",
            "Open event streams (pages following live).",
            state.changes().subscribers() as f64,
        ),
        (
            "drillboard_db_read_connections",
            "Connections of the read pool.",
            read_open as f64,
        ),
        (
            "drillboard_db_read_connections_idle",
            "Idle connections of the read pool.",
            read_idle as f64,
        ),
        (
            "drillboard_db_write_connections",
            "Connections of the writer.",
            write_open as f64,
        ),
        (
            "drillboard_db_write_connections_idle",
            "Idle connections of the writer.",
            write_idle as f64,
        ),
        (
            "drillboard_events_applied",
            "Events in the live board.",
            events as f64,
        ),
        ("drillboard_teams", "Teams of the exercise.", teams as f64),
        (
            "drillboard_round",
            "The current attack/defend round (0: none yet).",
            f64::from(round),
        ),
        (
            "drillboard_exercise_running",
            "1 while the exercise runs.",
            if running { 1.0 } else { 0.0 },
        ),
    ];
    let body = state.0.metrics.render(&gauges);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `GET /api/v1/exercise`: title, clock and status.
pub async fn exercise(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let now = state.now();
    let live = state.live();
    let (Some(row), Some(s)) = (&live.exercise, &live.scenario) else {
        return Err(ApiError::NotFound("no scenario is loaded yet".into()));
    };
    Ok(Json(json!({
        "id": s.exercise.id,
        "title": s.exercise.title,
        "description": s.exercise.description,
        "description_html": {
            "vi": crate::markdown::render(&s.exercise.description.vi),
            "en": crate::markdown::render(&s.exercise.description.en),
        },
        "timezone": s.exercise.timezone,
        "planned_start": iso(s.exercise.planned_start_ms),
        "duration_seconds": s.exercise.duration_seconds,
        "status": status(row, now),
        "started_at": iso_opt(row.started_at),
        "paused_at": iso_opt(if row.status == "paused" { row.paused_at } else { None }),
        "ends_at": iso_opt(row.ends_at),
        "freeze_at": iso_opt(if row.freeze_released { None } else { row.freeze_at }),
        "frozen": frozen_at(row, now).is_some(),
        "now": iso(now),
        "attack_defense": attack_defense_json(&state, &live, s),
        // Which parts score, so that pages show only the columns that can hold points.
        "parts": {
            "tasks": !s.challenges.is_empty(),
            "reports": s.injects.iter().any(|i| i.report.is_some()),
            "attack_defense": s.attack_defense.is_some(),
        },
    })))
}

/// What teams need to play attack/defend: the round, the flag format and where to send flags.
fn attack_defense_json(state: &AppState, live: &Live, s: &drillboard_scenario::Scenario) -> Value {
    let (Some(rules), Some(ad)) = (&s.attack_defense, &live.ad) else {
        return Value::Null;
    };
    let round = ad.round.as_ref();
    let tcp = state.0.flags_addr.get();
    json!({
        "round": round.map(|r| r.number),
        "round_status": round.map(|r| r.status.as_str()),
        "round_started_at": iso_opt(round.map(|r| r.started_at)),
        "round_seconds": rules.round_seconds,
        "flag_lifetime_rounds": rules.flag_lifetime_rounds,
        "flag_format": ad.key.pattern(),
        "flags_per_second": rules.flags_per_second,
        "max_flags_per_request": rules.max_flags_per_request,
        // The TCP flag server, as bound: a wildcard address means "this server's address".
        "tcp_port": tcp.map(|a| a.port()),
        "tcp_address": tcp.filter(|a| !a.ip().is_unspecified()).map(|a| a.to_string()),
    })
}

/// Which board a caller sees: (as_of, frozen?). Organisers and judges see live (or any past
/// moment with `?at=`); teams and the public see the board as it was at the freeze.
pub fn board_time(
    live: &Live,
    caller: Option<&Caller>,
    at: Option<&str>,
    now: i64,
) -> ApiResult<(Option<i64>, bool)> {
    let privileged = caller.is_some_and(|c| c.role.sees_live_board());
    if let Some(at) = at {
        if !privileged {
            return Err(ApiError::Forbidden(
                "only organisers and judges can look at the board at another time".into(),
            ));
        }
        let t = chrono::DateTime::parse_from_rfc3339(at).map_err(|e| {
            ApiError::field(
                "at",
                format!("`at` must be an RFC 3339 time such as 2026-12-01T09:00:00+07:00: {e}"),
            )
        })?;
        return Ok((Some(t.timestamp_millis()), false));
    }
    let frozen = live.exercise.as_ref().and_then(|row| frozen_at(row, now));
    match frozen {
        Some(f) if !privileged => Ok((Some(f), true)),
        _ => Ok((None, false)),
    }
}

/// Query of the scoreboard.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    /// A past moment (organisers and judges only).
    pub at: Option<String>,
}

/// `GET /api/v1/scoreboard`: the compact ranking. Served from bytes made once per change of
/// the standings (per view: live or frozen, and which challenges are out), with an ETag
/// (`If-None-Match` → 304) and a gzip copy; `?at=` is computed for each request.
pub async fn scoreboard(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<BoardQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let view = |live: &Live, now: i64| {
        let (as_of, frozen) = board_time(live, caller.as_ref(), q.at.as_deref(), now)?;
        let privileged = caller.as_ref().is_some_and(|c| c.role.sees_live_board());
        let hidden = if privileged {
            Vec::new()
        } else {
            unreleased(live, now)
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        Ok(View::Board {
            as_of,
            frozen,
            hidden,
        })
    };
    answer(&state, &headers, q.at.is_some(), view).await
}

/// What a served answer shows; its key names it in the cache.
enum View {
    /// The board at `as_of` (None: live), without the `hidden` challenges.
    Board {
        as_of: Option<i64>,
        frozen: bool,
        hidden: Vec<String>,
    },
    /// One team's breakdown.
    Team {
        id: String,
        as_of: Option<i64>,
        frozen: bool,
    },
    /// The CTFtime feed.
    Ctftime {
        as_of: Option<i64>,
        hidden: Vec<String>,
    },
    /// Who solved one challenge, and when.
    Solvers {
        id: String,
        as_of: Option<i64>,
        frozen: bool,
    },
}

impl View {
    fn key(&self) -> String {
        match self {
            View::Board {
                as_of,
                frozen,
                hidden,
            } => format!("board|{as_of:?}|{frozen}|{}", hidden.join(",")),
            View::Team { id, as_of, frozen } => format!("team|{id}|{as_of:?}|{frozen}"),
            View::Ctftime { as_of, hidden } => format!("ctftime|{as_of:?}|{}", hidden.join(",")),
            View::Solvers { id, as_of, frozen } => format!("solvers|{id}|{as_of:?}|{frozen}"),
        }
    }

    fn build(&self, live: &Live, now: i64) -> ApiResult<Value> {
        let no_scenario = || ApiError::NotFound("no scenario is loaded yet".into());
        match self {
            View::Board {
                as_of,
                frozen,
                hidden,
            } => {
                let standings = live.standings(*as_of).ok_or_else(no_scenario)?;
                let hidden: std::collections::HashSet<&str> =
                    hidden.iter().map(String::as_str).collect();
                let shown = |id: &str| !hidden.contains(id);
                let shown_at = as_of.unwrap_or(live.changed_at());
                Ok(board_json(live, &standings, *frozen, shown_at, now, &shown))
            }
            View::Team { id, as_of, frozen } => {
                let standings = live.standings(*as_of).ok_or_else(no_scenario)?;
                let Some(st) = standings.standings.iter().find(|x| *x.team == **id) else {
                    return Err(ApiError::NotFound(format!(
                        "team `{id}` is not on the board (no such team, or hidden or disqualified)"
                    )));
                };
                let shown_at = as_of.unwrap_or(live.changed_at());
                Ok(team_json(live, &standings, st, *frozen, shown_at))
            }
            View::Ctftime { as_of, hidden } => {
                let standings = live.standings(*as_of).ok_or_else(no_scenario)?;
                Ok(ctftime_json(live, &standings, hidden))
            }
            View::Solvers { id, as_of, frozen } => {
                let standings = live.standings(*as_of).ok_or_else(no_scenario)?;
                let mut solvers: Vec<(i64, &Standing, i64)> = standings
                    .standings
                    .iter()
                    .filter_map(|st| {
                        st.challenges
                            .iter()
                            .find(|c| *c.challenge == **id)
                            .map(|c| (c.solved_at, st, c.first_blood_bonus))
                    })
                    .collect();
                solvers.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.team.cmp(&b.1.team)));
                let value = standings
                    .challenges
                    .iter()
                    .find(|c| *c.id == **id)
                    .map(|c| c.value);
                Ok(json!({
                    "challenge": id,
                    "frozen": frozen,
                    "as_of": iso(as_of.unwrap_or(live.changed_at())),
                    "value": value,
                    "solvers": solvers.iter().map(|(at, st, bonus)| json!({
                        "team": {"id": st.team, "name": st.name},
                        "solved_at": iso(*at),
                        "first_blood_bonus": bonus,
                    })).collect::<Vec<_>>(),
                }))
            }
        }
    }
}

/// The answer `view` names: built for this request when the caller asked for another moment
/// (`?at=`, never cached), else served from the cache.
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    at_asked: bool,
    view: impl Fn(&Live, i64) -> ApiResult<View>,
) -> ApiResult<Response> {
    if at_asked {
        let (live, now) = (state.live(), state.now());
        return Ok(Json(view(&live, now)?.build(&live, now)?).into_response());
    }
    cached(state, headers, view).await
}

/// Serve the answer `view` names from the cache, building it once per change (single-flight:
/// see [`crate::served::ServedCache`]).
async fn cached(
    state: &AppState,
    headers: &HeaderMap,
    view: impl Fn(&Live, i64) -> ApiResult<View>,
) -> ApiResult<Response> {
    let (key, arrival, lock) = {
        let live = state.live();
        let key = view(&live, state.now())?.key();
        match live.served.lookup(&key) {
            Ok(served) => return Ok(served.respond(headers)),
            Err(arrival) => (key, arrival, live.served.build_lock()),
        }
    };
    let _one_build_at_a_time = lock.lock().await;
    // Named again at the time it is built: while this request waited, the view may have moved
    // on (the freeze began, by the clock or by an organiser, or a challenge was released).
    let now = state.now();
    let live = state.live();
    let view = view(&live, now)?;
    if view.key() == key
        && let Some(served) = live.served.built_since(&key, arrival)
    {
        return Ok(served.respond(headers));
    }
    let served = Arc::new(crate::served::Served::new(&view.build(&live, now)?));
    let generation = live.served.generation();
    Ok(live
        .served
        .keep(generation, view.key(), served)
        .respond(headers))
}

/// The challenges not released at `now` (all of them before the start). Teams and the public
/// learn nothing about a challenge before it opens, not even its title.
pub fn unreleased(live: &Live, now: i64) -> Vec<&str> {
    let start = live.exercise.as_ref().and_then(|row| row.started_at);
    let Some(scenario) = live.scenario.as_ref() else {
        return Vec::new();
    };
    scenario
        .challenges
        .iter()
        .filter(|c| {
            c.hidden || start.is_none_or(|start| now < start + c.release_after_seconds * 1000)
        })
        .map(|c| c.id.as_str())
        .collect()
}

/// The columns of a board row, in order.
pub const BOARD_COLUMNS: [&str; 14] = [
    "rank",
    "team",
    "name",
    "organisation",
    "score",
    "tasks",
    "reports",
    "attack",
    "defense",
    "sla",
    "adjustments",
    "solves",
    "reached_at",
    "movement",
];

/// The compact board: one array per team (see [`BOARD_COLUMNS`]), the challenges with their
/// current value and first solve. Breakdowns are served per team
/// (`/api/v1/scoreboard/teams/{id}`).
fn board_json(
    live: &Live,
    s: &Arc<Standings>,
    frozen: bool,
    as_of: i64,
    now: i64,
    shown: &dyn Fn(&str) -> bool,
) -> Value {
    let defs: HashMap<&str, &drillboard_scenario::Challenge> = live
        .scenario
        .as_ref()
        .map(|sc| sc.challenges.iter().map(|c| (c.id.as_str(), c)).collect())
        .unwrap_or_default();
    let orgs: HashMap<&str, &str> = live
        .teams
        .iter()
        .map(|t| (t.slug.as_str(), t.organisation.as_str()))
        .collect();
    let before = previous_ranks(live, as_of, now);
    let rows: Vec<Value> = s
        .standings
        .iter()
        .map(|st| {
            let org = orgs.get(&*st.team).copied().unwrap_or("");
            let c = &st.components;
            let movement = before
                .as_ref()
                .and_then(|b| b.get(&st.team))
                .map(|&was| was as i64 - st.rank as i64);
            json!([
                st.rank,
                st.team,
                st.name,
                org,
                st.score,
                c.tasks,
                c.reports,
                c.attack,
                c.defense,
                c.sla,
                c.adjustments,
                st.solves,
                iso_opt(st.reached_at),
                movement,
            ])
        })
        .collect();
    let challenges: Vec<Value> = s
        .challenges
        .iter()
        .filter(|c| shown(&c.id))
        .map(|c| {
            let def = defs.get(&*c.id);
            let first = c.first.as_ref().map_or(
                Value::Null,
                |(team, at)| json!({"team": team, "at": iso(*at)}),
            );
            json!({
                "id": c.id,
                "title": def.map(|d| json!(d.title)).unwrap_or(Value::Null),
                "category": def.map(|d| d.category.as_str()).unwrap_or(""),
                "category_text": def.map(|d| json!(d.category_label())).unwrap_or(Value::Null),
                "value": c.value,
                "solves": c.solves,
                "first_solve": first,
            })
        })
        .collect();
    json!({
        "frozen": frozen,
        "as_of": iso(as_of),
        "of": s.of,
        "columns": BOARD_COLUMNS,
        "rows": rows,
        "challenges": challenges,
    })
}

/// Each team's rank at the chart point at least one step before `as_of` (the movement arrows
/// compare with it: places gained over the last one to two chart steps). None when the board
/// has no such point yet.
fn previous_ranks(live: &Live, as_of: i64, now: i64) -> Option<HashMap<Arc<str>, usize>> {
    let (start, step, _) = live.chart_grid()?;
    let back = as_of - step;
    if back < start {
        return None;
    }
    let t = start + (back - start) / step * step;
    let sample = live.sample_at(t, t < now - HISTORY_SETTLED_MS)?;
    Some(
        sample
            .iter()
            .enumerate()
            .map(|(i, (team, _))| (team.clone(), i + 1))
            .collect(),
    )
}

/// A chart sample this close to now may still gain events being stored; it is not cached.
pub const HISTORY_SETTLED_MS: i64 = 10_000;

/// `GET /api/v1/scoreboard/teams/{id}`: one team's standing with every point explained (its
/// solves, report grades, adjustments with their reasons), on the board the caller sees (the
/// frozen one for teams and the public; `?at=` for organisers and judges). Served from bytes
/// made once per change, like the board.
pub async fn team_score(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let view = |live: &Live, now: i64| {
        // An unknown or hidden team is refused before it can queue for a build.
        if live.team(&id).is_none_or(|t| t.hidden) {
            return Err(ApiError::NotFound(format!(
                "team `{id}` is not on the board (no such team, or hidden or disqualified)"
            )));
        }
        let (as_of, frozen) = board_time(live, caller.as_ref(), q.at.as_deref(), now)?;
        Ok(View::Team {
            id: id.clone(),
            as_of,
            frozen,
        })
    };
    answer(&state, &headers, q.at.is_some(), view).await
}

/// `GET /api/v1/scoreboard/challenges/{id}`: who solved a challenge and when, first solver
/// first, on the board the caller sees (frozen for teams and the public; `?at=` for staff).
/// A challenge not released yet is not found for teams and the public.
pub async fn challenge_solvers(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let view = |live: &Live, now: i64| {
        let staff = caller.as_ref().is_some_and(|c| c.role.sees_live_board());
        let known = live
            .scenario
            .as_ref()
            .is_some_and(|s| s.challenge(&id).is_some());
        if !known || (!staff && unreleased(live, now).contains(&id.as_str())) {
            return Err(ApiError::NotFound(format!(
                "no challenge `{id}` on the board"
            )));
        }
        let (as_of, frozen) = board_time(live, caller.as_ref(), q.at.as_deref(), now)?;
        Ok(View::Solvers {
            id: id.clone(),
            as_of,
            frozen,
        })
    };
    answer(&state, &headers, q.at.is_some(), view).await
}

/// One team's standing in full.
fn team_json(live: &Live, s: &Standings, st: &Standing, frozen: bool, as_of: i64) -> Value {
    let team = live.team(&st.team);
    json!({
        "frozen": frozen,
        "as_of": iso(as_of),
        "rank": st.rank,
        "of": s.of,
        "team": {"id": st.team, "name": st.name, "organisation": team.map(|t| t.organisation.as_str()).unwrap_or("")},
        "score": st.score,
        "components": st.components,
        "solves": st.solves,
        "hint_cost": st.hint_cost,
        "reports": st.reports.iter().map(|r| json!({
            "inject": r.inject,
            "criteria": r.criteria,
            "total": r.total,
            "minutes_late": r.minutes_late,
            "late_factor": r.late_factor,
            "weight": r.weight,
            "points": r.points,
            "counted_at": iso(r.counted_at),
        })).collect::<Vec<_>>(),
        "adjustments": st.adjustments.iter().map(|a| json!({
            "points": a.points,
            "reason": a.reason,
            "at": iso(a.at),
        })).collect::<Vec<_>>(),
        "reached_at": iso_opt(st.reached_at),
        "challenges": st.challenges.iter().map(|c| json!({
            "challenge": c.challenge,
            "points": c.points,
            "first_blood_bonus": c.first_blood_bonus,
            "hint_cost": c.hint_cost,
            "solved_at": iso(c.solved_at),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/scoreboard/ctftime`: the feed CTFtime imports (the public, frozen view).
pub async fn ctftime(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let view = |live: &Live, now: i64| {
        let (as_of, _) = board_time(live, None, None, now)?;
        let hidden = unreleased(live, now)
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok(View::Ctftime { as_of, hidden })
    };
    cached(&state, &headers, view).await
}

/// The CTFtime feed of standings `s` (served from bytes like the board).
fn ctftime_json(live: &Live, s: &Standings, hidden: &[String]) -> Value {
    let hidden: std::collections::HashSet<&str> = hidden.iter().map(String::as_str).collect();
    let titles: HashMap<&str, &str> = live
        .scenario
        .as_ref()
        .map(|sc| {
            sc.challenges
                .iter()
                .map(|c| (c.id.as_str(), c.title.en.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let name = |id: &str| {
        titles
            .get(id)
            .map_or_else(|| id.to_owned(), |t| (*t).to_owned())
    };
    let tasks: Vec<String> = s
        .challenges
        .iter()
        .filter(|c| !hidden.contains(&*c.id))
        .map(|c| name(&c.id))
        .collect();
    let standings: Vec<Value> = s
        .standings
        .iter()
        .map(|st| {
            let stats: serde_json::Map<String, Value> = st
                .challenges
                .iter()
                .map(|c| (name(&c.challenge), json!({"points": c.points + c.first_blood_bonus, "time": c.solved_at / 1000})))
                .collect();
            json!({
                "pos": st.rank,
                "team": st.name,
                "score": st.score,
                "taskStats": stats,
                "lastAccept": st.challenges.iter().map(|c| c.solved_at / 1000).max().unwrap_or(0),
            })
        })
        .collect();
    json!({"tasks": tasks, "standings": standings})
}
