//! Checker workers: with one registered, the ticker queues the round's jobs in the database and
//! the workers run them; a job whose worker died is run again by another; a job nobody finished
//! is a checker failure, counted once.

use std::time::Duration;

use drillboard_api::game::{ticker, workers};
use drillboard_gameserver::round::State;

use crate::both;
use crate::helpers::{Backend, TestApp};

both!(
    checker_workers_run_the_rounds_jobs,
    a_job_whose_worker_died_is_run_again,
    a_job_no_worker_finished_is_a_checker_failure,
    a_renewed_lease_keeps_a_job_with_its_worker,
);

fn scenario(dir: &std::path::Path) -> String {
    // Each team's "service" is a file: put appends the flag, get finds it.
    let checker = format!(
        "d={}/$2; case $1 in check) exit 101;; put) echo $4 >> $d; exit 101;; get) grep -qx $4 $d && exit 101; exit 102;; esac",
        dir.display()
    );
    format!(
        r#"
version: 1
exercise:
  id: workers
  title: Workers
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
teams:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
  - {{id: charlie, name: Charlie}}
attack_defense:
  round_length: 30s
services:
  - id: notes
    checker: [sh, -c, '{checker}', checker]
    timeout: 1s
    host: "{{team}}.drill.internal"
"#
    )
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Start a worker in this process; stop it by dropping the sender.
fn worker(app: &TestApp, name: &str, capacity: usize) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(workers::work(
        app.state.store().clone(),
        name.to_owned(),
        capacity,
        async move {
            let _ = stopped.await;
        },
    ));
    stop
}

