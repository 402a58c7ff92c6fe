//! Checker jobs run by worker processes (`drillboard worker`), on machines that reach the
//! database and the teams' network. While a worker is registered (heard from in the last
//! [`WORKER_SEEN_MS`]), the ticker queues each round's jobs in the database instead of running
//! them itself, and waits for their results until the round's end. A worker claims jobs up to
//! its capacity with a lease it renews while it runs them; a worker that dies loses its lease,
//! and another worker runs the job again if the round still has time. A job without a result at
//! the round's end is a checker failure (CHECKER_ERROR, never the team's fault), counted once:
//! the database takes one result per job, from the worker that holds it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drillboard_gameserver::round::{Alert, Job, JobResult, Planted, State, run_job};
use drillboard_scenario::msg;
use drillboard_store::{Store, WorkerRow};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::error::ApiResult;
use crate::state::AppState;

/// A worker heard from within this long is registered.
pub const WORKER_SEEN_MS: i64 = 10_000;

/// How long a claimed job stays a worker's without news from it.
pub const LEASE_MS: i64 = 10_000;

/// How often a worker says it is alive and renews its leases.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// What a worker is given: the job, and the round's start and end on the wall clock (ms).
#[derive(Debug, Serialize, Deserialize)]
pub struct Spec {
    /// The checks to run.
    pub job: Job,
    /// When the round started; the job starts at this plus its offset.
    pub start_at: i64,
    /// When the round ends; a job not started by then is not started.
    pub deadline: i64,
}

/// Now on the wall clock (ms): leases and worker heartbeats are kept in it, whatever the
/// exercise clock says.
pub fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Whether `w` counts as registered at `now` (wall clock): heard from in the last
/// [`WORKER_SEEN_MS`].
pub fn alive(w: &WorkerRow, now: i64) -> bool {
    w.seen_at >= now - WORKER_SEEN_MS
}

/// How many workers are registered now.
pub async fn registered(store: &Store) -> ApiResult<usize> {
    let now = wall_ms();
    Ok(store
        .workers()
        .await?
        .iter()
        .filter(|w| alive(w, now))
        .count())
}

/// Queue `jobs` of `round` for the workers and wait for their results, at most `length`.
/// Returns a result per job, in job order.
pub async fn dispatch(
    state: &AppState,
    round: u32,
    jobs: Vec<Job>,
    length: Duration,
) -> ApiResult<Vec<JobResult>> {
    let store = state.store();
    let start_at = wall_ms();
    let deadline = start_at + length.as_millis() as i64;
    let specs = jobs
        .iter()
        .map(|job| {
            let spec = Spec {
                job: job.clone(),
                start_at,
                deadline,
            };
            Ok((
                job.team.clone(),
                job.service.clone(),
                serde_json::to_string(&spec).map_err(anyhow::Error::from)?,
                start_at + job.offset.as_millis() as i64,
            ))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    store.queue_jobs(round, &specs, state.now()).await?;
    let until = tokio::time::Instant::now() + length;
    loop {
        let rows = store.jobs_of(round).await?;
        if rows.iter().all(|r| r.status == "done") || tokio::time::Instant::now() >= until {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rows = store.close_jobs(round).await?;
    Ok(jobs
        .iter()
        .map(|job| {
            let row = rows
                .iter()
                .find(|r| r.team == job.team && r.service == job.service);
            let result = row
                .filter(|r| r.status == "done")
                .and_then(|r| r.result.as_deref())
                .and_then(|r| serde_json::from_str::<JobResult>(r).ok());
            result.unwrap_or_else(|| late(job))
        })
        .collect())
}

/// The result of a job no worker finished within the round: the organisers' problem.
fn late(job: &Job) -> JobResult {
    JobResult {
        team: job.team.clone(),
        service: job.service.clone(),
        state: State::CheckerError,
        public: String::new(),
        private: "[drillboard] no worker finished this job within the round".into(),
        alert: Some(Alert {
            step: "start".into(),
            what: msg!(
                "no_worker_finished",
                "no checker worker finished the job within the round"
            ),
            decided: msg!("decided_checker_error", "checker_error"),
            tail: String::new(),
        }),
        took: None,
    }
}

/// Run jobs from the database until `stop` resolves: at most `capacity` at once, heard from
/// every [`HEARTBEAT`] as `name`.
pub async fn work(
    store: Store,
    name: String,
    capacity: usize,
    stop: impl std::future::Future<Output = ()>,
) {
    let running: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let mut beat = tokio::time::interval(HEARTBEAT);
    let mut poll = tokio::time::interval(Duration::from_millis(200));
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = beat.tick() => {
                let ids: Vec<i64> = running.lock().unwrap_or_else(|e| e.into_inner()).iter().copied().collect();
                let now = wall_ms();
                if let Err(e) = store.worker_seen(&name, capacity as i32, ids.len() as i32, now).await {
                    tracing::warn!(error = %e, "cannot tell the database this worker is alive");
                }
                if let Err(e) = store.renew_jobs(&name, &ids, now + LEASE_MS).await {
                    tracing::warn!(error = %e, "cannot renew the leases of running jobs");
                }
            }
            _ = poll.tick() => {
                let free = capacity.saturating_sub(running.lock().unwrap_or_else(|e| e.into_inner()).len());
                if free == 0 {
                    continue;
                }
                let now = wall_ms();
                let claimed = match store.claim_jobs(&name, free as u32, now + LEASE_MS, now).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot claim checker jobs");
                        continue;
                    }
                };
                for row in claimed {
                    let id = row.id;
                    running.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
                    let (store, name, running) = (store.clone(), name.clone(), running.clone());
                    tokio::spawn(async move {
                        run_claimed(&store, &name, row).await;
                        running.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                    });
                }
            }
        }
    }
}

/// Run one claimed job and hand its result back; its planted flags are stored as they happen.
async fn run_claimed(store: &Store, name: &str, row: drillboard_store::JobRow) {
    let spec: Spec = match serde_json::from_str(&row.spec) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(job = row.id, error = %e, "a checker job this worker cannot read");
            return;
        }
    };
    let wait = spec.start_at + spec.job.offset.as_millis() as i64 - wall_ms();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
    let left = spec.deadline - wall_ms();
    if left <= 0 {
        return;
    }
    let round = spec.job.task.round;
    let (tx, mut rx) = mpsc::unbounded_channel::<Planted>();
    let saver = {
        let store = store.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let f = crate::game::ticker::planted_flag(round, p, wall_ms());
                if let Err(e) = store.save_flag(&f).await {
                    tracing::error!(error = %e, "a planted flag could not be stored");
                }
            }
        })
    };
    let result =
        tokio::time::timeout(Duration::from_millis(left as u64), run_job(&spec.job, &tx)).await;
    drop(tx);
    let _ = saver.await;
    let Ok(result) = result else {
        return;
    };
    let json = match serde_json::to_string(&result) {
        Ok(j) => j,
        Err(e) => {
            tracing::error!(job = row.id, error = %e, "a result this worker cannot write");
            return;
        }
    };
    match store.finish_job(row.id, name, &json, wall_ms()).await {
        Ok(true) => {}
        Ok(false) => tracing::info!(
            job = row.id,
            "the job was closed or taken over before it finished"
        ),
        Err(e) => tracing::warn!(job = row.id, error = %e, "cannot hand the result back"),
    }
}
