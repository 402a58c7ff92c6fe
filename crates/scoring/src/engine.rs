//! The fold itself, kept as indexed state so that events can be added one at a time and the
//! standings at any time computed from them.

use std::cmp::Ordering;
use std::sync::Arc;

use serde::Serialize;

use crate::ad::{AdState, ServicePoints};
use crate::fasthash::FastMap;
use crate::reports::{ReportScore, Reports};
use crate::rules::{ChallengeRule, Config, Event, EventKind, Millis, ValueRule, dynamic_value};

/// Indexed event state for one scenario. Adding events in any order gives the same standings:
/// everything is ordered by `(at, seq)` when the standings are computed.
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    team_index: FastMap<String, usize>,
    challenge_index: FastMap<String, usize>,
    /// Shared copies of ids and names, so standings do not allocate a string per row.
    team_ids: Vec<Arc<str>>,
    team_names: Vec<Arc<str>>,
    challenge_ids: Vec<Arc<str>>,
    /// Per challenge: (at, seq, team) of each solve, at most one per team (the earliest).
    solves: Vec<Vec<(Millis, i64, usize)>>,
    /// (team, challenge) -> (at, seq) of the counted solve, to keep only the earliest in O(1).
    solved: FastMap<(usize, usize), (Millis, i64)>,
    /// Per team: each hint unlock, at most one per hint.
    hints: Vec<Vec<Unlock>>,
    /// Per team: each adjustment.
    adjustments: Vec<Vec<Adjusted>>,
    /// Graded reports and grade releases.
    reports: Reports,
    /// Attack/defend captures and checker verdicts.
    ad: AdState,
    /// Per team: (at, seq, disqualified?).
    status: Vec<Vec<(Millis, i64, bool)>>,
    ignored: usize,
}

/// (at, seq, challenge index, hint index, cost) of a hint unlock.
type Unlock = (Millis, i64, usize, usize, i64);

/// The ranking at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standings {
    /// The moment (None: everything so far).
    pub as_of: Option<Millis>,
    /// How many teams are ranked.
    pub of: usize,
    /// Best first.
    pub standings: Vec<Standing>,
    /// Current value and solve count of every challenge.
    pub challenges: Vec<ChallengeValue>,
    /// The first capture on each attack/defend service that has one, in service order.
    pub first_bloods: Vec<FirstBlood>,
}

/// The first flag captured on a service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstBlood {
    /// Service id.
    pub service: Arc<str>,
    /// The attacker.
    pub team: Arc<str>,
    /// Whose flag it was.
    pub victim: Arc<str>,
    /// When it was accepted.
    pub at: Millis,
}

/// One team's place and how it got there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// 1-based, no shared ranks.
    pub rank: usize,
    /// Team id.
    pub team: Arc<str>,
    /// Team name.
    pub name: Arc<str>,
    /// Weighted total.
    pub score: f64,
    /// Unweighted components.
    pub components: Components,
    /// Challenges solved.
    pub solves: usize,
    /// When the team's own last score change happened (the first tie-breaker).
    pub reached_at: Option<Millis>,
    /// Every solved challenge with its points, in solve order.
    pub challenges: Vec<ChallengeScore>,
    /// Total cost of unlocked hints.
    pub hint_cost: i64,
    /// Every counted report with its criteria and late deduction.
    pub reports: Vec<ReportScore>,
    /// Attack/defend points per service, in scenario order (empty without attack/defend).
    pub services: Vec<ServicePoints>,
    /// Every counted manual adjustment with its reason, in log order.
    pub adjustments: Vec<AdjustmentScore>,
}

/// One manual adjustment as it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustmentScore {
    /// Points added (negative: removed).
    pub points: f64,
    /// Why, as the organiser wrote it.
    pub reason: Arc<str>,
    /// When.
    pub at: Millis,
}

