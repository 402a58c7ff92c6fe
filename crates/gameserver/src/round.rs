//! One attack/defend round: for every team and service, check the service, put a fresh flag in
//! every flag place, read this round's flags back, then read back a flag planted in an earlier
//! round that is still valid, with bounded concurrency, the runs spread over the round and
//! everything still running killed when the round ends.
//!
//! The state of a (team, service) in a round, as FAUST defines it (docs/scoring.md):
//! - the first failing step of check, puts and the gets of this round's flags decides: its
//!   verdict (a missing or wrong current flag is CORRUPT, as the checker says);
//! - when all of those succeed, a get of an earlier round's flag that fails with CORRUPT or
//!   MUMBLE gives RECOVERING (the service works now, but lost an older flag: half SLA); one that
//!   fails with DOWN gives DOWN;
//! - otherwise OK.
//!
//! A step whose checker answered CHECKER_ERROR (exit 110) gives CHECKER_ERROR, which never costs
//! the team SLA. A step whose checker *failed* (could not start, exited outside the protocol,
//! was killed) is decided by the service's [`OnFailure`] policy. Both raise an [`Alert`] for the
//! organisers.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

use drillboard_scenario::{Msg, msg};

use crate::checker::{Action, Outcome, Runner, Task, Verdict};

/// How a (team, service) did in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum State {
    /// Every step succeeded.
    Ok,
    /// Up, but a flag of an earlier round could not be read back.
    Recovering,
    /// A flag of this round is missing or wrong.
    Corrupt,
    /// The service answers wrongly.
    Mumble,
    /// Unreachable, timed out, or too slow to finish its checks within the round.
    Down,
    /// The checker failed (or never got its turn): not the team's fault.
    CheckerError,
}

impl State {
    /// The stored name: ok, recovering, corrupt, mumble, down, checker_error.
    pub fn name(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Recovering => "recovering",
            State::Corrupt => "corrupt",
            State::Mumble => "mumble",
            State::Down => "down",
            State::CheckerError => "checker_error",
        }
    }

    fn from_verdict(v: Verdict) -> Self {
        match v {
            Verdict::Ok => State::Ok,
            Verdict::Corrupt => State::Corrupt,
            Verdict::Mumble => State::Mumble,
            Verdict::Down => State::Down,
            Verdict::CheckerError => State::CheckerError,
        }
    }
}

/// A flag to plant this round.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Put {
    /// Flag place, from 1.
    pub place: u8,
    /// The flag.
    pub flag: String,
    /// Its public flag id.
    pub flag_id: String,
}

/// A flag to read back: one planted this round (by this job's put) or in an earlier round.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Get {
    /// The round it was planted in.
    pub round: u32,
    /// Flag place.
    pub place: u8,
    /// The flag.
    pub flag: String,
    /// What its put answered (or the public flag id).
    pub private_id: String,
}

/// Checks of one team's instance of one service.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Job {
    /// Team id.
    pub team: String,
    /// Service id.
    pub service: String,
    /// Address of the instance.
    pub host: String,
    /// The checker.
    pub runner: Arc<Runner>,
    /// Who and when, for the checker (ENOWARS); `related_round` is set per get.
    pub task: Task,
    /// Steps that only test the service, run first, in order: `check` for a command-line
    /// checker; for an ENOWARS checker each noise variant's `putnoise` then `getnoise`, then each
    /// havoc variant. The first that fails decides the state, as `check` does.
    pub pre: Vec<Action>,
    /// Flags to plant.
    pub puts: Vec<Put>,
    /// Flags to read back: a get whose flag is one of `puts` reads this round's flag (its
    /// failure is CORRUPT), any other reads an earlier round's (its failure is RECOVERING).
    pub gets: Vec<Get>,
    /// When to start, counted from the round's start.
    pub offset: Duration,
    /// What a checker failure means.
    pub on_failure: OnFailure,
}

/// What a failed checker (not a checker that answered) means for the team, set per service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OnFailure {
    /// CHECKER_ERROR: counted as up, the organisers' fault.
    Up,
    /// DOWN.
    Down,
    /// Try a TCP connection to this address (`host:port`): refused, unreachable or no answer
    /// within the checker's timeout (at most [`PROBE_TIMEOUT`]) → DOWN; connected →
    /// CHECKER_ERROR.
    Probe(String),
}

