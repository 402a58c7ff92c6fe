//! Jeopardy plays — flag attempts, solves and hint unlocks — through one writer task that stores
//! the plays of many requests in one transaction ("group commit") and answers each request only
//! after that commit, as the attack/defend capture writer does. The unique indexes still decide
//! exactly-once credit; the writer also feeds the live board, so a request that is dropped
//! mid-way can never leave a stored solve off the board.

use std::sync::Weak;

use drillboard_scoring::Event;
use drillboard_store::{NewAttempt, NewEvent, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Inner};

/// Most plays stored in one commit.
const MAX_BATCH: usize = 512;

/// Why a batch could not be stored: (transient, message).
type Failure = (bool, String);

/// One request's play on its way to the database.
pub struct PlayJob {
    attempt: Option<NewAttempt>,
    event: Option<NewEvent>,
    reply: oneshot::Sender<Result<Option<Event>, Failure>>,
}

/// The sending side of the play writer.
pub type PlayWriter = mpsc::Sender<PlayJob>;

/// Start the writer task. It ends when every [`PlayWriter`] is dropped (the state is gone).
pub fn spawn(store: Store, inner: Weak<Inner>) -> PlayWriter {
    let (tx, mut rx) = mpsc::channel::<PlayJob>(4096);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let attempts: Vec<NewAttempt> = jobs.iter().filter_map(|j| j.attempt.clone()).collect();
            let events: Vec<NewEvent> = jobs.iter().filter_map(|j| j.event.clone()).collect();
            match store.commit_plays(&attempts, &events).await {
                Ok(stored) => {
                    if let Some(inner) = inner.upgrade() {
                        let state = AppState(inner);
                        let mut live = state.live_mut();
                        for e in stored.iter().flatten() {
                            live.apply(e);
                        }
                    }
                    let mut stored = stored.into_iter();
                    for j in jobs {
                        let event = if j.event.is_some() {
                            stored.next().flatten()
                        } else {
                            None
                        };
                        let _ = j.reply.send(Ok(event));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, plays = jobs.len(), "plays could not be stored");
                    let failure = (matches!(e, StoreError::Unavailable(_)), e.to_string());
                    for j in jobs {
                        let _ = j.reply.send(Err(failure.clone()));
                    }
                }
            }
        }
    });
    tx
}

/// Store a play; answers after its commit with the stored event, or `None` when the event was
/// a repeat (or there was none).
pub async fn play(
    state: &AppState,
    attempt: Option<NewAttempt>,
    event: Option<NewEvent>,
) -> ApiResult<Option<Event>> {
    let (reply, answer) = oneshot::channel();
    let stopped = || ApiError::Unavailable("the play writer has stopped".into());
    state
        .0
        .plays
        .send(PlayJob {
            attempt,
            event,
            reply,
        })
        .await
        .map_err(|_| stopped())?;
    match answer.await.map_err(|_| stopped())? {
        Ok(e) => Ok(e),
        Err((true, why)) => Err(ApiError::Unavailable(why)),
        Err((false, why)) => Err(ApiError::Internal(anyhow::anyhow!(why))),
    }
}
