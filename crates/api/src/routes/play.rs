//! What teams do: list challenges, submit flags, unlock hints.

use axum::Json;
use axum::extract::State;
use drillboard_scenario::Challenge;
use drillboard_scoring::EventKind;
use drillboard_store::{NewAttempt, NewEvent};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, Role, TeamCaller};
use crate::error::{ApiError, ApiResult};
use crate::json::{self, Path};
use crate::markdown::render;
use crate::ops::ensure_running;
use crate::routes::public::board_time;
use crate::state::{AppState, Live};

/// Is `c` open to `team` at `now`: released, and every prerequisite solved?
fn open_to(live: &Live, c: &Challenge, team: Option<&str>, now: i64) -> bool {
    // A hidden challenge is never open to a team (organisers and judges see it).
    if c.hidden && team.is_some() {
        return false;
    }
    let released = live
        .exercise
        .as_ref()
        .and_then(|row| row.started_at)
        .is_some_and(|start| now >= start + c.release_after_seconds * 1000);
    let Some(team) = team else { return true };
    if c.requires.is_empty() {
        return released;
    }
    let solved = live
        .engine
        .as_ref()
        .map(|e| e.solved_by(team))
        .unwrap_or_default();
    released && c.requires.iter().all(|r| solved.contains(&r.as_str()))
}

