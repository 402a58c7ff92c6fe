//! Replicas as one server: every process that serves on PostgreSQL follows the event log and
//! the rows that shape the exercise, whichever process wrote them. PostgreSQL tells each commit
//! to a followed table (`LISTEN drillboard_changes`, see migration m0007); the follower then reads
//! what is new. It also reads once a second without being told, so a lost notification costs a
//! second, never a change.
//!
//! Sequence numbers come from one PostgreSQL sequence, taken at insert and made visible at
//! commit, so a reader can see number 12 before number 11 (still being committed), and some
//! numbers never appear (a rolled-back insert: a duplicate capture, say). [`Follow`] remembers
//! which numbers were fed, asks again for the gaps, and gives a gap up after [`GAP_WAIT`].

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::changes::Kind;
use crate::error::ApiResult;
use crate::state::AppState;

/// How long a gap in the sequence numbers is asked for again before it is taken for a
/// rolled-back insert. Writes commit within milliseconds of taking their number.
pub const GAP_WAIT: Duration = Duration::from_secs(10);

/// Gaps asked for by number; more than this and the read starts at the first gap instead.
const MAX_GAPS: usize = 512;

/// Events read at a time while catching up.
const PAGE: u64 = 5_000;

/// Which event sequence numbers a live state has fed to its engine.
#[derive(Debug, Default)]
pub struct Follow {
    /// Every number up to here is fed, or was given up as never stored.
    floor: i64,
    /// Numbers above `floor` that are fed (there is a gap just above `floor`).
    above: BTreeSet<i64>,
    /// The gap just above `floor`, and since when it has been open.
    gap: Option<(i64, Instant)>,
}

impl From<i64> for Follow {
    /// Everything up to `floor` is fed (a state just read from the log).
    fn from(floor: i64) -> Self {
        Follow {
            floor,
            ..Follow::default()
        }
    }
}

impl Follow {
    /// Whether `seq` was fed (or given up).
    pub fn seen(&self, seq: i64) -> bool {
        seq <= self.floor || self.above.contains(&seq)
    }

    /// `seq` is fed.
    pub fn mark(&mut self, seq: i64) {
        if seq > self.floor {
            self.above.insert(seq);
        }
        self.advance();
    }

    /// Move the floor over every fed number, and over a gap open longer than [`GAP_WAIT`].
    pub fn advance(&mut self) {
        loop {
            while self.above.first() == Some(&(self.floor + 1)) {
                self.above.pop_first();
                self.floor += 1;
            }
            let Some(&next) = self.above.first() else {
                self.gap = None;
                return;
            };
            match self.gap {
                Some((at, since)) if at == self.floor + 1 => {
                    if since.elapsed() < GAP_WAIT {
                        return;
                    }
                    self.floor = next - 1;
                    self.gap = None;
                }
                _ => {
                    self.gap = Some((self.floor + 1, Instant::now()));
                    return;
                }
            }
        }
    }

    /// What to read: events above `high` (the highest fed), and the gaps below it by number;
    /// when there are too many gaps, everything above the floor.
    pub fn query(&self, high: i64) -> (i64, Vec<i64>) {
        let span = (high - self.floor).max(0) as usize;
        if span.saturating_sub(self.above.len()) > MAX_GAPS {
            return (self.floor, Vec::new());
        }
        let gaps = (self.floor + 1..high)
            .filter(|s| !self.above.contains(s))
            .collect();
        (high, gaps)
    }
}

/// Follow the database until the process stops (PostgreSQL only; on SQLite this process is
/// the only server and returns at once).
pub async fn run(state: AppState) {
    let mut feed = match state.store().change_feed().await {
        Ok(Some(feed)) => feed,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for changes; following by reading every second");
            loop {
                if let Err(e) = catch_up(&state, &["*".to_owned()]).await {
                    tracing::warn!(error = %e, "cannot catch up with the database");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        let tables = match feed.next(Duration::from_secs(1)).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "the change feed failed; reading everything");
                tokio::time::sleep(Duration::from_secs(1)).await;
                vec!["*".to_owned()]
            }
        };
        if let Err(e) = catch_up(&state, &tables).await {
            tracing::warn!(error = %e, "cannot catch up with the database");
        }
    }
}

/// Read what changed in `tables` (`*`: anything may have) and bring the live state up to date.
/// Events are always read (one indexed query when nothing is new).
pub async fn catch_up(state: &AppState, tables: &[String]) -> ApiResult<()> {
    let all = tables.iter().any(|t| t == "*");
    let told = |t: &str| all || tables.iter().any(|x| x == t);
    if told("exercise") || told("teams") {
        let store = state.store();
        let (exercise, teams) = (store.exercise().await?, store.teams().await?);
        let differs = {
            let live = state.live();
            live.exercise != exercise || live.teams != teams
        };
        if differs {
            // A new scenario, a clock change, a team added elsewhere: rebuild, as a local
            // change does (rare, and the whole state depends on them).
            let _reloading = state.0.reload_lock.lock().await;
            state.reload().await?;
        }
    }
    loop {
        let (after, gaps) = state.live_mut().catch_up_from();
        let rows = state.store().events_after(after, &gaps, PAGE).await?;
        let n = rows.len() as u64;
        let mut live = state.live_mut();
        for (seq, event) in rows {
            match event {
                Some((e, _)) => {
                    live.apply(&e);
                }
                None => live.skip(seq),
            }
        }
        drop(live);
        if n < PAGE {
            break;
        }
    }
    let changes = state.changes();
    if told("announcements") {
        changes.notify(Kind::Announcements);
    }
    if told("rounds") {
        changes.notify(Kind::Rounds);
    }
    if told("audit_log") {
        changes.notify(Kind::Alerts);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_fed_once_and_gaps_are_asked_for_again() {
        let mut f = Follow::from(10);
        assert!(f.seen(10) && !f.seen(11));
        f.mark(12);
        f.mark(14);
        assert!(f.seen(12) && !f.seen(11) && !f.seen(13));
        // 11 and 13 may still be committing: asked for by number, with everything above 14.
        assert_eq!(f.query(14), (14, vec![11, 13]));
        f.mark(11);
        assert_eq!(f.floor, 12);
        assert_eq!(f.query(14), (14, vec![13]));
        f.mark(13);
        assert_eq!((f.floor, f.above.len()), (14, 0));
        assert_eq!(f.query(14), (14, vec![]));
    }

    #[test]
    fn a_gap_open_too_long_is_given_up() {
        let mut f = Follow::from(0);
        f.mark(2);
        assert_eq!(f.floor, 0);
        // Pretend the gap at 1 opened long ago.
        f.gap = Some((1, Instant::now() - GAP_WAIT - Duration::from_millis(1)));
        f.advance();
        assert_eq!(f.floor, 2);
        assert!(f.seen(1), "given up: a late 1 is not fed");
    }

    #[test]
    fn many_gaps_read_from_the_floor() {
        let mut f = Follow::from(0);
        f.mark(MAX_GAPS as i64 + 10);
        let (from, gaps) = f.query(MAX_GAPS as i64 + 10);
        assert_eq!((from, gaps.len()), (0, 0));
    }
}
