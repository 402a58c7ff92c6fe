//! Attack/defend components: attack, defense and SLA per team, by the scenario's formula.

use crate::fasthash::FastMap;
use crate::rules::{AdFormula, AttackDefense, Millis, ServiceState};

/// (victim team, service, round, place): one flag.
type FlagKey = (usize, usize, u32, u8);

/// (at, seq, service, round, state): one verdict.
type Check = (Millis, i64, usize, u32, ServiceState);

/// Rounds beyond this are not a game (100,000 ten-second rounds is eleven days); the SLA count
/// keeps one slot per service and round.
pub const MAX_ROUND: u32 = 100_000;

/// Attack/defend events as they arrive.
#[derive(Debug, Clone, Default)]
pub struct AdState {
    rules: AttackDefense,
    services: FastMap<String, usize>,
    /// Per flag: (at, seq, attacker) of each capture (at most one per attacker: the earliest).
    captures: FastMap<FlagKey, Vec<(Millis, i64, usize)>>,
    /// Per team: (at, seq, service, round, state).
    checks: Vec<Vec<Check>>,
    /// (service, round) -> when voided.
    voided: FastMap<(usize, u32), Millis>,
    /// The highest round of any verdict.
    max_round: u32,
}

/// Attack/defend points of one team (weighted per service, before the component weights).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdPoints {
    /// The same per service, in scenario order (weighted by the service's weight).
    pub services: Vec<ServicePoints>,
    /// Σ over captured flags of 1 + 1/captures.
    pub attack: f64,
    /// −Σ over own lost flags of captures^0.75.
    pub defense: f64,
    /// Σ over rounds of (1 if OK or CHECKER_ERROR, 0.5 if RECOVERING) × √N, N the teams
    /// checked in that round.
    pub sla: f64,
    /// When the team's own attack/defend activity last changed its points.
    pub last: Option<Millis>,
}

/// One team's attack/defend points on one service.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct ServicePoints {
    /// Σ over flags captured on this service of weight × (1 + 1/captures).
    pub attack: f64,
    /// −Σ over own flags lost on this service of weight × captures^0.75.
    pub defense: f64,
    /// Weight × Σ over rounds of (1 if OK or CHECKER_ERROR, 0.5 if RECOVERING) × √N, N the
    /// teams checked in that round.
    pub sla: f64,
    /// Flags of other teams captured.
    pub captured: usize,
    /// Own flags lost (captured by at least one team).
    pub lost: usize,
}

/// The first capture on a service (first blood), as indexes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstCapture {
    /// Service index.
    pub service: usize,
    /// Attacker index.
    pub attacker: usize,
    /// Victim index.
    pub victim: usize,
    /// When.
    pub at: Millis,
}

