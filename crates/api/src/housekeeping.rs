//! Keeping the SQLite file in shape through a long drill: once the writer has been quiet for a
//! while, the write-ahead log is checkpointed into the database and emptied. Under sustained
//! writes the log is instead cut back to [`drillboard_store::WAL_SIZE_LIMIT`] each time SQLite
//! restarts it. Nothing to do on PostgreSQL.

use std::time::Duration;

use crate::state::AppState;

/// How long the writer must be idle before the log is emptied.
pub const QUIET: Duration = Duration::from_secs(10);

/// Run until the process ends.
pub async fn run(state: AppState) {
    if state.store().backend() != "sqlite" {
        return;
    }
    let mut seen = state.store().write_activity();
    let mut emptied = false;
    loop {
        tokio::time::sleep(QUIET).await;
        let now = state.store().write_activity();
        if now != seen {
            seen = now;
            emptied = false;
            continue;
        }
        if emptied {
            continue;
        }
        match state.store().checkpoint(true).await {
            Ok(Some((log, done))) => {
                tracing::debug!(log, done, "write-ahead log checkpointed and emptied");
                emptied = log == done;
            }
            Ok(None) => return,
            Err(e) => tracing::warn!(error = %e, "cannot checkpoint the write-ahead log"),
        }
    }
}
