//! Operations shared by the HTTP API and the command line: loading a scenario, creating teams and
//! logins, and the exercise clock. Each checks its input, writes through the store, records an
//! audit entry, and keeps the in-memory state in step.

use std::collections::HashSet;

use drillboard_scenario::{Scenario, Team};
use drillboard_scoring::EventKind;
use drillboard_store::{ExerciseRow, ExerciseUpdate, NewTeam, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Role, hash_password, new_api_token, new_password};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A login handed out once: the password and token are never shown again.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Credential {
    /// organiser, judge or team.
    pub role: Role,
    /// Login name.
    pub username: String,
    /// Password in clear (only here, once).
    pub password: String,
    /// Team name, for team logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Team API token, for team logins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_token: Option<String>,
}

/// Where the exercise is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Loaded, not started.
    NotStarted,
    /// Submissions are open.
    Running,
    /// Submissions are refused until it resumes.
    Paused,
    /// Over.
    Ended,
}

/// The status at `now` (a running exercise past its end time has ended).
pub fn status(row: &ExerciseRow, now: i64) -> Status {
    match row.status.as_str() {
        "running" if row.ends_at.is_some_and(|e| now >= e) => Status::Ended,
        "running" => Status::Running,
        "paused" => Status::Paused,
        "ended" => Status::Ended,
        _ => Status::NotStarted,
    }
}

/// Refuse with 409 `exercise_not_running` unless a scenario is loaded and the exercise runs;
/// `what` names what is closed ("submissions", "reports").
pub fn ensure_running(row: Option<&ExerciseRow>, now: i64, what: &str) -> ApiResult<()> {
    let Some(row) = row else {
        return Err(ApiError::conflict(
            "exercise_not_running",
            "no scenario is loaded yet",
        ));
    };
    match status(row, now) {
        Status::Running => Ok(()),
        st => Err(ApiError::conflict(
            "exercise_not_running",
            format!("{what} are closed: the exercise is {}", status_words(st)),
        )),
    }
}

/// The freeze time in force at `now`, if the public board is frozen.
pub fn frozen_at(row: &ExerciseRow, now: i64) -> Option<i64> {
    if row.freeze_released {
        return None;
    }
    row.freeze_at.filter(|f| now >= *f)
}

/// Load (or replace) the scenario. Teams it declares are created with logins; the new
/// credentials are returned. Replacing refuses to drop a challenge that already has events.
pub async fn load_scenario(
    state: &AppState,
    scenario: Scenario,
    yaml: String,
    actor: &str,
) -> ApiResult<Vec<Credential>> {
    let _guard = state.0.reload_lock.lock().await;
    let now = state.now();
    let ids: HashSet<&str> = scenario.challenges.iter().map(|c| c.id.as_str()).collect();
    let hidden: HashSet<&str> = scenario
        .challenges
        .iter()
        .filter(|c| c.hidden)
        .map(|c| c.id.as_str())
        .collect();
    for (e, _) in state.store().events().await? {
        if let EventKind::Solve { challenge } | EventKind::HintUnlock { challenge, .. } = &e.kind
            && !ids.contains(challenge.as_str())
        {
            return Err(ApiError::conflict(
                "challenge_in_use",
                format!(
                    "challenge `{challenge}` has solves or hints already; it cannot be removed from the scenario"
                ),
            ));
        }
        if let EventKind::Solve { challenge } = &e.kind
            && hidden.contains(challenge.as_str())
        {
            return Err(ApiError::conflict(
                "challenge_in_use",
                format!(
                    "challenge `{challenge}` has been solved already; it cannot be hidden now (its points are on the board)"
                ),
            ));
        }
    }
    let old = state.live().scenario.clone();
    // Flags carry their service's position: once a round was played, the services already
    // played keep their place (new ones may be added at the end).
    if let Some(old) = old.as_deref()
        && state.store().last_round().await?.is_some()
    {
        for (i, svc) in old.services.iter().enumerate() {
            if scenario.services.get(i).map(|s| s.id.as_str()) != Some(svc.id.as_str()) {
                return Err(ApiError::conflict(
                    "service_in_use",
                    format!(
                        "service `{}` was service number {} when rounds were played; keep the services already played in the same order (new ones go at the end)",
                        svc.id,
                        i + 1
                    ),
                ));
            }
        }
    }
    for r in state.store().reports().await? {
        let Some(new) = scenario.inject(&r.inject) else {
            return Err(ApiError::conflict(
                "inject_in_use",
                format!(
                    "inject `{}` has reports already; it cannot be removed from the scenario",
                    r.inject
                ),
            ));
        };
        let rubric = |i: Option<&drillboard_scenario::Inject>| -> Option<Vec<String>> {
            i?.report
                .as_ref()
                .map(|rep| rep.rubric.iter().map(|c| c.id.clone()).collect())
        };
        let before = rubric(old.as_deref().and_then(|s| s.inject(&r.inject)));
        let after = rubric(Some(new));
        if after.is_none() || (before.is_some() && before != after) {
            return Err(ApiError::conflict(
                "rubric_in_use",
                format!(
                    "inject `{}` has reports already; keep its report section and its rubric's criterion ids",
                    r.inject
                ),
            ));
        }
    }
    check_new_teams(state, &scenario.teams).await?;
    let json = serde_json::to_string(&scenario).map_err(|e| ApiError::Internal(e.into()))?;
    state
        .store()
        .save_scenario(&scenario.exercise.id, json, yaml, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(m) => ApiError::conflict("other_exercise", m),
            other => other.into(),
        })?;
    state
        .store()
        .audit(actor, "scenario.load", json!({"exercise": scenario.exercise.id, "challenges": scenario.challenges.len(), "teams": scenario.teams.len()}), now)
        .await?;
    let creds = create_teams_locked(state, &scenario.teams, actor).await?;
    state.reload().await?;
    Ok(creds)
}