/// The longest a probe waits for a connection.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A checker that failed or answered CHECKER_ERROR, for the organisers (they may void the round).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    /// The step: `check`, `put (place 1)`, `get (place 1, round 3)`.
    pub step: String,
    /// What went wrong: "exit code 1, which is not a checker verdict", "answered CHECKER_ERROR".
    pub what: Msg,
    /// How the policy decided it ("probe: connection refused → down").
    pub decided: Msg,
    /// The last lines of the checker's stderr (at most [`TAIL_CHARS`] characters).
    pub tail: String,
}

/// Characters of stderr kept in an alert.
pub const TAIL_CHARS: usize = 600;

/// A flag that was planted (or failed to be), reported as soon as its put ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    /// Team id.
    pub team: String,
    /// Service id.
    pub service: String,
    /// The put.
    pub put: Put,
    /// What the checker's put answered (the private flag id for the get), if it succeeded.
    pub private_id: Option<String>,
    /// What attackers are shown instead of the flag id (an ENOWARS put's attack info).
    pub public_id: Option<String>,
    /// Whether the put succeeded.
    pub ok: bool,
}

/// The verdict of a job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobResult {
    /// Team id.
    pub team: String,
    /// Service id.
    pub service: String,
    /// The verdict.
    pub state: State,
    /// The message for the team (stdout of the deciding step).
    pub public: String,
    /// For organisers: every step with its verdict and stderr.
    pub private: String,
    /// Set when a checker failed or answered CHECKER_ERROR, or never got its turn.
    pub alert: Option<Alert>,
    /// How long the job's steps took; `None` when it did not finish within the round.
    pub took: Option<Duration>,
}

/// Run one round: start each job at its offset (at most `concurrency` at once), and kill
/// whatever still runs at `deadline`. Planted flags are sent to `planted` as they happen.
/// Returns a result for every job, in job order.
pub async fn run_round(
    jobs: Vec<Job>,
    concurrency: usize,
    deadline: Instant,
    planted: mpsc::UnboundedSender<Planted>,
) -> Vec<JobResult> {
    let start = Instant::now();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let started: Arc<Vec<std::sync::atomic::AtomicBool>> =
        Arc::new((0..jobs.len()).map(|_| Default::default()).collect());
    let mut set = JoinSet::new();
    for (i, job) in jobs.iter().cloned().enumerate() {
        let (permits, started, planted) = (permits.clone(), started.clone(), planted.clone());
        set.spawn(async move {
            tokio::time::sleep_until(start + job.offset).await;
            let _permit = permits.acquire_owned().await.ok();
            started[i].store(true, std::sync::atomic::Ordering::SeqCst);
            (i, run_job(&job, &planted).await)
        });
    }
    let mut results: Vec<Option<JobResult>> = vec![None; jobs.len()];
    let collect = async {
        while let Some(done) = set.join_next().await {
            if let Ok((i, r)) = done {
                results[i] = Some(r);
            }
        }
    };
    // Dropping the unfinished tasks drops their child processes, which kills them.
    let _ = tokio::time::timeout_at(deadline, collect).await;
    set.abort_all();
    jobs.iter()
        .enumerate()
        .map(|(i, job)| {
            results[i].take().unwrap_or_else(|| {
                let began = started[i].load(std::sync::atomic::Ordering::SeqCst);
                JobResult {
                    team: job.team.clone(),
                    service: job.service.clone(),
                    // A service so slow that its checks outlast the round is down; a job that
                    // never got its turn is the organisers' problem.
                    state: if began { State::Down } else { State::CheckerError },
                    public: if began {
                        "the checks did not finish within the round".into()
                    } else {
                        String::new()
                    },
                    private: if began {
                        "[drillboard] killed at the end of the round".into()
                    } else {
                        "[drillboard] no checker slot was free before the round ended; raise the checker concurrency".into()
                    },
                    alert: (!began).then(|| Alert {
                        step: "start".into(),
                        what: msg!(
                            "no_checker_slot",
                            "no checker slot was free before the round ended"
                        ),
                        decided: msg!("decided_checker_error", "checker_error"),
                        tail: String::new(),
                    }),
                    took: None,
                }
            })
        })
        .collect()
}