/// Component scores before weighting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Components {
    /// Solves + first-blood bonuses - hint costs.
    pub tasks: f64,
    /// Graded incident reports (weighted per inject, late factor applied).
    pub reports: f64,
    /// Attack/defend: flags captured.
    pub attack: f64,
    /// Attack/defend: own flags lost (zero or negative).
    pub defense: f64,
    /// Attack/defend: service availability.
    pub sla: f64,
    /// Manual adjustments.
    pub adjustments: f64,
}

/// Points from one solve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengeScore {
    /// Challenge id.
    pub challenge: Arc<str>,
    /// The challenge's current value (dynamic values apply to every solver).
    pub points: i64,
    /// First-blood bonus for this team's place among solvers.
    pub first_blood_bonus: i64,
    /// Hints unlocked for this challenge.
    pub hint_cost: i64,
    /// When the flag was accepted.
    pub solved_at: Millis,
}

/// A challenge's value at the moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengeValue {
    /// Challenge id.
    pub id: Arc<str>,
    /// Points a solve is worth now.
    pub value: i64,
    /// Counted solves.
    pub solves: usize,
    /// The first counted solve (the one that takes the first-blood bonus): team and time.
    #[serde(skip)]
    pub first: Option<(Arc<str>, Millis)>,
}

impl Engine {
    /// An engine with no events.
    pub fn new(config: Config) -> Self {
        let team_index = config
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let challenge_index = config
            .challenges
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let (nt, nc) = (config.teams.len(), config.challenges.len());
        Engine {
            reports: Reports::new(config.injects.clone(), nt),
            ad: AdState::new(config.attack_defense.clone(), nt),
            team_ids: config
                .teams
                .iter()
                .map(|t| Arc::from(t.id.as_str()))
                .collect(),
            team_names: config
                .teams
                .iter()
                .map(|t| Arc::from(t.name.as_str()))
                .collect(),
            challenge_ids: config
                .challenges
                .iter()
                .map(|c| Arc::from(c.id.as_str()))
                .collect(),
            config,
            team_index,
            challenge_index,
            solves: vec![Vec::new(); nc],
            solved: FastMap::default(),
            hints: vec![Vec::new(); nt],
            adjustments: vec![Vec::new(); nt],
            status: vec![Vec::new(); nt],
            ignored: 0,
        }
    }