/// Create teams, each with a team login and an API token; existing teams (same id) are updated
/// and get no new credentials.
pub async fn create_teams(
    state: &AppState,
    teams: &[Team],
    actor: &str,
) -> ApiResult<Vec<Credential>> {
    let _guard = state.0.reload_lock.lock().await;
    check_new_teams(state, teams).await?;
    let creds = create_teams_locked(state, teams, actor).await?;
    state.reload().await?;
    Ok(creds)
}

/// Refuse a batch of teams before anything is written if any of them would conflict, so that a
/// refused batch creates no login whose password nobody saw.
async fn check_new_teams(state: &AppState, teams: &[Team]) -> ApiResult<()> {
    let existing = state.store().teams().await?;
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for t in teams {
        if !ids.insert(t.id.as_str()) {
            return Err(ApiError::conflict(
                "duplicate_team",
                format!("team id `{}` appears twice in this list", t.id),
            ));
        }
        if !names.insert(t.name.as_str()) {
            return Err(ApiError::conflict(
                "team_name_taken",
                format!("team name `{}` appears twice in this list", t.name),
            ));
        }
        if existing.iter().any(|e| e.name == t.name && e.slug != t.id) {
            return Err(ApiError::conflict(
                "team_name_taken",
                format!("another team is already called `{}`", t.name),
            ));
        }
        if !existing.iter().any(|e| e.slug == t.id)
            && state.store().user_by_name(&t.id).await?.is_some()
        {
            return Err(ApiError::conflict(
                "username_taken",
                format!(
                    "a login named `{}` exists already; give the team another id",
                    t.id
                ),
            ));
        }
    }
    Ok(())
}

async fn create_teams_locked(
    state: &AppState,
    teams: &[Team],
    actor: &str,
) -> ApiResult<Vec<Credential>> {
    let store = state.store();
    let mut creds = Vec::new();
    for t in teams {
        let now = state.now();
        let new = NewTeam {
            slug: t.id.clone(),
            name: t.name.clone(),
            organisation: t.organisation.clone(),
            members: t.members.clone(),
        };
        if store.team_by_slug(&t.id).await?.is_some() {
            store
                .upsert_team(&new, now)
                .await
                .map_err(|e| name_conflict(e, t))?;
            continue;
        }
        if store.user_by_name(&t.id).await?.is_some() {
            return Err(ApiError::conflict(
                "username_taken",
                format!(
                    "a login named `{}` exists already; give the team another id",
                    t.id
                ),
            ));
        }
        let password = new_password();
        let hash = hash_password(password.clone()).await?;
        let (token, token_hash, prefix) = new_api_token();
        store
            .create_team_with_login(&new, &hash, &token_hash, &prefix, now)
            .await
            .map_err(|e| name_conflict(e, t))?;
        store
            .audit(
                actor,
                "team.create",
                json!({"team": t.id, "name": t.name}),
                now,
            )
            .await?;
        creds.push(Credential {
            role: Role::Team,
            username: t.id.clone(),
            password,
            team: Some(t.name.clone()),
            team_token: Some(token),
        });
    }
    Ok(creds)
}

fn name_conflict(e: StoreError, t: &Team) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::conflict(
            "team_name_taken",
            format!("another team is already called `{}`", t.name),
        ),
        other => other.into(),
    }
}