/// Run one job: its steps in order, each planted flag sent to `planted` as it is planted.
pub async fn run_job(job: &Job, planted: &mpsc::UnboundedSender<Planted>) -> JobResult {
    let mut log = String::new();
    let mut step = |name: &str, o: &Outcome| {
        log.push_str(&format!(
            "{name}: {} in {} ms{}\n",
            o.verdict.name(),
            o.elapsed.as_millis(),
            if o.private.trim().is_empty() {
                String::new()
            } else {
                format!("\n  {}", o.private.trim().replace('\n', "\n  "))
            }
        ));
    };
    let began = Instant::now();
    let finish = |state: State, public: &str, log: String, alert: Option<Alert>| JobResult {
        team: job.team.clone(),
        service: job.service.clone(),
        state,
        public: public.trim().to_owned(),
        private: log,
        alert,
        took: Some(began.elapsed()),
    };
    let mut first_public = String::new();
    for (i, action) in job.pre.iter().enumerate() {
        let o = job.runner.run_task(&job.host, action, &job.task).await;
        let name = match action {
            Action::PutNoise { variant }
            | Action::GetNoise { variant }
            | Action::Havoc { variant } => {
                format!("{} (variant {variant})", action.name())
            }
            _ => action.name().to_owned(),
        };
        step(&name, &o);
        if i == 0 {
            first_public = o.public.clone();
        }
        if o.verdict != Verdict::Ok {
            let (state, alert) = judge(job, &name, &o, &mut log).await;
            return finish(state, &o.public, log, alert);
        }
    }
    // What each put answered: a get of a flag planted by this same job reads it back with it.
    let mut answered: Vec<(&str, String)> = Vec::new();
    for put in &job.puts {
        let o = job
            .runner
            .run_task(
                &job.host,
                &Action::Put {
                    flag_id: put.flag_id.clone(),
                    flag: put.flag.clone(),
                    vuln: put.place,
                },
                &job.task,
            )
            .await;
        let name = format!("put (place {})", put.place);
        step(&name, &o);
        let ok = o.verdict == Verdict::Ok;
        let private_id = o.flag_id.clone().unwrap_or_else(|| put.flag_id.clone());
        if ok {
            answered.push((put.flag.as_str(), private_id.clone()));
        }
        let _ = planted.send(Planted {
            team: job.team.clone(),
            service: job.service.clone(),
            put: put.clone(),
            private_id: ok.then_some(private_id),
            public_id: o.attack_info.clone(),
            ok,
        });
        if !ok {
            let (state, alert) = judge(job, &name, &o, &mut log).await;
            return finish(state, &o.public, log, alert);
        }
    }
    // This round's flags first: a service that loses what it was just given is CORRUPT, whatever
    // happened to older flags.
    let current = |g: &&Get| answered.iter().any(|(f, _)| *f == g.flag);
    let (now, older): (Vec<&Get>, Vec<&Get>) = job.gets.iter().partition(current);
    let mut recovering: Option<String> = None;
    for get in now.into_iter().chain(older) {
        let this_round = answered.iter().find(|(f, _)| *f == get.flag);
        let flag_id = this_round.map_or_else(|| get.private_id.clone(), |(_, id)| id.clone());
        let task = Task {
            related_round: get.round,
            ..job.task.clone()
        };
        let o = job
            .runner
            .run_task(
                &job.host,
                &Action::Get {
                    flag_id,
                    flag: get.flag.clone(),
                    vuln: get.place,
                },
                &task,
            )
            .await;
        let name = format!("get (place {}, round {})", get.place, get.round);
        step(&name, &o);
        match o.verdict {
            Verdict::Ok => {}
            Verdict::Corrupt | Verdict::Mumble if this_round.is_none() => {
                recovering.get_or_insert(o.public.clone());
            }
            _ => {
                let (state, alert) = judge(job, &name, &o, &mut log).await;
                // A checker that fails on a later older flag does not lift a RECOVERING
                // already found to "up".
                if state == State::CheckerError
                    && let Some(msg) = &recovering
                {
                    return finish(State::Recovering, msg, log, alert);
                }
                return finish(state, &o.public, log, alert);
            }
        }
    }
    match recovering {
        Some(msg) => finish(State::Recovering, &msg, log, None),
        None => finish(State::Ok, &first_public, log, None),
    }
}