    /// An engine with these events applied.
    pub fn replay<'a>(config: Config, events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut engine = Engine::new(config);
        for e in events {
            engine.apply(e);
        }
        engine
    }

    /// The rules this engine scores with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Events that named a team or challenge the rules do not know (hidden teams, say).
    pub fn ignored(&self) -> usize {
        self.ignored
    }

    /// Challenges a team has solved (at any time, disqualified or not), in scenario order.
    pub fn solved_by(&self, team: &str) -> Vec<&str> {
        let Some(&t) = self.team_index.get(team) else {
            return Vec::new();
        };
        self.config
            .challenges
            .iter()
            .enumerate()
            .filter(|(c, _)| self.solved.contains_key(&(t, *c)))
            .map(|(_, rule)| rule.id.as_str())
            .collect()
    }

    /// Whether a team is disqualified now: its latest disqualification or reinstatement decides.
    pub fn is_disqualified(&self, team: &str) -> bool {
        self.team_index
            .get(team)
            .is_some_and(|&t| self.disqualified_at(t, Millis::MAX))
    }

    /// Whether team `team` (an index) is disqualified at `t`: its latest disqualification or
    /// reinstatement at or before `t` decides.
    fn disqualified_at(&self, team: usize, t: Millis) -> bool {
        self.status[team]
            .iter()
            .filter(|x| x.0 <= t)
            .max_by_key(|x| (x.0, x.1))
            .is_some_and(|x| x.2)
    }

    /// The solves of challenge `c` that count at `t` (teams disqualified then are left out), in
    /// (time, sequence) order: the order that decides first blood.
    fn counted_solves(&self, c: usize, t: Millis) -> impl Iterator<Item = &(Millis, i64, usize)> {
        self.solves[c]
            .iter()
            .filter(move |s| s.0 <= t && !self.disqualified_at(s.2, t))
    }

    /// Voided attack/defend rounds as (service id, round).
    pub fn voided_rounds(&self) -> Vec<(String, u32)> {
        self.ad
            .voided()
            .into_iter()
            .map(|(s, r)| (self.config.attack_defense.services[s].0.clone(), r))
            .collect()
    }

    /// When an inject's grades were released, if they were.
    pub fn grades_released(&self, inject: &str) -> Option<Millis> {
        self.reports.released_at(inject)
    }

    /// Move an inject's report deadline (it was released early): late factors follow.
    pub fn set_inject_due(&mut self, inject: &str, due_at: Option<Millis>) {
        if let Some(r) = self.config.injects.iter_mut().find(|r| r.id == inject) {
            r.due_at = due_at;
        }
        self.reports.set_due(inject, due_at);
    }

    /// The rule of an inject's report (weight, deadline, late policy).
    pub fn inject_rule(&self, inject: &str) -> Option<&crate::rules::InjectRule> {
        self.config.injects.iter().find(|r| r.id == inject)
    }

    /// Hints a team has unlocked, as (challenge id, hint id).
    pub fn hints_unlocked(&self, team: &str) -> Vec<(&str, &str)> {
        let Some(&t) = self.team_index.get(team) else {
            return Vec::new();
        };
        self.hints[t]
            .iter()
            .map(|u| {
                let rule = &self.config.challenges[u.2];
                (rule.id.as_str(), rule.hints[u.3].0.as_str())
            })
            .collect()
    }

    /// Add one event. A second solve of the same challenge by the same team, or a second unlock of
    /// the same hint, keeps only the earlier one.
    pub fn apply(&mut self, e: &Event) {
        match &e.kind {
            EventKind::GradesReleased { inject } => {
                if !self.reports.release(inject, (e.at, e.seq)) {
                    self.ignored += 1;
                }
                return;
            }
            EventKind::RoundVoided { service, round } => {
                match self.ad.service(service) {
                    Some(s) => self.ad.void(s, *round, e.at),
                    None => self.ignored += 1,
                }
                return;
            }
            _ => {}
        }
        let Some(&team) = self.team_index.get(&e.team) else {
            self.ignored += 1;
            return;
        };
        let key = (e.at, e.seq);
        match &e.kind {
            EventKind::Solve { challenge } => {
                let Some(&c) = self.challenge_index.get(challenge) else {
                    self.ignored += 1;
                    return;
                };
                let list = &mut self.solves[c];
                if let Some(&earlier) = self.solved.get(&(team, c)) {
                    if earlier <= key {
                        return;
                    }
                    list.retain(|s| s.2 != team);
                }
                self.solved.insert((team, c), key);
                let at = list.partition_point(|s| (s.0, s.1) < key);
                list.insert(at, (e.at, e.seq, team));
            }
            EventKind::HintUnlock { challenge, hint } => {
                let Some(&c) = self.challenge_index.get(challenge) else {
                    self.ignored += 1;
                    return;
                };
                let Some((h, cost)) = self.config.challenges[c]
                    .hints
                    .iter()
                    .enumerate()
                    .find(|(_, h)| &h.0 == hint)
                    .map(|(i, h)| (i, h.1))
                else {
                    self.ignored += 1;
                    return;
                };
                let list = &mut self.hints[team];
                if let Some(i) = list.iter().position(|u| u.2 == c && u.3 == h) {
                    if (list[i].0, list[i].1) <= key {
                        return;
                    }
                    list.remove(i);
                }
                list.push((e.at, e.seq, c, h, cost));
            }
            EventKind::Adjustment { points, reason } => {
                self.adjustments[team].push((e.at, e.seq, *points, reason.as_str().into()))
            }
            EventKind::Disqualify { .. } => self.status[team].push((e.at, e.seq, true)),
            EventKind::Reinstate => self.status[team].push((e.at, e.seq, false)),
            EventKind::ReportGraded {
                inject,
                criteria,
                submitted_at,
            } => {
                if !self
                    .reports
                    .grade(team, inject, key, criteria, *submitted_at)
                {
                    self.ignored += 1;
                }
            }
            EventKind::GradesReleased { .. } | EventKind::RoundVoided { .. } => {}
            EventKind::FlagCaptured {
                service,
                victim,
                round,
                place,
            } => match (self.ad.service(service), self.team_index.get(victim)) {
                (Some(s), Some(&v)) if v != team => {
                    self.ad.capture(team, v, s, *round, *place, key)
                }
                _ => self.ignored += 1,
            },
            EventKind::ServiceChecked {
                service,
                round,
                state,
            } => match self.ad.service(service) {
                Some(s) if self.ad.check(team, s, *round, *state, key) => {}
                _ => self.ignored += 1,
            },
        }
    }

    /// A challenge's value at `as_of` (None: now), as the standings show it, without computing
    /// them: what a solver is told right after its solve. None for an unknown challenge.
    pub fn value_of(&self, challenge: &str, as_of: Option<Millis>) -> Option<i64> {
        let &c = self.challenge_index.get(challenge)?;
        let n = self.counted_solves(c, as_of.unwrap_or(Millis::MAX)).count();
        Some(rule_value(&self.config.challenges[c], n))
    }

    /// The first-blood bonus `team`'s solve of `challenge` takes at `as_of` (None: now): by its
    /// place among the counted solvers. None when it has not solved it (or the solve does not
    /// count at `as_of`).
    pub fn first_blood_of(
        &self,
        challenge: &str,
        team: &str,
        as_of: Option<Millis>,
    ) -> Option<i64> {
        let &c = self.challenge_index.get(challenge)?;
        let &who = self.team_index.get(team)?;
        let place = self
            .counted_solves(c, as_of.unwrap_or(Millis::MAX))
            .position(|s| s.2 == who)?;
        Some(
            self.config.challenges[c]
                .first_blood
                .get(place)
                .copied()
                .unwrap_or(0),
        )
    }

    /// The standings counting events at or before `as_of` (None: all events).
    pub fn standings(&self, as_of: Option<Millis>) -> Standings {
        let t = as_of.unwrap_or(Millis::MAX);
        let nt = self.config.teams.len();
        let disqualified: Vec<bool> = (0..self.status.len())
            .map(|team| self.disqualified_at(team, t))
            .collect();
        let mut acc = vec![Acc::default(); nt];
        let mut values = Vec::with_capacity(self.config.challenges.len());
        let mut hint_by_team_challenge: FastMap<(usize, usize), i64> = FastMap::default();
        for (team, list) in self.hints.iter().enumerate() {
            for &(at, _, c, _, cost) in list.iter().filter(|h| h.0 <= t) {
                let a = &mut acc[team];
                a.hint_cost += cost;
                a.touch(at);
                *hint_by_team_challenge.entry((team, c)).or_default() += cost;
            }
        }
        for (c, rule) in self.config.challenges.iter().enumerate() {
            let counted = self.solves[c]
                .iter()
                .filter(|s| s.0 <= t && !disqualified[s.2]);
            let n = counted.clone().count();
            let value = rule_value(rule, n);
            values.push(ChallengeValue {
                id: self.challenge_ids[c].clone(),
                value,
                solves: n,
                first: counted
                    .clone()
                    .next()
                    .map(|&(at, _, team)| (self.team_ids[team].clone(), at)),
            });
            for (place, &(at, _, team)) in counted.enumerate() {
                let bonus = rule.first_blood.get(place).copied().unwrap_or(0);
                let a = &mut acc[team];
                a.points += value + bonus;
                a.touch(at);
                a.challenges.push(ChallengeScore {
                    challenge: self.challenge_ids[c].clone(),
                    points: value,
                    first_blood_bonus: bonus,
                    hint_cost: hint_by_team_challenge.get(&(team, c)).copied().unwrap_or(0),
                    solved_at: at,
                });
            }
        }
        for (team, list) in self.adjustments.iter().enumerate() {
            // In log order, whatever order they arrived in (so the sum is the same bits).
            let mut counted: Vec<_> = list.iter().filter(|x| x.0 <= t).collect();
            counted.sort_unstable_by_key(|x| (x.0, x.1));
            for (at, _, points, reason) in counted {
                let a = &mut acc[team];
                a.adjustments += points;
                if *points != 0.0 {
                    a.touch(*at);
                }
                a.adjustment_list.push(AdjustmentScore {
                    points: *points,
                    reason: reason.clone(),
                    at: *at,
                });
            }
        }
        let weight = self.config.tasks_weight;
        let active: Vec<bool> = disqualified.iter().map(|d| !d).collect();
        let mut ad = self.ad.points(t, &active);
        let first_bloods = self
            .ad
            .first_captures(t, &active)
            .into_iter()
            .map(|f| FirstBlood {
                service: self.config.attack_defense.services[f.service]
                    .0
                    .as_str()
                    .into(),
                team: self.team_ids[f.attacker].clone(),
                victim: self.team_ids[f.victim].clone(),
                at: f.at,
            })
            .collect();
        let w = &self.config.attack_defense;
        let mut standings: Vec<Standing> = acc
            .into_iter()
            .enumerate()
            .filter(|(team, _)| !disqualified[*team])
            .map(|(team, mut a)| {
                a.challenges.sort_by_key(|c| c.solved_at);
                let tasks = (a.points - a.hint_cost) as f64;
                let reports = self.reports.scores(team, t);
                let report_points: f64 = reports.iter().map(|r| r.points).sum();
                if let Some(last) = reports
                    .iter()
                    .filter(|r| r.points != 0.0)
                    .map(|r| r.counted_at)
                    .max()
                {
                    a.touch(last);
                }
                let ad = std::mem::take(&mut ad[team]);
                if let Some(last) = ad.last {
                    a.touch(last);
                }
                Standing {
                    rank: 0,
                    team: self.team_ids[team].clone(),
                    name: self.team_names[team].clone(),
                    score: weight * tasks
                        + self.config.reports_weight * report_points
                        + w.attack_weight * ad.attack
                        + w.defense_weight * ad.defense
                        + w.sla_weight * ad.sla
                        + a.adjustments,
                    components: Components {
                        tasks,
                        reports: report_points,
                        attack: ad.attack,
                        defense: ad.defense,
                        sla: ad.sla,
                        adjustments: a.adjustments,
                    },
                    solves: a.challenges.len(),
                    reached_at: a.reached_at,
                    challenges: a.challenges,
                    hint_cost: a.hint_cost,
                    reports,
                    services: ad.services,
                    adjustments: a.adjustment_list,
                }
            })
            .collect();
        standings.sort_by(ranking_order);
        for (i, s) in standings.iter_mut().enumerate() {
            s.rank = i + 1;
        }
        Standings {
            as_of,
            of: standings.len(),
            standings,
            challenges: values,
            first_bloods,
        }
    }
}

/// The value of a challenge with `n` counted solves.
fn rule_value(rule: &ChallengeRule, n: usize) -> i64 {
    match rule.value {
        ValueRule::Static(points) => points,
        ValueRule::Dynamic {
            function,
            initial,
            decay,
            minimum,
        } => dynamic_value(function, initial, decay, minimum, n),
    }
}

/// Higher score first; on equal scores, whoever reached it first (a team that never scored comes
/// after those that did); then by name, then id.
fn ranking_order(a: &Standing, b: &Standing) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| match (a.reached_at, b.reached_at) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| a.team.cmp(&b.team))
}

/// (at, seq, points, reason) of one adjustment.
type Adjusted = (Millis, i64, f64, Arc<str>);

#[derive(Debug, Clone, Default)]
struct Acc {
    points: i64,
    hint_cost: i64,
    adjustments: f64,
    adjustment_list: Vec<AdjustmentScore>,
    reached_at: Option<Millis>,
    challenges: Vec<ChallengeScore>,
}

impl Acc {
    fn touch(&mut self, at: Millis) {
        self.reached_at = Some(self.reached_at.map_or(at, |r| r.max(at)));
    }
}
