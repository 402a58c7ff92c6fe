//! Attack/defend components: attack, defense and SLA per team, by the scenario's formula.

use crate::fasthash::FastMap;
use crate::rules::{AdFormula, AttackDefense, Millis, ServiceState};

/// (victim team, service, round, place): one flag.
type FlagKey = (usize, usize, u32, u8);

/// (at, seq, service, round, state): one verdict.
type Check = (Millis, i64, usize, u32, ServiceState);

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
    /// (#OK + 0.5 #RECOVERING) × √(active teams).
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
    /// Weight × (#OK + 0.5 #RECOVERING) × √(active teams).
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

    /// Record a verdict.
    pub fn check(
        &mut self,
        team: usize,
        service: usize,
        round: u32,
        state: ServiceState,
        key: (Millis, i64),
    ) {
        self.checks[team].push((key.0, key.1, service, round, state));
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
    pub fn points(&self, t: Millis, active: &[bool]) -> Vec<AdPoints> {
        let ns = self.rules.services.len();
        let mut out = vec![
            AdPoints {
                services: vec![ServicePoints::default(); ns],
                ..Default::default()
            };
            active.len()
        ];
        if self.is_empty() {
            return out;
        }
        let AdFormula::Faust = self.rules.formula;
        let weight = |s: usize| self.rules.services[s].1;
        let touch = |p: &mut AdPoints, at: Millis| p.last = Some(p.last.map_or(at, |l| l.max(at)));
        // Sorted, so that sums are added in the same order whatever order events arrived in.
        let mut flags: Vec<_> = self.captures.iter().collect();
        flags.sort_unstable_by_key(|(k, _)| **k);
        for (&(victim, service, _, _), list) in flags {
            let counted: Vec<_> = list.iter().filter(|c| c.0 <= t && active[c.2]).collect();
            if counted.is_empty() {
                continue;
            }
            let n = counted.len() as f64;
            for c in &counted {
                let p = &mut out[c.2];
                let points = weight(service) * (1.0 + 1.0 / n);
                p.attack += points;
                p.services[service].attack += points;
                p.services[service].captured += 1;
                touch(p, c.0);
            }
            if active[victim] {
                let p = &mut out[victim];
                let points = weight(service) * n.powf(0.75);
                p.defense -= points;
                p.services[service].defense -= points;
                p.services[service].lost += 1;
                touch(p, counted.iter().map(|c| c.0).max().unwrap_or(t));
            }
        }
        let active_teams = active.iter().filter(|a| **a).count() as f64;
        for (team, checks) in self.checks.iter().enumerate() {
            // The latest verdict per (service, round) counts, unless the round was voided by t.
            let mut latest: FastMap<(usize, u32), (Millis, i64, ServiceState)> = FastMap::default();
            for &(at, seq, s, r, state) in checks.iter().filter(|c| c.0 <= t) {
                let e = latest.entry((s, r)).or_insert((at, seq, state));
                if (at, seq) > (e.0, e.1) {
                    *e = (at, seq, state);
                }
            }
            let p = &mut out[team];
            let mut latest: Vec<_> = latest.into_iter().collect();
            latest.sort_unstable_by_key(|(k, _)| *k);
            for ((s, r), (at, _, state)) in latest {
                if self.voided.get(&(s, r)).is_some_and(|v| *v <= t) {
                    continue;
                }
                // A checker error is the organisers' fault: it counts as up, never against the team.
                let share = match state {
                    ServiceState::Ok | ServiceState::CheckerError => 1.0,
                    ServiceState::Recovering => 0.5,
                    _ => continue,
                };
                let points = weight(s) * share * active_teams.sqrt();
                p.sla += points;
                p.services[s].sla += points;
                touch(p, at);
            }
        }
        out
    }
}
