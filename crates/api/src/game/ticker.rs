//! The round ticker: while the exercise runs, start a round every `round_length`, run the
//! checkers of every team and service, store planted flags as they are planted and the verdicts
//! when the round ends.
//!
//! Rounds are numbered in the database, one after another: a round is started by inserting its
//! row (a second ticker racing for the same number loses), so none runs twice. A round still
//! marked running when the ticker starts was cut short by a crash or a restart: it is closed as
//! `interrupted` (no verdicts, which costs no team anything) and the next number follows, so
//! none is skipped silently. A pause interrupts the running round the same way and no round
//! starts until the exercise resumes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use drillboard_gameserver::checker::{Action, Runner, Task};
use drillboard_gameserver::flags::FlagInfo;
use drillboard_gameserver::round::{
    Get, Job, JobResult, OnFailure, Planted, Put, State, run_round, spread,
};
use drillboard_scenario::{Msg, msg};
use drillboard_scoring::{EventKind, ServiceState};
use drillboard_store::{NewCheck, NewEvent, NewFlag, StoreError};
use serde_json::json;
use tokio::sync::mpsc;

use crate::error::ApiResult;
use crate::ops::{Status, status};
use crate::state::AppState;

/// Bytes kept of each checker's stdout and stderr.
const OUTPUT_LIMIT: usize = 16 * 1024;

/// How a round ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RoundEnd {
    /// Every verdict is stored.
    Done(Vec<JobResult>),
    /// The exercise stopped running during the round: no verdicts.
    Interrupted,
}

/// Run the round ticker for as long as the process runs. On PostgreSQL several replicas may
/// call this: one at a time holds the ticker lease and plays the rounds; the others follow the
/// rounds it plays and take over within about a second when it stops or dies.
pub async fn run(state: AppState) {
    loop {
        let lease = elect(&state).await;
        lead(&state, lease).await;
    }
}

