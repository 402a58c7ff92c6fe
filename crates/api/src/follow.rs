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

use std::collections::BTreeMap;
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
    /// The highest number fed.
    high: i64,
    /// Numbers between `floor` and `high` not fed yet, with when each was first missed.
    gaps: BTreeMap<i64, Instant>,
}

impl From<i64> for Follow {
    /// Everything up to `floor` is fed (a state just read from the log).
    fn from(floor: i64) -> Self {
        Follow {
            floor,
            high: floor,
            gaps: BTreeMap::new(),
        }
    }
}

impl Follow {
    /// Whether `seq` was fed (or given up).
    pub fn seen(&self, seq: i64) -> bool {
        seq <= self.floor || (seq <= self.high && !self.gaps.contains_key(&seq))
    }

    /// `seq` is fed.
    pub fn mark(&mut self, seq: i64) {
        if seq > self.high {
            let now = Instant::now();
            for missing in self.high + 1..seq {
                self.gaps.insert(missing, now);
            }
            self.high = seq;
        } else {
            self.gaps.remove(&seq);
        }
        self.advance();
    }

    /// Give up the gaps missed for longer than [`GAP_WAIT`], and move the floor up to the
    /// first gap left. Gaps are missed in the order of their numbers, so the oldest are first.
    pub fn advance(&mut self) {
        while let Some(first) = self.gaps.first_entry() {
            if first.get().elapsed() < GAP_WAIT {
                break;
            }
            first.remove();
        }
        self.floor = match self.gaps.first_key_value() {
            Some((first, _)) => first - 1,
            None => self.high,
        };
    }

    /// What to read: events above the highest fed, and the gaps below it by number; when
    /// there are too many gaps, everything above the floor.
    pub fn query(&self) -> (i64, Vec<i64>) {
        if self.gaps.len() > MAX_GAPS {
            return (self.floor, Vec::new());
        }
        (self.high, self.gaps.keys().copied().collect())
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
        assert!(f.seen(12) && !f.seen(11) && !f.seen(13) && !f.seen(15));
        // 11 and 13 may still be committing: asked for by number, with everything above 14.
        assert_eq!(f.query(), (14, vec![11, 13]));
        f.mark(11);
        assert_eq!(f.floor, 12);
        assert_eq!(f.query(), (14, vec![13]));
        f.mark(13);
        assert_eq!((f.floor, f.gaps.len()), (14, 0));
        assert_eq!(f.query(), (14, vec![]));
    }

    #[test]
    fn gaps_open_too_long_are_given_up_each_on_its_own_time() {
        let mut f = Follow::from(0);
        f.mark(2);
        f.mark(5);
        assert_eq!(f.floor, 0);
        // 1 was missed long ago, 3 and 4 just now: only 1 is given up.
        let old = Instant::now() - GAP_WAIT - Duration::from_millis(1);
        f.gaps.insert(1, old);
        f.advance();
        assert_eq!(f.floor, 2);
        assert!(f.seen(1), "given up: a late 1 is not fed");
        assert!(!f.seen(3) && !f.seen(4));
        // Gaps that opened one after another, all old by now, go at once.
        for n in [3, 4] {
            f.gaps.insert(n, old);
        }
        f.advance();
        assert_eq!((f.floor, f.query()), (5, (5, vec![])));
    }

    #[test]
    fn many_gaps_read_from_the_floor() {
        let mut f = Follow::from(0);
        f.mark(MAX_GAPS as i64 + 10);
        let (from, gaps) = f.query();
        assert_eq!((from, gaps.len()), (0, 0));
    }
}
