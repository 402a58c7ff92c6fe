//! Limits that keep a crowd or an attacker from costing anyone else: failed sign-ins per
//! account and per address, wrong jeopardy flags per team, and the client address behind a
//! trusted reverse proxy.
//!
//! Every limit here *reserves* its slot before the work it limits is done (a password hashed, a
//! flag judged), under one lock, so a burst sent at the same instant is counted exactly: the
//! 11th of 200 simultaneous wrong logins is refused before it is hashed.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use drillboard_scenario::Network;

use crate::conn::Peer;
use crate::state::AppState;

/// One minute, in milliseconds.
const MINUTE: i64 = 60_000;

/// Most keys a window map holds before it forgets everything (a flood of distinct addresses
/// or usernames must not grow memory without bound).
const MAX_KEYS: usize = 100_000;

/// Sliding one-minute windows of reserved attempts, per key.
struct Windows<K> {
    map: Mutex<HashMap<K, VecDeque<i64>>>,
}

impl<K: Hash + Eq + Clone> Windows<K> {
    fn new() -> Self {
        Windows {
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until the window of `key` has room again, if it holds `limit` already. Looks
    /// only: a refused attempt adds no key (or a flood of refused names would fill the map).
    fn wait(map: &mut HashMap<K, VecDeque<i64>>, key: &K, limit: usize, now: i64) -> Option<u64> {
        let q = map.get_mut(key)?;
        while q.front().is_some_and(|t| now - *t >= MINUTE) {
            q.pop_front();
        }
        if q.is_empty() {
            map.remove(key);
            return None;
        }
        (q.len() >= limit).then(|| {
            let oldest = q.front().copied().unwrap_or(now);
            (((oldest + MINUTE - now) + 999) / 1000).max(1) as u64
        })
    }

    /// Count an attempt of `key` at `now`.
    fn push(map: &mut HashMap<K, VecDeque<i64>>, key: K, now: i64) {
        map.entry(key).or_default().push_back(now);
    }

    /// Drop every attempt older than a minute, and the keys left empty.
    fn prune(map: &mut HashMap<K, VecDeque<i64>>, now: i64) {
        map.retain(|_, q| {
            while q.front().is_some_and(|t| now - *t >= MINUTE) {
                q.pop_front();
            }
            !q.is_empty()
        });
    }

    /// Take back one reservation of `key` made at `at`.
    fn release(map: &mut HashMap<K, VecDeque<i64>>, key: &K, at: i64) {
        if let Some(q) = map.get_mut(key)
            && let Some(i) = q.iter().rposition(|t| *t == at)
        {
            q.remove(i);
        }
    }
}

/// How long a sign-in that succeeded vouches for its (address, login) pair.
const VOUCHED: i64 = 12 * 3600 * 1000;

/// Failed sign-ins, limited per (address, username) and, more loosely, per username and per
/// address. An attacker guessing one account locks out only his own address for that account;
/// one spraying many accounts from one address is slowed by the address limit; many addresses
/// against one account are slowed by the account limit — except for an address where that
/// login signed in successfully in the last 12 hours, which only its own pair limit applies to
/// (so attackers elsewhere cannot lock the organiser out of the console).
pub struct LoginLimiter {
    pair_limit: usize,
    windows: Mutex<LoginWindows>,
}

#[derive(Default)]
struct LoginWindows {
    pair: HashMap<(Option<IpAddr>, String), VecDeque<i64>>,
    account: HashMap<String, VecDeque<i64>>,
    address: HashMap<Option<IpAddr>, VecDeque<i64>>,
    /// (address, login) pairs that signed in, and when last.
    vouched: HashMap<(Option<IpAddr>, String), i64>,
    /// When the windows were last pruned (at most once a second).
    pruned_at: i64,
}

/// A sign-in attempt counted in advance; [`LoginLimiter::succeeded`] takes it back, and
/// [`LoginLimiter::not_judged`] when the password could not be checked.
#[derive(Debug)]
pub struct LoginTicket {
    ip: Option<IpAddr>,
    username: String,
    at: i64,
    vouched: bool,
}

impl LoginLimiter {
    /// `limit` failures a minute per address and username; an account takes 3× that from all
    /// addresses together, an address 5× that over all usernames.
    pub fn new(limit: usize) -> Self {
        LoginLimiter {
            pair_limit: limit.max(1),
            windows: Mutex::new(LoginWindows::default()),
        }
    }

    /// The limits: (address and username, username, address).
    pub fn limits(&self) -> (usize, usize, usize) {
        (self.pair_limit, self.pair_limit * 3, self.pair_limit * 5)
    }

    /// Count an attempt as a failure before the password is checked; `Err(seconds)` when one of
    /// the limits is reached already (nothing is counted then).
    pub fn reserve(
        &self,
        ip: Option<IpAddr>,
        username: &str,
        now: i64,
    ) -> Result<LoginTicket, u64> {
        let (pair_limit, account_limit, address_limit) = self.limits();
        let username = username.to_lowercase();
        let ip = ip.map(crate::conn::address_key);
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let full = |w: &LoginWindows| {
            w.pair.len() > MAX_KEYS
                || w.account.len() > MAX_KEYS
                || w.address.len() > MAX_KEYS
                || w.vouched.len() > MAX_KEYS
        };
        if full(&w) && now - w.pruned_at >= 1000 {
            w.pruned_at = now;
            Windows::prune(&mut w.pair, now);
            Windows::prune(&mut w.account, now);
            Windows::prune(&mut w.address, now);
            w.vouched.retain(|_, at| now - *at < VOUCHED);
        }
        if full(&w) {
            // More distinct recent attempts than any drill has: refuse rather than forget.
            return Err(60);
        }
        let pair = (ip, username.clone());
        let vouched = w.vouched.get(&pair).is_some_and(|at| now - *at < VOUCHED);
        let mut waits = vec![Windows::wait(&mut w.pair, &pair, pair_limit, now)];
        if !vouched {
            waits.push(Windows::wait(&mut w.account, &username, account_limit, now));
            waits.push(Windows::wait(&mut w.address, &ip, address_limit, now));
        }
        if let Some(wait) = waits.into_iter().flatten().max() {
            return Err(wait);
        }
        Windows::push(&mut w.pair, pair, now);
        if !vouched {
            Windows::push(&mut w.account, username.clone(), now);
            Windows::push(&mut w.address, ip, now);
        }
        Ok(LoginTicket {
            ip,
            username,
            at: now,
            vouched,
        })
    }

    /// The password could not be checked (a database error, the hashing queue full): the
    /// attempt does not count.
    pub fn not_judged(&self, t: LoginTicket) {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        Self::take_back(&mut w, &t);
    }

    fn take_back(w: &mut LoginWindows, t: &LoginTicket) {
        Windows::release(&mut w.pair, &(t.ip, t.username.clone()), t.at);
        if !t.vouched {
            Windows::release(&mut w.account, &t.username, t.at);
            Windows::release(&mut w.address, &t.ip, t.at);
        }
    }

    /// The password was right: the attempt does not count, and the pair is vouched for.
    pub fn succeeded(&self, t: LoginTicket) {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        Self::take_back(&mut w, &t);
        w.vouched.insert((t.ip, t.username), t.at);
    }
}

/// Wrong jeopardy flags per team and minute, reserved before the flag is judged; a right flag
/// gives its reservation back. Kept in memory: a restart forgives the minute in progress, and
/// each replica counts its own requests (docs/operations.md).
pub struct WrongFlagLimiter {
    windows: Windows<String>,
}

impl Default for WrongFlagLimiter {
    fn default() -> Self {
        WrongFlagLimiter {
            windows: Windows::new(),
        }
    }
}

impl WrongFlagLimiter {
    /// Reserve one attempt for `team`, or `Err(seconds)` if it has `limit` in the last minute.
    pub fn reserve(&self, team: &str, limit: usize, now: i64) -> Result<i64, u64> {
        let mut map = self.windows.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            map.clear();
        }
        let key = team.to_owned();
        if let Some(wait) = Windows::wait(&mut map, &key, limit.max(1), now) {
            return Err(wait);
        }
        Windows::push(&mut map, key, now);
        Ok(now)
    }

    /// The flag was right (or never judged): give the reservation made at `at` back.
    pub fn release(&self, team: &str, at: i64) {
        let mut map = self.windows.map.lock().unwrap_or_else(|e| e.into_inner());
        Windows::release(&mut map, &team.to_owned(), at);
    }
}

/// Reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<Network>);

impl TrustedProxies {
    /// Whether `ip` is one of them.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address: the peer itself, or, when the peer is a trusted proxy, the
    /// right-most address of `X-Forwarded-For` that is not a trusted proxy (the left-most
    /// entries are whatever the client chose to send).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let Some(list) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for part in list.rsplit(',') {
            let Ok(ip) = part.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// The client's address, when the server knows it (not in in-process tests): the peer, or the
/// forwarded address behind a trusted proxy.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<Peer>>()
            .map(|c| c.0.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientIp(peer.map(|p| {
            state.0.settings.trusted_proxies.client(p, forwarded)
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_guessed_account_locks_only_the_guesser() {
        let l = LoginLimiter::new(10);
        for _ in 0..10 {
            l.reserve(ip("10.0.0.9"), "alpha", 0).unwrap();
        }
        assert!(l.reserve(ip("10.0.0.9"), "alpha", 1).is_err());
        assert!(l.reserve(ip("10.0.0.9"), "ALPHA", 1).is_err());
        // The organiser on the same address, and alpha from elsewhere, still get in.
        let t = l.reserve(ip("10.0.0.9"), "organiser", 1).unwrap();
        l.succeeded(t);
        l.reserve(ip("10.0.0.7"), "alpha", 1).unwrap();
        // A minute later the guesser may try again.
        assert!(l.reserve(ip("10.0.0.9"), "alpha", MINUTE).is_ok());
    }

    #[test]
    fn a_login_that_signed_in_here_is_not_locked_out_by_guessers_elsewhere() {
        let l = LoginLimiter::new(10);
        let t = l.reserve(ip("10.0.0.5"), "organiser", 0).unwrap();
        l.succeeded(t);
        // Three addresses guess the organiser's password: the account limit (30) is reached.
        for a in ["10.0.1.1", "10.0.1.2", "10.0.1.3"] {
            for _ in 0..10 {
                l.reserve(ip(a), "organiser", 1).unwrap();
            }
        }
        assert!(l.reserve(ip("10.0.1.4"), "organiser", 2).is_err());
        // The organiser's own address still gets in.
        let t = l.reserve(ip("10.0.0.5"), "organiser", 2).unwrap();
        l.succeeded(t);
    }

    #[test]
    fn refused_attempts_add_no_keys_and_a_full_map_refuses_instead_of_forgetting() {
        let l = LoginLimiter::new(10);
        for _ in 0..10 {
            l.reserve(ip("10.0.0.9"), "alpha", 0).unwrap();
        }
        // A flood of refused attempts from the same address under made-up names: refused by
        // the address limit (50), and none of them stays in the maps.
        for i in 0..40 {
            let _ = l.reserve(ip("10.0.0.9"), &format!("x{i}"), 0);
        }
        for i in 0..1000 {
            assert!(l.reserve(ip("10.0.0.9"), &format!("y{i}"), 1).is_err());
        }
        let w = l.windows.lock().unwrap();
        assert!(
            w.pair.len() <= 50 && w.account.len() <= 50,
            "{} keys",
            w.pair.len()
        );
        drop(w);
        // The guesser's own window on alpha is still full.
        assert!(l.reserve(ip("10.0.0.9"), "alpha", 2).is_err());
    }

    #[test]
    fn successes_do_not_count_and_sprays_hit_the_address_limit() {
        let l = LoginLimiter::new(2);
        for _ in 0..50 {
            let t = l.reserve(ip("10.0.0.1"), "judge", 0).unwrap();
            l.succeeded(t);
        }
        for i in 0..10 {
            l.reserve(ip("10.0.0.2"), &format!("user{i}"), 0).unwrap();
        }
        assert_eq!(l.reserve(ip("10.0.0.2"), "other", 30_000).err(), Some(30));
    }

    #[test]
    fn wrong_flags_are_reserved_and_released() {
        let l = WrongFlagLimiter::default();
        let first = l.reserve("alpha", 2, 0).unwrap();
        l.reserve("alpha", 2, 1).unwrap();
        assert_eq!(l.reserve("alpha", 2, 2), Err(60));
        l.release("alpha", first);
        assert!(l.reserve("alpha", 2, 3).is_ok());
        assert!(l.reserve("bravo", 2, 3).is_ok());
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies() {
        let p = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
        let peer: IpAddr = "10.1.1.1".parse().unwrap();
        let outside: IpAddr = "203.0.113.5".parse().unwrap();
        assert_eq!(p.client(peer, Some("1.2.3.4, 203.0.113.5")), outside);
        assert_eq!(p.client(peer, Some("203.0.113.5, 10.2.2.2")), outside);
        assert_eq!(p.client(peer, None), peer);
        assert_eq!(p.client(peer, Some("garbage")), peer);
        assert_eq!(p.client(outside, Some("1.2.3.4")), outside);
    }
}