/// Create an organiser or judge login. Without a password, one is generated.
pub async fn create_user(
    state: &AppState,
    username: &str,
    role: Role,
    password: Option<String>,
    actor: &str,
) -> ApiResult<Credential> {
    if role == Role::Team {
        return Err(ApiError::field(
            "role",
            "team logins are created with their team (`team import` or POST /api/v1/teams)",
        ));
    }
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid {
        return Err(ApiError::field(
            "username",
            "use 1 to 64 letters, digits, `-`, `_` or `.`",
        ));
    }
    let password = password.unwrap_or_else(new_password);
    if password.chars().count() < 10 {
        return Err(ApiError::field(
            "password",
            "a password needs at least 10 characters",
        ));
    }
    let hash = hash_password(password.clone()).await?;
    let now = state.now();
    state
        .store()
        .create_user(username, &hash, role.as_str(), None, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::conflict(
                "username_taken",
                format!("a login named `{username}` exists already"),
            ),
            other => other.into(),
        })?;
    state
        .store()
        .audit(
            actor,
            "user.create",
            json!({"username": username, "role": role}),
            now,
        )
        .await?;
    Ok(Credential {
        role,
        username: username.to_owned(),
        password,
        team: None,
        team_token: None,
    })
}

/// Make a judge a lead judge (who moderates disagreements between markers), or not.
pub async fn set_lead(state: &AppState, username: &str, lead: bool, actor: &str) -> ApiResult<()> {
    let user = state
        .store()
        .user_by_name(username)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no login named `{username}`")))?;
    if user.role != Role::Judge.as_str() {
        return Err(ApiError::field("lead", "only judges can be lead judges"));
    }
    state.store().set_lead(user.id, lead).await?;
    state
        .store()
        .audit(
            actor,
            "user.lead",
            json!({"username": username, "lead": lead}),
            state.now(),
        )
        .await?;
    Ok(())
}

/// Reset a login's password to a new random one.
pub async fn reset_password(
    state: &AppState,
    username: &str,
    actor: &str,
) -> ApiResult<Credential> {
    let user = state
        .store()
        .user_by_name(username)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no login named `{username}`")))?;
    let password = new_password();
    state
        .store()
        .set_password(user.id, &hash_password(password.clone()).await?)
        .await?;
    state
        .store()
        .audit(
            actor,
            "user.reset_password",
            json!({"username": username}),
            state.now(),
        )
        .await?;
    Ok(Credential {
        role: Role::parse(&user.role).unwrap_or(Role::Team),
        username: username.to_owned(),
        password,
        team: None,
        team_token: None,
    })
}

/// Disable a login (it can no longer sign in and its sessions end) or enable it again.
pub async fn set_disabled(
    state: &AppState,
    username: &str,
    disabled: bool,
    actor: &str,
) -> ApiResult<()> {
    let user = state
        .store()
        .user_by_name(username)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no login named `{username}`")))?;
    state.store().set_disabled(user.id, disabled).await?;
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    state
        .store()
        .audit(actor, action, json!({"username": username}), state.now())
        .await?;
    Ok(())
}

/// A change to the exercise clock.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockAction {
    /// Open submissions; the end is now + duration.
    Start,
    /// Refuse submissions until resumed.
    Pause,
    /// Open submissions again.
    Resume,
    /// Close the exercise now.
    End,
    /// Freeze the public board now.
    Freeze,
    /// Lift the freeze (show the live board to everyone).
    Unfreeze,
}

/// What may come with a clock action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockOptions {
    /// Why (recorded in the audit log).
    #[serde(default)]
    pub reason: Option<String>,
    /// With `resume`: move the end (and a freeze still to come) later by the time paused.
    #[serde(default)]
    pub extend: bool,
}

/// Longest reason kept with a clock action.
pub const MAX_REASON_CHARS: usize = 500;

/// Apply a clock action, checking it makes sense in the current state.
pub async fn clock(state: &AppState, action: ClockAction, actor: &str) -> ApiResult<ExerciseRow> {
    clock_with(state, action, actor, ClockOptions::default()).await
}