/// The state a failing step gives, and the alert it raises: the checker's verdict, except that a
/// failed checker is decided by the service's policy.
async fn judge(job: &Job, step: &str, o: &Outcome, log: &mut String) -> (State, Option<Alert>) {
    let alert = |what: Msg, decided: Msg| Alert {
        step: step.to_owned(),
        what,
        decided,
        tail: tail(&o.private),
    };
    let Some(failure) = &o.failure else {
        let state = State::from_verdict(o.verdict);
        let raised = (state == State::CheckerError).then(|| {
            alert(
                msg!(
                    "answered_checker_error",
                    "the checker answered CHECKER_ERROR"
                ),
                msg!("decided_checker_error", "checker_error"),
            )
        });
        return (state, raised);
    };
    let (state, decided) = match &job.on_failure {
        OnFailure::Up => (
            State::CheckerError,
            msg!("decided_policy_up", "policy up: checker_error"),
        ),
        OnFailure::Down => (
            State::Down,
            msg!("decided_policy_down", "policy down: down"),
        ),
        OnFailure::Probe(addr) => {
            let wait = job.runner.timeout.min(PROBE_TIMEOUT);
            match tokio::time::timeout(wait, tokio::net::TcpStream::connect(addr.as_str())).await {
                Ok(Ok(_)) => (
                    State::CheckerError,
                    msg!(
                        "decided_probe_open",
                        "probe: {address} accepts connections, so checker_error",
                        address = addr
                    ),
                ),
                Ok(Err(e)) => (
                    State::Down,
                    msg!(
                        "decided_probe_refused",
                        "probe: {address}: {detail}, so down",
                        address = addr,
                        detail = e
                    ),
                ),
                Err(_) => (
                    State::Down,
                    msg!(
                        "decided_probe_silent",
                        "probe: {address} did not answer within {wait}, so down",
                        address = addr,
                        wait = format!("{wait:?}")
                    ),
                ),
            }
        }
    };
    log.push_str(&format!("[drillboard] {}\n", decided.text));
    (state, Some(alert(failure.clone(), decided)))
}

/// The last [`TAIL_CHARS`] characters of a checker's private output (its stderr), cut at a line.
fn tail(private: &str) -> String {
    let t = private.trim();
    let n = t.chars().count();
    if n <= TAIL_CHARS {
        return t.to_owned();
    }
    let cut: String = t.chars().skip(n - TAIL_CHARS).collect();
    match cut.split_once('\n') {
        Some((_, rest)) if !rest.is_empty() => format!("…\n{rest}"),
        _ => format!("…{cut}"),
    }
}

/// Offsets that spread `jobs` runs over a round: each job gets `budget` before the round's end
/// (enough for all its steps to time out once), and the starts are spread evenly, in a random
/// order given by `shuffle` (a permutation of 0..jobs), over what is left.
pub fn spread(jobs: usize, round: Duration, budget: Duration, shuffle: &[usize]) -> Vec<Duration> {
    let window = round.saturating_sub(budget);
    (0..jobs)
        .map(|i| {
            let slot = shuffle.get(i).copied().unwrap_or(i) as u32;
            if jobs <= 1 {
                Duration::ZERO
            } else {
                window * slot / jobs as u32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_keeps_a_budget_before_the_end() {
        let o = spread(
            4,
            Duration::from_secs(60),
            Duration::from_secs(20),
            &[3, 0, 2, 1],
        );
        assert_eq!(
            o,
            [30, 0, 20, 10].map(Duration::from_secs).to_vec(),
            "40 s window, 4 slots of 10 s"
        );
        let tight = spread(
            3,
            Duration::from_secs(10),
            Duration::from_secs(30),
            &[0, 1, 2],
        );
        assert!(tight.iter().all(|d| d.is_zero()));
    }
}