/// Wait until this process holds the ticker lease, following the rounds another plays.
async fn elect(state: &AppState) -> drillboard_store::TickerLease {
    let mut told = false;
    loop {
        match state.store().ticker_lease().await {
            Ok(Some(lease)) => {
                if told {
                    tracing::info!("this replica runs the round ticker now");
                }
                return lease;
            }
            Ok(None) => {
                if !told {
                    tracing::info!("another replica runs the round ticker; following its rounds");
                    told = true;
                }
                follow_round(state).await;
            }
            Err(e) => tracing::warn!(error = %e, "cannot ask for the ticker lease"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Play rounds while `lease` is held.
async fn lead(state: &AppState, mut lease: drillboard_store::TickerLease) {
    if let Err(e) = close_stale_round(state).await {
        tracing::error!(error = %e, "cannot close the round left by the previous run");
    }
    // A round that failed (its results could not be stored: a full disk) is closed as
    // interrupted as soon as the database takes writes again, so it never stays "running".
    let mut failed = false;
    let mut checked = std::time::Instant::now();
    loop {
        if checked.elapsed() >= Duration::from_secs(2) {
            if !lease.held().await {
                tracing::warn!("the ticker lease was lost (database connection); electing again");
                return;
            }
            checked = std::time::Instant::now();
        }
        if failed {
            match close_stale_round(state).await {
                Ok(()) => failed = false,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot close the failed round yet");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        let due = next_round_due(state);
        match due {
            Some((length, at)) if at <= state.now() => {
                // The first round is due at once: no lag.
                let lag = if at > 0 {
                    (state.now() - at).max(0) as u64
                } else {
                    0
                };
                state.0.metrics.round_started(Duration::from_millis(lag));
                match play_round(state, length).await {
                    Ok(Some((n, RoundEnd::Done(r)))) => {
                        tracing::info!(round = n, verdicts = r.len(), "round done")
                    }
                    Ok(Some((n, RoundEnd::Interrupted))) => {
                        tracing::info!(round = n, "round interrupted")
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "round failed");
                        failed = true;
                    }
                }
            }
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// (round length, when the next round may start) if the exercise runs and has services.
fn next_round_due(state: &AppState) -> Option<(Duration, i64)> {
    let live = state.live();
    let row = live.exercise.as_ref()?;
    let ad = live.scenario.as_ref()?.attack_defense.as_ref()?;
    if status(row, state.now()) != Status::Running {
        return None;
    }
    let length = ad.round_seconds * 1000;
    let at = live
        .ad
        .as_ref()
        .and_then(|a| a.round.as_ref())
        .map_or(0, |r| r.started_at + length);
    Some((Duration::from_millis(length as u64), at))
}

/// Close a round that a previous process left running.
pub async fn close_stale_round(state: &AppState) -> ApiResult<()> {
    let Some(last) = state.store().last_round().await? else {
        return Ok(());
    };
    if last.status != "running" {
        return Ok(());
    }
    let now = state.now();
    let row = state
        .store()
        .end_round(last.number as u32, "interrupted", now)
        .await?;
    state
        .store()
        .audit(
            "ticker",
            "round.interrupted",
            json!({"round": last.number, "why": "the server stopped during the round, or its results could not be stored"}),
            now,
        )
        .await?;
    set_round(state, row);
    Ok(())
}

fn set_round(state: &AppState, row: drillboard_store::RoundRow) {
    let mut live = state.live_mut();
    if let Some(ad) = live.ad.as_mut() {
        ad.round = Some(row);
        live.changes.notify(crate::changes::Kind::Rounds);
    }
}

/// Play the next round now, lasting at most `length`. `None` when there is nothing to play (no
/// attack/defend part, the exercise is not running, or another ticker took this round).
pub async fn play_round(state: &AppState, length: Duration) -> ApiResult<Option<(u32, RoundEnd)>> {
    let now = state.now();
    let (scenario, teams, last) = {
        let live = state.live();
        let running = live
            .exercise
            .as_ref()
            .is_some_and(|r| status(r, now) == Status::Running);
        match (&live.scenario, &live.ad) {
            (Some(s), Some(ad)) if running && s.attack_defense.is_some() => {
                (s.clone(), live.teams.clone(), ad.round_number())
            }
            _ => return Ok(None),
        }
    };
    let Some(rules) = scenario.attack_defense.as_ref() else {
        return Ok(None);
    };
    let number = last + 1;
    let row = match state.store().begin_round(number, now).await {
        Ok(r) => r,
        Err(StoreError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    set_round(state, row);
    let key = state
        .live()
        .ad
        .as_ref()
        .map(|a| a.key.clone())
        .ok_or_else(|| anyhow::anyhow!("the attack/defend state vanished"))?;

    // Flags still alive from earlier rounds, to read back.
    let first_alive = crate::game::first_alive_round(number, rules.flag_lifetime_rounds);
    let mut alive: HashMap<(String, String, u8), Vec<Get>> = HashMap::new();
    for f in state.store().flags_since(first_alive).await? {
        if f.planted && (f.round as u32) < number {
            alive
                .entry((f.team.clone(), f.service.clone(), f.place as u8))
                .or_default()
                .push(Get {
                    round: f.round as u32,
                    place: f.place as u8,
                    flag: f.flag.clone(),
                    private_id: f.private_id.clone().unwrap_or(f.flag_id.clone()),
                });
        }
    }

    let mut jobs = Vec::new();
    for (index, team) in teams.iter().enumerate() {
        if team.hidden {
            continue;
        }
        for (si, svc) in scenario.services.iter().enumerate() {
            let runner = Arc::new(Runner {
                command: svc.checker.clone(),
                http: svc.checker_http.clone(),
                timeout: Duration::from_secs(svc.timeout_seconds as u64),
                output_limit: OUTPUT_LIMIT,
            });
            // A command-line checker's `check`; an ENOWARS checker's noise (put, then read back)
            // and havoc variants.
            let pre = if svc.checker_http.is_some() {
                (0..svc.noise)
                    .flat_map(|v| {
                        [
                            Action::PutNoise { variant: v },
                            Action::GetNoise { variant: v },
                        ]
                    })
                    .chain((0..svc.havoc).map(|v| Action::Havoc { variant: v }))
                    .collect()
            } else {
                vec![Action::Check]
            };
            let mut puts = Vec::new();
            let mut gets = Vec::new();
            for place in 1..=svc.places {
                let flag = key.make(FlagInfo {
                    round: number,
                    team: team.id as u16,
                    service: si as u8,
                    place,
                });
                let put = Put {
                    place,
                    flag: flag.clone(),
                    flag_id: format!("{}-{}", svc.id, crate::game::random_hex::<6>()),
                };
                // This round's flag is read back in this round (FAUST: a service that loses it is
                // CORRUPT), and one earlier flag still valid, picked at random (losing it is
                // RECOVERING).
                gets.push(Get {
                    round: number,
                    place,
                    flag,
                    private_id: put.flag_id.clone(),
                });
                if let Some(list) = alive.get(&(team.slug.clone(), svc.id.clone(), place))
                    && !list.is_empty()
                {
                    let pick = u16::from_le_bytes(crate::auth::random_bytes::<2>()) as usize;
                    gets.push(list[pick % list.len()].clone());
                }
                puts.push(put);
            }
            let host = svc.host_for(&team.slug, index + 1);
            jobs.push(Job {
                task: Task {
                    round: number,
                    related_round: number,
                    team_id: team.id as u32,
                    team_name: team.name.clone(),
                    service: si as u32,
                    round_ms: rules.round_seconds as u64 * 1000,
                },
                pre,
                team: team.slug.clone(),
                service: svc.id.clone(),
                on_failure: on_failure(&svc.on_checker_failure, &host),
                host,
                runner,
                puts,
                gets,
                offset: Duration::ZERO,
            });
        }
    }
    // Spread the starts over the round, in a random order, keeping time for every step to time
    // out once before the round ends.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    for i in (1..order.len()).rev() {
        let j = u32::from_le_bytes(crate::auth::random_bytes::<4>()) as usize % (i + 1);
        order.swap(i, j);
    }
    let budgets: Vec<Duration> = jobs
        .iter()
        .map(|j| j.runner.timeout * (j.pre.len() + j.puts.len() + j.gets.len()).max(1) as u32)
        .collect();
    let budget = budgets.into_iter().max().unwrap_or_default();
    for (job, offset) in jobs
        .iter_mut()
        .zip(spread(order.len(), length, budget, &order))
    {
        job.offset = offset;
    }

    // Planted flags are stored as they happen, so farms see their ids during the round.
    let (tx, mut rx) = mpsc::unbounded_channel::<Planted>();
    let saver = {
        let state = state.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let f = planted_flag(number, p, state.now());
                if let Err(e) = state.store().save_flag(&f).await {
                    tracing::error!(error = %e, "a planted flag could not be stored");
                }
            }
        })
    };
    let deadline = tokio::time::Instant::now() + length;
    let concurrency = state.0.settings.checker_concurrency;
    let described = describe_services(state, &scenario.services);
    // With checker workers registered, they run the jobs; else this process does.
    let remote = crate::game::workers::registered(state.store()).await? > 0;
    let outcome = if remote {
        drop(tx);
        tokio::select! {
            results = crate::game::workers::dispatch(state, number, jobs, length) => Some(results?),
            _ = stopped(state) => {
                state.store().close_jobs(number).await?;
                None
            }
        }
    } else {
        tokio::select! {
            results = run_round(jobs, concurrency, deadline, tx) => Some(results),
            _ = stopped(state) => None,
        }
    };
    let _ = saver.await;
    let end = state.now();
    let Some(results) = outcome else {
        let row = state.store().end_round(number, "interrupted", end).await?;
        state
            .store()
            .audit(
                "ticker",
                "round.interrupted",
                json!({"round": number, "why": "the exercise stopped running during the round"}),
                end,
            )
            .await?;
        set_round(state, row);
        return Ok(Some((number, RoundEnd::Interrupted)));
    };
    record_verdicts(state, number, &results, end).await?;
    for r in &results {
        state.0.metrics.verdict(&r.service, r.state.name(), r.took);
    }
    let row = state.store().end_round(number, "done", end).await?;
    set_round(state, row);
    // Alerts after the round is closed: they never hold up or undo a round. The checkers'
    // descriptions were asked for at the start; one not back yet is left out.
    let problems = match tokio::time::timeout(Duration::from_secs(1), described).await {
        Ok(Ok(p)) => p,
        _ => Vec::new(),
    };
    if let Err(e) = raise_alerts(state, number, &results, problems, end).await {
        tracing::error!(round = number, error = %e, "the round's checker alerts could not be stored");
    }
    Ok(Some((number, RoundEnd::Done(results))))
}

/// The row that keeps a planted flag of `round` (attackers are shown the checker's attack info
/// instead of the flag id when it gave one).
pub fn planted_flag(round: u32, p: Planted, at: i64) -> NewFlag {
    NewFlag {
        round,
        team: p.team,
        service: p.service,
        place: p.put.place,
        flag: p.put.flag,
        flag_id: p.public_id.unwrap_or(p.put.flag_id),
        private_id: p.private_id,
        planted: p.ok,
        at,
    }
}

/// The policy for a failed checker of a service whose instance is at `host`. A probe needs a
/// port: the loader refuses `probe` without one, but a `hosts` entry may still lack it, and then
/// the failure is counted as up (as before policies existed).
fn on_failure(policy: &str, host: &str) -> OnFailure {
    match policy {
        "down" => OnFailure::Down,
        "probe" if drillboard_scenario::has_port(host) => OnFailure::Probe(host.to_owned()),
        _ => OnFailure::Up,
    }
}

/// Resolves when the exercise is no longer running.
async fn stopped(state: &AppState) {
    loop {
        let running = state
            .live()
            .exercise
            .as_ref()
            .is_some_and(|r| status(r, state.now()) == Status::Running);
        if !running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn scoring_state(s: State) -> ServiceState {
    match s {
        State::Ok => ServiceState::Ok,
        State::Recovering => ServiceState::Recovering,
        State::Corrupt => ServiceState::Corrupt,
        State::Mumble => ServiceState::Mumble,
        State::Down => ServiceState::Down,
        State::CheckerError => ServiceState::CheckerError,
    }
}

/// Store a round's verdicts (messages and events) and feed them to the live board.
async fn record_verdicts(
    state: &AppState,
    round: u32,
    results: &[JobResult],
    at: i64,
) -> ApiResult<()> {
    let checks: Vec<NewCheck> = results
        .iter()
        .map(|r| NewCheck {
            round,
            team: r.team.clone(),
            service: r.service.clone(),
            state: r.state.name().to_owned(),
            public: r.public.clone(),
            private: r.private.clone(),
            at,
        })
        .collect();
    state.store().save_checks(&checks).await?;
    let events: Vec<NewEvent> = results
        .iter()
        .map(|r| NewEvent {
            at,
            team: r.team.clone(),
            kind: EventKind::ServiceChecked {
                service: r.service.clone(),
                round,
                state: scoring_state(r.state),
            },
            actor: Some("ticker".into()),
        })
        .collect();
    let stored = state.store().append_events(&events).await?;
    let mut live = state.live_mut();
    for e in stored.iter().flatten() {
        live.apply(e);
        if let Some(ad) = live.ad.as_mut() {
            ad.note(e, None);
        }
    }
    Ok(())
}

/// Ask every ENOWARS checker what it is (`GET /service`), while the round plays: a checker that
/// does not answer, or whose flag, noise or havoc variants differ from the scenario's `places`,
/// `noise` and `havoc`, is a (service, problem) alert. The scenario's counts are played either
/// way: they are what the drill was announced with.
fn describe_services(
    state: &AppState,
    services: &[drillboard_scenario::Service],
) -> tokio::task::JoinHandle<Vec<(String, Msg)>> {
    let state = state.clone();
    let wanted: Vec<(String, String, [u32; 3], Duration)> = services
        .iter()
        .filter_map(|s| {
            let url = s.checker_http.clone()?;
            Some((
                s.id.clone(),
                url,
                [s.places as u32, s.noise as u32, s.havoc as u32],
                Duration::from_secs(s.timeout_seconds as u64),
            ))
        })
        .collect();
    tokio::spawn(async move {
        let asks = wanted.into_iter().map(|(id, url, want, timeout)| async move {
            let wait = timeout.min(Duration::from_secs(5));
            let problem = match drillboard_gameserver::enowars::info(&url, wait).await {
                Ok(i) => {
                    let got = [i.flag_variants, i.noise_variants, i.havoc_variants];
                    (got != want).then(|| msg!(
                        "checker_variants",
                        "the checker at {url} has {flags} flag, {noise} noise and {havoc} havoc variants; the scenario plays {places} places, {want_noise} noise and {want_havoc} havoc",
                        url = &url,
                        flags = got[0],
                        noise = got[1],
                        havoc = got[2],
                        places = want[0],
                        want_noise = want[1],
                        want_havoc = want[2]
                    ))
                }
                Err(e) => Some(e),
            };
            (id, problem)
        });
        let answers = futures_util::future::join_all(asks).await;
        // A problem is told once, and again only when it changes (or after it went away).
        let mut told = state
            .0
            .checker_problems
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut problems = Vec::new();
        for (id, problem) in answers {
            match problem {
                Some(p) if told.get(&id) != Some(&p.text) => {
                    told.insert(id.clone(), p.text.clone());
                    problems.push((id, p));
                }
                Some(_) => {}
                None => {
                    told.remove(&id);
                }
            }
        }
        problems
    })
}

/// The audit action of a checker alert.
pub const ALERT_ACTION: &str = "checker.alert";

/// Tell the organisers at once about every checker that failed or answered CHECKER_ERROR this
/// round: one alert per service, naming each team, the step, what went wrong, how the policy
/// decided it and the tail of the checker's stderr, so they can void the round.
async fn raise_alerts(
    state: &AppState,
    round: u32,
    results: &[JobResult],
    problems: Vec<(String, Msg)>,
    at: i64,
) -> ApiResult<()> {
    for (service, problem) in &problems {
        tracing::warn!(round, service, problem = problem.text, "checker alert");
        state
            .store()
            .audit(
                "ticker",
                ALERT_ACTION,
                json!({
                    "round": round, "service": service, "teams": [], "problem": problem.text,
                    "problem_code": problem.code, "problem_params": problem.params,
                }),
                at,
            )
            .await?;
    }
    let mut by_service: Vec<(&str, Vec<serde_json::Value>)> = Vec::new();
    for r in results {
        let Some(a) = &r.alert else { continue };
        let entry = json!({
            "team": r.team, "state": r.state.name(), "step": a.step,
            "what": a.what.text, "what_code": a.what.code, "what_params": a.what.params,
            "decided": a.decided.text, "decided_code": a.decided.code,
            "decided_params": a.decided.params, "stderr": a.tail,
        });
        match by_service.iter_mut().find(|(s, _)| *s == r.service) {
            Some((_, list)) => list.push(entry),
            None => by_service.push((&r.service, vec![entry])),
        }
    }
    if by_service.is_empty() {
        if !problems.is_empty() {
            state.changes().notify(crate::changes::Kind::Alerts);
        }
        return Ok(());
    }
    for (service, teams) in by_service {
        tracing::warn!(round, service, teams = teams.len(), "checker alert");
        state
            .store()
            .audit(
                "ticker",
                ALERT_ACTION,
                json!({"round": round, "service": service, "teams": teams}),
                at,
            )
            .await?;
    }
    state.changes().notify(crate::changes::Kind::Alerts);
    Ok(())
}

/// On a replica that does not run the ticker: follow the rounds another replica plays, so that
/// flags are judged against the current round.
pub async fn follow(state: AppState) {
    loop {
        follow_round(&state).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Take the current round from the database if another process started or ended one.
async fn follow_round(state: &AppState) {
    match state.store().last_round().await {
        Ok(Some(row)) => {
            let newer = state
                .live()
                .ad
                .as_ref()
                .is_some_and(|a| a.round.as_ref() != Some(&row));
            if newer {
                set_round(state, row);
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read the current round"),
    }
}