/// [`clock`] with a reason and, for `resume`, "extend by the paused time".
pub async fn clock_with(
    state: &AppState,
    action: ClockAction,
    actor: &str,
    opts: ClockOptions,
) -> ApiResult<ExerciseRow> {
    if opts.extend && action != ClockAction::Resume {
        return Err(ApiError::field(
            "extend",
            "only `resume` can extend the end by the time paused",
        ));
    }
    let reason = opts
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::field(
            "reason",
            format!("a reason is at most {MAX_REASON_CHARS} characters"),
        ));
    }
    // Serialised with scenario loads and inject releases: a reload running meanwhile must not
    // put back the row as it was before this change.
    let _guard = state.0.reload_lock.lock().await;
    let now = state.now();
    let (row, scenario) = {
        let live = state.live();
        (live.exercise.clone(), live.scenario.clone())
    };
    let (Some(row), Some(scenario)) = (row, scenario) else {
        return Err(ApiError::conflict("no_scenario", "load a scenario first"));
    };
    let current = status(&row, now);
    let wrong = |what: &str| {
        ApiError::conflict(
            "wrong_state",
            format!("cannot {what}: the exercise is {}", status_words(current)),
        )
    };
    let mut u = ExerciseUpdate::default();
    let mut extended = 0i64;
    match action {
        ClockAction::Start => {
            if current != Status::NotStarted {
                return Err(wrong("start"));
            }
            let ends = now + scenario.exercise.duration_seconds * 1000;
            u.status = Some("running".into());
            u.started_at = Some(Some(now));
            u.ends_at = Some(Some(ends));
            u.freeze_at = Some(
                scenario
                    .exercise
                    .freeze_before_end_seconds
                    .map(|f| ends - f * 1000),
            );
            u.freeze_released = Some(false);
        }
        ClockAction::Pause => {
            if current != Status::Running {
                return Err(wrong("pause"));
            }
            u.status = Some("paused".into());
            u.paused_at = Some(Some(now));
        }
        ClockAction::Resume => {
            if current != Status::Paused {
                return Err(wrong("resume"));
            }
            u.status = Some("running".into());
            u.paused_at = Some(None);
            if opts.extend {
                let paused = now - row.paused_at.unwrap_or(now).min(now);
                extended = paused;
                if let Some(ends) = row.ends_at {
                    u.ends_at = Some(Some(ends + paused));
                }
                // A freeze still to come moves with the end; one already reached stays.
                if let Some(f) = row.freeze_at
                    && f > row.paused_at.unwrap_or(now)
                {
                    u.freeze_at = Some(Some(f + paused));
                }
            }
        }
        ClockAction::End => {
            if !matches!(current, Status::Running | Status::Paused) {
                return Err(wrong("end"));
            }
            u.status = Some("ended".into());
            u.ends_at = Some(Some(row.ends_at.map_or(now, |e| e.min(now))));
        }
        ClockAction::Freeze => {
            u.freeze_at = Some(Some(now));
            u.freeze_released = Some(false);
        }
        ClockAction::Unfreeze => u.freeze_released = Some(true),
    }
    let row = state.store().update_exercise(u, now).await?;
    state
        .store()
        .audit(
            actor,
            "exercise.clock",
            {
                let mut d = json!({"action": action_name(action)});
                if let Some(r) = reason {
                    d["reason"] = json!(r);
                }
                if opts.extend {
                    d["extended_ms"] = json!(extended);
                }
                d
            },
            now,
        )
        .await?;
    if action == ClockAction::Start {
        // Report deadlines count from the actual start: rebuild the scoring rules.
        state.reload().await?;
    } else {
        state.reload_exercise().await?;
    }
    Ok(row)
}

/// Move the end (and a freeze still to come) later by `minutes`.
pub async fn extend(state: &AppState, minutes: i64, actor: &str) -> ApiResult<ExerciseRow> {
    if !(1..=7 * 24 * 60).contains(&minutes) {
        return Err(ApiError::field("minutes", "extend by 1 to 10080 minutes"));
    }
    let _guard = state.0.reload_lock.lock().await;
    let now = state.now();
    let row = state
        .live()
        .exercise
        .clone()
        .ok_or_else(|| ApiError::conflict("no_scenario", "load a scenario first"))?;
    let current = status(&row, now);
    if current == Status::NotStarted {
        return Err(ApiError::conflict(
            "wrong_state",
            "the exercise has not started; its length comes from the scenario",
        ));
    }
    let delta = minutes * 60_000;
    // An end already in the past (ended, or paused past it) is counted from now.
    let ends = row.ends_at.unwrap_or(now).max(now) + delta;
    let mut u = ExerciseUpdate {
        ends_at: Some(Some(ends)),
        ..Default::default()
    };
    if let Some(f) = row.freeze_at
        && f > now
    {
        u.freeze_at = Some(Some(f + delta));
    }
    if row.status == "ended" {
        u.status = Some("running".into());
    }
    let row = state.store().update_exercise(u, now).await?;
    state
        .store()
        .audit(actor, "exercise.extend", json!({"minutes": minutes}), now)
        .await?;
    state.reload_exercise().await?;
    Ok(row)
}

fn action_name(a: ClockAction) -> &'static str {
    match a {
        ClockAction::Start => "start",
        ClockAction::Pause => "pause",
        ClockAction::Resume => "resume",
        ClockAction::End => "end",
        ClockAction::Freeze => "freeze",
        ClockAction::Unfreeze => "unfreeze",
    }
}

/// How a status reads in a sentence.
pub fn status_words(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "not started yet",
        Status::Running => "running",
        Status::Paused => "paused",
        Status::Ended => "over",
    }
}