/// `GET /api/v1/challenges`: for a team, the challenges open to it (never the flags); for
/// organisers and judges, all of them.
pub async fn challenges(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let now = state.now();
    // Attempts used, read before the live state is taken (only when a challenge limits them).
    let limited = state
        .live()
        .scenario
        .as_ref()
        .is_some_and(|s| s.challenges.iter().any(|c| c.max_attempts.is_some()));
    let used: std::collections::HashMap<String, i64> = match (&caller.team, limited) {
        (Some(t), true) if caller.role == Role::Team => {
            state.store().wrong_attempts(t).await?.into_iter().collect()
        }
        _ => Default::default(),
    };
    let live = state.live();
    let Some(scenario) = live.scenario.clone() else {
        return Err(ApiError::NotFound("no scenario is loaded yet".into()));
    };
    let team = if caller.role == Role::Team {
        Some(caller.team()?)
    } else {
        None
    };
    let (as_of, _) = board_time(&live, Some(&caller), None, now)?;
    let board = live.standings(as_of);
    let engine = live.engine.as_ref();
    let solved = team
        .and_then(|t| engine.map(|e| e.solved_by(t)))
        .unwrap_or_default();
    let unlocked = team
        .and_then(|t| engine.map(|e| e.hints_unlocked(t)))
        .unwrap_or_default();
    let list: Vec<Value> = scenario
        .challenges
        .iter()
        .filter(|c| open_to(&live, c, team, now))
        .map(|c| {
            let value = board.as_ref().and_then(|b| b.challenges.iter().find(|v| *v.id == *c.id));
            let hints: Vec<Value> = c
                .hints
                .iter()
                .map(|h| {
                    let open = team.is_none() || unlocked.contains(&(c.id.as_str(), h.id.as_str()));
                    json!({"id": h.id, "cost": h.cost, "unlocked": open,
                        "content": if open { json!(h.content) } else { Value::Null },
                        "content_html": if open { crate::markdown::render_text(&h.content) } else { Value::Null }})
                })
                .collect();
            json!({
                "id": c.id,
                "title": c.title,
                "category": c.category,
                "category_text": c.category_label(),
                "description_html": {"vi": render(&c.description.vi), "en": render(&c.description.en)},
                "files": c.files,
                "value": value.map_or(0, |v| v.value),
                "solves": value.map_or(0, |v| v.solves),
                "solved": solved.contains(&c.id.as_str()),
                "hints": hints,
                "requires": c.requires,
                "first_blood": c.first_blood,
                "release_after_seconds": c.release_after_seconds,
                "connection_info": c.connection_info,
                "max_attempts": c.max_attempts,
                "attempts_left": c.max_attempts.filter(|_| team.is_some()).map(|m| {
                    (m as i64 - used.get(&c.id).copied().unwrap_or(0)).max(0)
                }),
                "hidden": if team.is_none() { json!(c.hidden) } else { Value::Null },
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

/// A flag submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    /// The flag text.
    pub flag: String,
}

/// Check the exercise is running, the team may play and the challenge is open to it; returns
/// the challenge. A challenge not yet open answers exactly as one that does not exist, so
/// unreleased challenges cannot be probed.
fn playable(state: &AppState, team: &str, id: &str, now: i64) -> ApiResult<Challenge> {
    let live = state.live();
    ensure_running(live.exercise.as_ref(), now, "submissions")?;
    ensure_not_disqualified(&live, team)?;
    let Some(scenario) = &live.scenario else {
        return Err(ApiError::conflict(
            "exercise_not_running",
            "no scenario is loaded yet",
        ));
    };
    let not_found = || ApiError::NotFound(format!("no challenge `{id}` is open to your team"));
    let c = scenario.challenge(id).ok_or_else(not_found)?;
    if !open_to(&live, c, Some(team), now) {
        return Err(not_found());
    }
    Ok(c.clone())
}

/// Refuse with 409 `no_attempts_left` when `team` has used up a limited challenge's wrong
/// flags (then neither a flag nor a hint can help it any more).
async fn ensure_attempts_left(
    state: &AppState,
    team: &str,
    challenge: &Challenge,
) -> ApiResult<()> {
    let Some(max) = challenge.max_attempts else {
        return Ok(());
    };
    let used = state
        .store()
        .wrong_attempts(team)
        .await?
        .into_iter()
        .find(|(c, _)| *c == challenge.id)
        .map_or(0, |(_, n)| n);
    if used >= max as i64 {
        return Err(ApiError::conflict(
            "no_attempts_left",
            format!(
                "your team has used all {max} attempts for this challenge; it cannot be solved any more"
            ),
        ));
    }
    Ok(())
}

/// Refuse with 403 if `team` is disqualified (flags, hints and reports alike).
pub fn ensure_not_disqualified(live: &Live, team: &str) -> ApiResult<()> {
    if live
        .engine
        .as_ref()
        .is_some_and(|e| e.is_disqualified(team))
    {
        return Err(ApiError::Forbidden(
            "your team is disqualified: submissions are refused; ask the organisers".into(),
        ));
    }
    Ok(())
}

/// `POST /api/v1/challenges/{id}/submit`: check a flag.
pub async fn submit(
    State(state): State<AppState>,
    TeamCaller(caller): TeamCaller,
    Path(id): Path<String>,
    json::Json(body): json::Json<Submit>,
) -> ApiResult<Json<Value>> {
    let team = caller.team()?.to_owned();
    let outcome = submit_flag(&state, &team, &id, &body.flag, &caller.name).await;
    let result = match &outcome {
        Ok(o) => o.status,
        Err(ApiError::RateLimited { .. }) => "rate_limited",
        Err(_) => "refused",
    };
    state.0.metrics.submissions("jeopardy", [result]);
    Ok(Json(json!(outcome?)))
}

/// The answer to a flag submission.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Outcome {
    /// `accepted`, `incorrect` or `already_solved`.
    pub status: &'static str,
    /// Whether the flag was right.
    pub correct: bool,
    /// The challenge's current value when accepted, else 0.
    pub points: i64,
    /// The first-blood bonus this solve took (0 when none), on top of `points`.
    pub first_blood_bonus: i64,
    /// A sentence for people.
    pub message: &'static str,
}

/// Check a flag for `team`. Exactly one solve is credited per team and challenge however many
/// identical submissions race: a unique index in the database decides.
pub async fn submit_flag(
    state: &AppState,
    team: &str,
    id: &str,
    flag: &str,
    actor: &str,
) -> ApiResult<Outcome> {
    let flag = flag.trim();
    if flag.is_empty() {
        return Err(ApiError::field("flag", "the flag is empty"));
    }
    if flag.len() > 1024 {
        return Err(ApiError::field(
            "flag",
            "the flag is longer than 1024 bytes",
        ));
    }
    let now = state.now();
    let challenge = playable(state, team, id, now)?;
    ensure_attempts_left(state, team, &challenge).await?;
    let limit = state
        .live()
        .scenario
        .as_ref()
        .map_or(10, |s| s.scoring.wrong_flags_per_minute) as usize;
    // The attempt is counted before it is judged, so a burst sent at once is limited exactly;
    // a right flag gives its count back.
    let reserved = state
        .0
        .wrong_flags
        .reserve(team, limit, now)
        .map_err(|retry_after| ApiError::RateLimited {
            message: format!(
                "too many wrong flags: at most {limit} a minute; try again in {retry_after} s"
            ),
            retry_after,
        })?;
    let correct = challenge.flags.iter().any(|f| f.matches(flag));
    if correct {
        state.0.wrong_flags.release(team, reserved);
    }
    let attempt = NewAttempt {
        at: now,
        team: team.to_owned(),
        challenge: id.to_owned(),
        submitted: flag.to_owned(),
        correct,
    };
    let solve = correct.then(|| NewEvent {
        at: now,
        team: team.to_owned(),
        kind: EventKind::Solve {
            challenge: id.to_owned(),
        },
        actor: Some(actor.to_owned()),
    });
    let stored = match crate::plays::play(state, Some(attempt), solve).await {
        Ok(stored) => stored,
        Err(e) => {
            // Not recorded, not judged: it does not count.
            if !correct {
                state.0.wrong_flags.release(team, reserved);
            }
            return Err(e);
        }
    };
    if !correct {
        return Ok(Outcome {
            status: "incorrect",
            correct: false,
            points: 0,
            first_blood_bonus: 0,
            message: "incorrect flag",
        });
    }
    if stored.is_none() {
        return Ok(Outcome {
            status: "already_solved",
            correct: true,
            points: 0,
            first_blood_bonus: 0,
            message: "your team has already solved this challenge",
        });
    }
    // The value as the team's board shows it: after the freeze, the value at the freeze.
    let live = state.live();
    let frozen = live
        .exercise
        .as_ref()
        .and_then(|row| crate::ops::frozen_at(row, now));
    // Without computing the standings: with 63 teams solving at once, that would be once per
    // solve.
    let points = live
        .engine
        .as_ref()
        .and_then(|e| e.value_of(id, frozen))
        .unwrap_or(0);
    let first_blood_bonus = live
        .engine
        .as_ref()
        .and_then(|e| e.first_blood_of(id, team, frozen))
        .unwrap_or(0);
    Ok(Outcome {
        status: "accepted",
        correct: true,
        points,
        first_blood_bonus,
        message: "flag accepted",
    })
}

/// `POST /api/v1/challenges/{id}/hints/{hint}/unlock`: reveal a hint; its cost is charged once.
pub async fn unlock(
    State(state): State<AppState>,
    TeamCaller(caller): TeamCaller,
    Path((id, hint)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let team = caller.team()?.to_owned();
    let now = state.now();
    let challenge = playable(&state, &team, &id, now)?;
    ensure_attempts_left(&state, &team, &challenge).await?;
    let h = challenge
        .hints
        .iter()
        .find(|h| h.id == hint)
        .ok_or_else(|| ApiError::NotFound(format!("challenge `{id}` has no hint `{hint}`")))?;
    let unlock = NewEvent {
        at: now,
        team,
        kind: EventKind::HintUnlock {
            challenge: id.clone(),
            hint: hint.clone(),
        },
        actor: Some(caller.name.clone()),
    };
    let charged = crate::plays::play(&state, None, Some(unlock))
        .await?
        .is_some();
    Ok(Json(
        json!({"hint": {"id": h.id, "cost": h.cost, "content": h.content, "content_html": crate::markdown::render_text(&h.content)}, "charged": charged}),
    ))
}
