//! The one flag-submission pipeline behind `PUT /flags` and the TCP server.
//!
//! Each flag is first judged in memory: its signature and age (no database), own flags, flags
//! already credited, the team's rate. What is left goes to one writer task that stores the
//! captures of many requests in one statement and one commit ("group commit"), so a reply of
//! "accepted" always means the capture is durable, and thousands are stored per second. The
//! database's unique index has the last word on repeats, across replicas too.

use std::collections::HashMap;
use std::sync::{Mutex, Weak};

use drillboard_gameserver::flags::FlagError;
use drillboard_gameserver::replies::Reply;
use drillboard_scoring::{EventKind, ServiceState};
use drillboard_store::{NewEvent, Store, TeamRow};
use tokio::sync::{mpsc, oneshot};

use crate::game::CaptureKey;
use crate::ops::{Status, status};
use crate::state::{AppState, Inner};

/// Most events the writer stores in one commit.
const MAX_BATCH: usize = 8000;

/// A request's captures on their way to the database.
pub struct WriteJob {
    events: Vec<NewEvent>,
    keys: Vec<CaptureKey>,
    reply: oneshot::Sender<Option<Vec<bool>>>,
}

/// The sending side of the writer.
pub type Writer = mpsc::Sender<WriteJob>;

/// Start the writer task. It ends when every [`Writer`] is dropped (the state is gone).
pub fn spawn_writer(store: Store, inner: Weak<Inner>) -> Writer {
    let (tx, mut rx) = mpsc::channel::<WriteJob>(4096);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut n = first.events.len();
            let mut jobs = vec![first];
            while n < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => {
                        n += j.events.len();
                        jobs.push(j);
                    }
                    Err(_) => break,
                }
            }
            let mut all = Vec::with_capacity(n);
            let mut sizes = Vec::with_capacity(jobs.len());
            let mut keys = Vec::with_capacity(n);
            let mut replies = Vec::with_capacity(jobs.len());
            for j in jobs {
                sizes.push(j.events.len());
                all.extend(j.events);
                keys.extend(j.keys);
                replies.push(j.reply);
            }
            match store.append_events(&all).await {
                Ok(stored) => {
                    if let Some(inner) = inner.upgrade() {
                        let state = AppState(inner);
                        let mut live = state.live_mut();
                        for (e, k) in stored.iter().zip(&keys) {
                            if let Some(e) = e {
                                live.apply(e);
                                if let Some(ad) = live.ad.as_mut() {
                                    ad.note(e, Some(*k));
                                }
                            }
                        }
                    }
                    let mut it = stored.into_iter();
                    for (size, reply) in sizes.into_iter().zip(replies) {
                        let part: Vec<bool> = it.by_ref().take(size).map(|e| e.is_some()).collect();
                        let _ = reply.send(Some(part));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, flags = n, "captures could not be stored; the submitters are told to try again");
                    for reply in replies {
                        let _ = reply.send(None);
                    }
                }
            }
        }
    });
    tx
}

/// Per-team token buckets: `rate` flags a second, up to ten seconds' worth (at least one full
/// request) at once.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<i32, (f64, i64)>>,
}

impl RateLimiter {
    /// Take up to `want` tokens for `team` at `now`; returns how many were granted.
    pub fn take(&self, team: i32, want: usize, rate: u32, per_request: u32, now: i64) -> usize {
        let capacity = (rate as f64 * 10.0).max(per_request as f64);
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = b.entry(team).or_insert((capacity, now));
        *tokens = (*tokens + (now - *last).max(0) as f64 * rate as f64 / 1000.0).min(capacity);
        *last = now.max(*last);
        let granted = (want as f64).min(tokens.floor()).max(0.0) as usize;
        *tokens -= granted as f64;
        granted
    }
}

/// Judge and store the flags `flags` submitted by `team`; one reply per flag, in order.
pub async fn submit(state: &AppState, team: &TeamRow, flags: &[String]) -> Vec<Reply> {
    let now = state.now();
    let mut replies = vec![Reply::Invalid; flags.len()];
    let mut pending: Vec<(usize, NewEvent, CaptureKey)> = Vec::new();
    let (rate, per_request) = {
        let live = state.live();
        let running = live
            .exercise
            .as_ref()
            .is_some_and(|row| status(row, now) == Status::Running);
        let (Some(scenario), Some(ad)) = (live.scenario.as_ref(), live.ad.as_ref()) else {
            return replies;
        };
        let Some(rules) = scenario.attack_defense.as_ref() else {
            return replies;
        };
        let round = ad.round_number();
        if !running || round == 0 {
            return vec![Reply::NotRunning; flags.len()];
        }
        if team.hidden {
            // A hidden team (organisers' test team) is not in the game.
            return replies;
        }
        let mut seen = std::collections::HashSet::new();
        for (i, raw) in flags.iter().enumerate() {
            let flag = raw.trim();
            let info = match ad.key.verify(flag, round, rules.flag_lifetime_rounds) {
                Ok(info) => info,
                Err(FlagError::TooOld) => {
                    replies[i] = Reply::TooOld;
                    continue;
                }
                Err(FlagError::Invalid) => continue,
            };
            let victim = live.teams.iter().find(|t| t.id == info.team as i32);
            let service = scenario.services.get(info.service as usize);
            let (Some(victim), Some(service)) = (victim, service) else {
                continue;
            };
            if victim.hidden || info.place == 0 || info.place > service.places {
                continue;
            }
            if victim.id == team.id {
                replies[i] = Reply::Own;
                continue;
            }
            let key = (team.id, victim.id, info.service, info.round, info.place);
            if ad.captured.contains(&key) || !seen.insert(key) {
                replies[i] = Reply::Duplicate;
                continue;
            }
            if !rules.attack_when_down
                && ad
                    .last_state
                    .get(&(team.slug.clone(), service.id.clone()))
                    .is_some_and(|s| {
                        matches!(
                            s,
                            ServiceState::Down | ServiceState::Mumble | ServiceState::Corrupt
                        )
                    })
            {
                replies[i] = Reply::OwnServiceDown;
                continue;
            }
            pending.push((
                i,
                NewEvent {
                    at: now,
                    team: team.slug.clone(),
                    kind: EventKind::FlagCaptured {
                        service: service.id.clone(),
                        victim: victim.slug.clone(),
                        round: info.round,
                        place: info.place,
                    },
                    actor: None,
                },
                key,
            ));
        }
        (rules.flags_per_second, rules.max_flags_per_request)
    };
    if pending.is_empty() {
        return replies;
    }
    let granted = state
        .0
        .rate_limiter
        .take(team.id, pending.len(), rate, per_request, now);
    for (i, _, _) in pending.drain(granted..) {
        replies[i] = Reply::RateLimited;
    }
    let (tx, rx) = oneshot::channel();
    let mut events = Vec::with_capacity(pending.len());
    let mut keys = Vec::with_capacity(pending.len());
    let mut index = Vec::with_capacity(pending.len());
    for (i, e, k) in pending {
        index.push(i);
        events.push(e);
        keys.push(k);
    }
    let sent = state
        .0
        .writer
        .send(WriteJob {
            events,
            keys,
            reply: tx,
        })
        .await;
    let stored = match sent {
        Ok(()) => rx.await.ok().flatten(),
        Err(_) => None,
    };
    for (n, i) in index.into_iter().enumerate() {
        replies[i] = match &stored {
            Some(s) if s[n] => Reply::Accepted,
            Some(_) => Reply::Duplicate,
            None => Reply::TryAgain,
        };
    }
    replies
}