impl AdState {
    /// State for these rules and `teams` teams.
    pub fn new(rules: AttackDefense, teams: usize) -> Self {
        AdState {
            services: rules
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.0.clone(), i))
                .collect(),
            rules,
            checks: vec![Vec::new(); teams],
            ..Default::default()
        }
    }

    /// A service's index.
    pub fn service(&self, id: &str) -> Option<usize> {
        self.services.get(id).copied()
    }

    /// Record a capture (the earliest per flag and attacker counts).
    pub fn capture(
        &mut self,
        attacker: usize,
        victim: usize,
        service: usize,
        round: u32,
        place: u8,
        key: (Millis, i64),
    ) {
        let list = self
            .captures
            .entry((victim, service, round, place))
            .or_default();
        match list.iter_mut().find(|c| c.2 == attacker) {
            Some(c) if (c.0, c.1) > key => *c = (key.0, key.1, attacker),
            Some(_) => {}
            None => list.push((key.0, key.1, attacker)),
        }
    }

    /// Record a verdict; false (ignored) for a round beyond [`MAX_ROUND`].
    pub fn check(
        &mut self,
        team: usize,
        service: usize,
        round: u32,
        state: ServiceState,
        key: (Millis, i64),
    ) -> bool {
        if round > MAX_ROUND {
            return false;
        }
        self.max_round = self.max_round.max(round);
        self.checks[team].push((key.0, key.1, service, round, state));
        true
    }

    /// Record a void.
    pub fn void(&mut self, service: usize, round: u32, at: Millis) {
        let e = self.voided.entry((service, round)).or_insert(at);
        *e = (*e).min(at);
    }

    /// Voided (service index, round) pairs, sorted.
    pub fn voided(&self) -> Vec<(usize, u32)> {
        let mut v: Vec<_> = self.voided.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// Whether any attack/defend rules exist.
    pub fn is_empty(&self) -> bool {
        self.rules.services.is_empty()
    }

    /// The first capture on each service by `t` (by time, then log order), among ranked
    /// attackers, in service order.
    pub fn first_captures(&self, t: Millis, active: &[bool]) -> Vec<FirstCapture> {
        let mut best: Vec<Option<(Millis, i64, usize, usize)>> =
            vec![None; self.rules.services.len()];
        for (&(victim, service, _, _), list) in &self.captures {
            for &(at, seq, attacker) in list {
                if at > t || !active[attacker] {
                    continue;
                }
                let b = &mut best[service];
                if b.is_none_or(|(a, s, _, _)| (at, seq) < (a, s)) {
                    *b = Some((at, seq, attacker, victim));
                }
            }
        }
        best.into_iter()
            .enumerate()
            .filter_map(|(service, b)| {
                b.map(|(at, _, attacker, victim)| FirstCapture {
                    service,
                    attacker,
                    victim,
                    at,
                })
            })
            .collect()
    }

    /// Points of every team at `t`; `active[i]` tells whether team i is ranked (not disqualified).
    ///
    /// Each flag's share is added as an exact fixed-point integer (units of 2⁻⁶⁴) and only the
    /// per-service totals become floating point, so the result is the same whatever order the
    /// captures are visited in (no sorting), and at drill size one pass over the captures is
    /// all the work.
    pub fn points(&self, t: Millis, active: &[bool]) -> Vec<AdPoints> {
        let ns = self.rules.services.len();
        let nt = active.len();
        let mut out = vec![
            AdPoints {
                services: vec![ServicePoints::default(); ns],
                ..Default::default()
            };
            nt
        ];
        if self.is_empty() {
            return out;
        }
        let AdFormula::Faust = self.rules.formula;
        let touch = |p: &mut AdPoints, at: Millis| p.last = Some(p.last.map_or(at, |l| l.max(at)));
        // Per captures count n (1..=teams): a capturer's 1 + 1/n and the victim's n^0.75.
        let gain: Vec<i128> = (0..=nt)
            .map(|n| fixed(1.0 + 1.0 / n.max(1) as f64))
            .collect();
        let loss: Vec<i128> = (0..=nt).map(|n| fixed((n as f64).powf(0.75))).collect();
        // Per (team, service): Σ gain, Σ loss.
        let mut sums = vec![(0i128, 0i128); nt * ns];
        for (&(victim, service, _, _), list) in &self.captures {
            let mut n = 0;
            let mut latest = Millis::MIN;
            for c in list.iter().filter(|c| c.0 <= t && active[c.2]) {
                n += 1;
                latest = latest.max(c.0);
            }
            if n == 0 {
                continue;
            }
            for c in list.iter().filter(|c| c.0 <= t && active[c.2]) {
                sums[c.2 * ns + service].0 += gain[n];
                out[c.2].services[service].captured += 1;
                touch(&mut out[c.2], c.0);
            }
            if active[victim] {
                sums[victim * ns + service].1 += loss[n];
                out[victim].services[service].lost += 1;
                touch(&mut out[victim], latest);
            }
        }
        // Rounds whose verdicts do not count at t, and per (service, round) the latest verdict.
        let rounds = self.max_round as usize + 1;
        let mut voided = vec![false; ns * rounds];
        for (&(s, r), at) in &self.voided {
            if *at <= t && (r as usize) < rounds {
                voided[s * rounds + r as usize] = true;
            }
        }
        let mut latest: Vec<Option<(Millis, i64, ServiceState)>> = vec![None; ns * rounds];
        let teams_in = self.teams_per_round(t, rounds);
        for team in 0..nt {
            let checks = self.checks.get(team).map_or(&[][..], Vec::as_slice);
            latest.iter_mut().for_each(|l| *l = None);
            for &(at, seq, s, r, state) in checks.iter().filter(|c| c.0 <= t) {
                let e = &mut latest[s * rounds + r as usize];
                if e.is_none_or(|(a, q, _)| (at, seq) > (a, q)) {
                    *e = Some((at, seq, state));
                }
            }
            // Per service and per team count N of the round: rounds up (and CHECKER_ERROR: the
            // organisers' fault, never the team's) and rounds recovering.
            let mut up: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); ns];
            for (i, l) in latest.iter().enumerate() {
                let Some((at, _, state)) = *l else { continue };
                if voided[i] {
                    continue;
                }
                let (ok, rec) = match state {
                    ServiceState::Ok | ServiceState::CheckerError => (1, 0),
                    ServiceState::Recovering => (0, 1),
                    _ => continue,
                };
                let n = teams_in[i % rounds];
                let by_n = &mut up[i / rounds];
                match by_n.iter_mut().find(|e| e.0 == n) {
                    Some(e) => {
                        e.1 += ok;
                        e.2 += rec;
                    }
                    None => by_n.push((n, ok, rec)),
                }
                touch(&mut out[team], at);
            }
            let p = &mut out[team];
            for (s, mut by_n) in up.into_iter().enumerate() {
                let w = self.rules.services[s].1;
                // Σ over the team counts N, smallest first: (#OK + 0.5 #RECOVERING) × √N. With
                // the same N in every round this is exactly (#OK + 0.5 #RECOVERING) × √N.
                by_n.sort_unstable_by_key(|e| e.0);
                let sla = w * by_n
                    .iter()
                    .map(|&(n, ok, rec)| (ok as f64 + 0.5 * rec as f64) * (n as f64).sqrt())
                    .fold(0.0, |a, b| a + b);
                let (gain, loss) = sums[team * ns + s];
                let sp = &mut p.services[s];
                sp.attack = w * unfixed(gain);
                // 0 − x, not −x: no flag lost is 0, never −0 (which JSON would show).
                sp.defense = 0.0 - w * unfixed(loss);
                sp.sla = sla;
                p.attack += sp.attack;
                p.defense += sp.defense;
                p.sla += sp.sla;
            }
        }
        out
    }
}

impl AdState {
    /// Per round (index = round number): how many teams had a verdict in it by `t` (any service,
    /// any state). This is the N of the round's SLA: the teams in the game that round, so adding
    /// or disqualifying a team later never changes a past round.
    fn teams_per_round(&self, t: Millis, rounds: usize) -> Vec<u32> {
        let mut count = vec![0u32; rounds];
        let mut last = vec![usize::MAX; rounds];
        for (team, checks) in self.checks.iter().enumerate() {
            for c in checks.iter().filter(|c| c.0 <= t) {
                let r = c.3 as usize;
                if r < rounds && last[r] != team {
                    last[r] = team;
                    count[r] += 1;
                }
            }
        }
        count
    }
}

/// 2⁶⁴: one point in the fixed-point sums.
const ONE: f64 = 18_446_744_073_709_551_616.0;

/// `x` in units of 2⁻⁶⁴, rounded (exact integer sums do not depend on the order of addition).
fn fixed(x: f64) -> i128 {
    (x * ONE).round() as i128
}

/// Back to points.
fn unfixed(x: i128) -> f64 {
    x as f64 / ONE
}