async fn until_registered(app: &TestApp, n: usize) {
    for _ in 0..100 {
        if workers::registered(app.state.store()).await.unwrap() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the worker never registered");
}

async fn play(
    app: &TestApp,
    length: Duration,
) -> (u32, Vec<drillboard_gameserver::round::JobResult>) {
    match ticker::play_round(&app.state, length).await.unwrap() {
        Some((n, ticker::RoundEnd::Done(r))) => (n, r),
        other => panic!("no round was played: {other:?}"),
    }
}

async fn checker_workers_run_the_rounds_jobs(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (app, organiser, _) = TestApp::started_with(backend, &scenario(dir.path())).await;
    let _w1 = worker(&app, "w1", 2);
    let _w2 = worker(&app, "w2", 2);
    until_registered(&app, 2).await;
    for round in 1..=2u32 {
        let (n, results) = play(&app, Duration::from_secs(6)).await;
        assert_eq!(n, round);
        assert_eq!(results.len(), 3);
        // Round 2 reads back round 1's flags, planted by the workers.
        assert!(results.iter().all(|r| r.state == State::Ok), "{results:?}");
        let jobs = app.state.store().jobs_of(n).await.unwrap();
        assert_eq!(jobs.len(), 3);
        assert!(
            jobs.iter().all(|j| j.status == "done" && j.attempts == 1),
            "{jobs:?}"
        );
        assert!(
            jobs.iter()
                .all(|j| matches!(j.worker.as_deref(), Some("w1" | "w2")))
        );
        assert_eq!(app.state.store().checks_in(n).await.unwrap().len(), 3);
    }
    let flags = app.state.store().flags_since(1).await.unwrap();
    assert_eq!(flags.iter().filter(|f| f.planted).count(), 6, "{flags:?}");
    // Organisers see the workers and how the last round's jobs went.
    let (s, body) = app.get("/api/v1/workers", Some(&organiser)).await;
    assert_eq!(s, axum::http::StatusCode::OK, "{body}");
    assert_eq!(body["workers"].as_array().unwrap().len(), 2, "{body}");
    assert!(
        body["workers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["alive"] == true)
    );
    assert_eq!(body["last_round"]["round"], 2, "{body}");
    assert_eq!(body["last_round"]["done"], 3, "{body}");
    assert_eq!(body["queued"], 0);
    app.finish().await;
}

async fn a_job_whose_worker_died_is_run_again(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, _) = TestApp::started_with(backend, &scenario(dir.path())).await;
    let store = app.state.store().clone();
    // A worker that registers, takes one job with a short lease, and is never heard of again.
    store.worker_seen("dead", 1, 0, wall_ms()).await.unwrap();
    let round = {
        let state = app.state.clone();
        tokio::spawn(async move { ticker::play_round(&state, Duration::from_secs(8)).await })
    };
    let taken = loop {
        let now = wall_ms();
        let got = store.claim_jobs("dead", 1, now + 300, now).await.unwrap();
        if let Some(j) = got.into_iter().next() {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let _w1 = worker(&app, "w1", 4);
    let Some((n, ticker::RoundEnd::Done(results))) = round.await.unwrap().unwrap() else {
        panic!("no round");
    };
    assert!(results.iter().all(|r| r.state == State::Ok), "{results:?}");
    let jobs = store.jobs_of(n).await.unwrap();
    let again = jobs.iter().find(|j| j.id == taken.id).unwrap();
    assert_eq!(
        (
            again.attempts,
            again.worker.as_deref(),
            again.status.as_str()
        ),
        (2, Some("w1"), "done")
    );
    // The dead worker's result, should it come after all, is not taken: counted once.
    assert!(
        !store
            .finish_job(taken.id, "dead", "{}", wall_ms())
            .await
            .unwrap()
    );
    assert_eq!(store.checks_in(n).await.unwrap().len(), 3);
    app.finish().await;
}

async fn a_job_no_worker_finished_is_a_checker_failure(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, _) = TestApp::started_with(backend, &scenario(dir.path())).await;
    let store = app.state.store().clone();
    store.worker_seen("silent", 4, 0, wall_ms()).await.unwrap();
    let (n, results) = play(&app, Duration::from_secs(1)).await;
    assert_eq!(results.len(), 3);
    for r in &results {
        assert_eq!(r.state, State::CheckerError, "{r:?}");
        assert_eq!(r.alert.as_ref().unwrap().what.code, "no_worker_finished");
    }
    let jobs = store.jobs_of(n).await.unwrap();
    assert!(jobs.iter().all(|j| j.status == "late"), "{jobs:?}");
    // Closed: no worker takes them any more.
    let now = wall_ms();
    assert!(
        store
            .claim_jobs("late-comer", 10, now + 1000, now)
            .await
            .unwrap()
            .is_empty()
    );
    app.finish().await;
}

async fn a_renewed_lease_keeps_a_job_with_its_worker(backend: Backend) {
    let app = TestApp::empty(backend).await;
    let store = app.state.store().clone();
    let now = wall_ms();
    let jobs: Vec<(String, String, String, i64)> = ["alpha", "bravo"]
        .iter()
        .map(|t| (t.to_string(), "notes".into(), "{}".into(), now))
        .collect();
    store.queue_jobs(99, &jobs, now).await.unwrap();
    let taken = store.claim_jobs("a", 2, now + 200, now).await.unwrap();
    assert_eq!(taken.len(), 2);
    let ids: Vec<i64> = taken.iter().map(|j| j.id).collect();
    // Renewed by its worker: still its own after the first lease ran out; another worker's
    // renewal changes nothing.
    store.renew_jobs("a", &ids, now + 60_000).await.unwrap();
    store.renew_jobs("b", &ids, now).await.unwrap();
    let later = now + 1_000;
    assert!(
        store
            .claim_jobs("b", 2, later + 10_000, later)
            .await
            .unwrap()
            .is_empty()
    );
    // Not renewed (the lease put back in the past): the other worker takes both.
    store.renew_jobs("a", &ids, now).await.unwrap();
    let again = store
        .claim_jobs("b", 2, later + 10_000, later)
        .await
        .unwrap();
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), ids);
    assert!(again.iter().all(|j| j.attempts == 2));
    app.finish().await;
}
