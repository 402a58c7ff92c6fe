//! Change notifications for open pages (`GET /api/v1/stream`).
//!
//! Every change bumps a counter of its kind in one `watch` channel. A page's stream remembers
//! the counters it last saw and sends the kinds that moved, so a burst of thousands of captures
//! is one notification, and a slow page never holds up the writers (nothing queues per page).

use std::time::Duration;

use tokio::sync::watch;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Scores: any event.
    Scoreboard = 0,
    /// The exercise row: clock, freeze, a new scenario.
    Exercise = 1,
    /// A new announcement.
    Announcements = 2,
    /// An attack/defend round started or ended.
    Rounds = 3,
    /// A checker failed (organisers read `GET /api/v1/alerts`).
    Alerts = 4,
}

/// Every kind, in order.
pub const KINDS: [Kind; 5] = [
    Kind::Scoreboard,
    Kind::Exercise,
    Kind::Announcements,
    Kind::Rounds,
    Kind::Alerts,
];

impl Kind {
    /// The name pages see.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Scoreboard => "scoreboard",
            Kind::Exercise => "exercise",
            Kind::Announcements => "announcements",
            Kind::Rounds => "rounds",
            Kind::Alerts => "alerts",
        }
    }
}

/// Counters per kind.
pub type Versions = [u64; 5];

/// The sending side, shared by the whole application.
#[derive(Clone, Debug)]
pub struct Changes {
    versions: watch::Sender<Versions>,
    closing: watch::Sender<bool>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes {
            versions: watch::Sender::new([0; 5]),
            closing: watch::Sender::new(false),
        }
    }
}

impl Changes {
    /// Record a change of `kind`.
    pub fn notify(&self, kind: Kind) {
        self.versions.send_modify(|v| v[kind as usize] += 1);
    }

    /// Record changes of every kind (a full reload).
    pub fn notify_all(&self) {
        self.versions
            .send_modify(|v| v.iter_mut().for_each(|n| *n += 1));
    }

    /// End every subscription (the server is shutting down: open streams must not hold it up).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// How many subscriptions are open (pages following the event stream).
    pub fn subscribers(&self) -> usize {
        self.versions.receiver_count()
    }

    /// Follow the changes from now on.
    pub fn subscribe(&self) -> Subscription {
        let mut rx = self.versions.subscribe();
        let seen = *rx.borrow_and_update();
        Subscription {
            rx,
            closing: self.closing.subscribe(),
            seen,
        }
    }
}

/// One page's view of the changes.
pub struct Subscription {
    rx: watch::Receiver<Versions>,
    closing: watch::Receiver<bool>,
    seen: Versions,
}

impl Subscription {
    /// Wait for the next change, then `settle` more (so a burst is told once), and return every
    /// kind that changed since the last call. None once the server is closing.
    pub async fn next(&mut self, settle: Duration) -> Option<Vec<Kind>> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            tokio::select! {
                r = self.rx.changed() => r.ok()?,
                _ = self.closing.changed() => return None,
            }
            tokio::time::sleep(settle).await;
            let now = *self.rx.borrow_and_update();
            let kinds = moved(&self.seen, &now);
            self.seen = now;
            if !kinds.is_empty() {
                return Some(kinds);
            }
        }
    }
}

/// The kinds whose counters differ between `before` and `now`.
pub fn moved(before: &Versions, now: &Versions) -> Vec<Kind> {
    KINDS
        .into_iter()
        .filter(|k| before[*k as usize] != now[*k as usize])
        .collect()
}

/// What the clock alone changes, without any request: the exercise ending and the board
/// freezing when their time comes.
fn clock_state(state: &crate::state::AppState) -> (Option<crate::ops::Status>, bool) {
    let now = state.now();
    let live = state.live();
    match live.exercise.as_ref() {
        Some(row) => (
            Some(crate::ops::status(row, now)),
            crate::ops::frozen_at(row, now).is_some(),
        ),
        None => (None, false),
    }
}

/// Tell open pages when the clock alone changes the exercise (it ends, the board freezes):
/// checked twice a second, for as long as the server runs.
pub async fn watch_clock(state: crate::state::AppState) {
    let mut last = clock_state(&state);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = clock_state(&state);
        if now != last {
            state.changes().notify(Kind::Exercise);
            last = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bursts_coalesce_kinds_are_told_apart_and_close_ends_all() {
        let c = Changes::default();
        let mut sub = c.subscribe();
        for _ in 0..1000 {
            c.notify(Kind::Scoreboard);
        }
        c.notify(Kind::Rounds);
        let settle = Duration::from_millis(5);
        assert_eq!(
            sub.next(settle).await,
            Some(vec![Kind::Scoreboard, Kind::Rounds])
        );
        // A change that comes while the page is busy sending is not lost.
        c.notify(Kind::Announcements);
        assert_eq!(sub.next(settle).await, Some(vec![Kind::Announcements]));
        c.notify_all();
        assert_eq!(sub.next(settle).await, Some(KINDS.to_vec()));
        let waiting = tokio::spawn(async move { sub.next(settle).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        c.close();
        assert_eq!(waiting.await.unwrap(), None);
        assert_eq!(c.subscribe().next(settle).await, None);
    }
}
