//! The inputs of the fold: scoring rules and events.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// Everything about a scenario that affects scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Ranked teams (hidden teams are left out by the caller).
    pub teams: Vec<TeamInfo>,
    /// Jeopardy tasks and how they score.
    pub challenges: Vec<ChallengeRule>,
    /// Weight of the tasks component in the total.
    pub tasks_weight: f64,
    /// Injects that ask for a report, with their deadlines.
    #[serde(default)]
    pub injects: Vec<InjectRule>,
    /// Weight of the reports component in the total.
    #[serde(default)]
    pub reports_weight: f64,
    /// Attack/defend services and the formula that scores them.
    #[serde(default)]
    pub attack_defense: AttackDefense,
}

/// Attack/defend scoring: services, the formula and the component weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AttackDefense {
    /// Services by id, with their weight.
    pub services: Vec<(String, f64)>,
    /// The formula (only FAUST's today; others may follow the same interface).
    pub formula: AdFormula,
    /// Weight of the attack component.
    pub attack_weight: f64,
    /// Weight of the defense component.
    pub defense_weight: f64,
    /// Weight of the SLA component.
    pub sla_weight: f64,
}

/// How attack/defend events become points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AdFormula {
    /// FAUST CTF: attack = Σ 1 + 1/captures(flag); defense = −Σ captures(flag)^0.75;
    /// SLA = (#OK + 0.5 #RECOVERING) × √(active teams), a checker error counting as OK. Each per
    /// service, times its weight.
    #[default]
    Faust,
}

/// A checker's verdict as it counts for SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Up and every flag retrievable.
    Ok,
    /// Up, but flags of earlier rounds are missing (half SLA).
    Recovering,
    /// A flag is wrong or missing.
    Corrupt,
    /// The service answers wrongly.
    Mumble,
    /// Unreachable (or the checker timed out).
    Down,
    /// The checker failed: never counted against the team.
    CheckerError,
}

/// How a report for one inject scores: its weight and its late policy, in absolute times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectRule {
    /// Inject id.
    pub id: String,
    /// Weight of this report in the reports component.
    pub weight: f64,
    /// When the report is due (None until the exercise has started).
    pub due_at: Option<Millis>,
    /// Milliseconds after the due time without penalty.
    pub grace_ms: i64,
    /// Fraction lost per started minute after the grace period.
    pub penalty_per_minute: f64,
    /// Milliseconds after the due time after which a report counts for nothing.
    pub cutoff_ms: Option<i64>,
}

impl InjectRule {
    /// `(minutes late, factor)` for a report submitted at `submitted_at`:
    /// `minutes = ceil((submitted_at - due - grace) / 1 min)` when positive, else 0;
    /// `factor = max(0, 1 - penalty_per_minute * minutes)`, and 0 past the cutoff.
    pub fn late(&self, submitted_at: Millis) -> (i64, f64) {
        let Some(due) = self.due_at else {
            return (0, 1.0);
        };
        let over = submitted_at - due - self.grace_ms;
        let minutes = if over > 0 {
            (over + 59_999) / 60_000
        } else {
            0
        };
        if self.cutoff_ms.is_some_and(|c| submitted_at > due + c) {
            return (minutes, 0.0);
        }
        (
            minutes,
            (1.0 - self.penalty_per_minute * minutes as f64).max(0.0),
        )
    }
}

/// A team as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInfo {
    /// Stable id.
    pub id: String,
    /// Display name; the last tie-breaker.
    pub name: String,
}

/// How one challenge scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeRule {
    /// Challenge id.
    pub id: String,
    /// Static or decaying value.
    pub value: ValueRule,
    /// Bonus for the 1st, 2nd, ... solver.
    pub first_blood: Vec<i64>,
    /// Hint ids and their costs.
    pub hints: Vec<(String, i64)>,
}

/// The value of a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueRule {
    /// Always this many points.
    Static(i64),
    /// CTFd's dynamic value, recomputed for every solver as solves accumulate.
    Dynamic {
        /// Decay function.
        function: Decay,
        /// Value with at most one solve.
        initial: i64,
        /// Decay parameter (> 0).
        decay: i64,
        /// Floor.
        minimum: i64,
    },
}

/// CTFd's decay functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decay {
    /// `ceil(((minimum - initial) / decay^2) * k^2 + initial)`.
    Logarithmic,
    /// `initial - decay * k`.
    Linear,
}

/// A fact that can move a score. Events are never changed; a correction is another event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log (ties in `at` are broken by it).
    pub seq: i64,
    /// When it happened.
    pub at: Millis,
    /// The team it concerns.
    pub team: String,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of score-moving facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A correct flag for a challenge.
    Solve {
        /// Challenge id.
        challenge: String,
    },
    /// A hint unlocked (its cost is charged once).
    HintUnlock {
        /// Challenge id.
        challenge: String,
        /// Hint id.
        hint: String,
    },
    /// A manual correction by an organiser; positive or negative.
    Adjustment {
        /// Points added (negative: removed).
        points: f64,
        /// Why; shown in the breakdown.
        reason: String,
    },
    /// The team is removed from the ranking (and its solves stop counting for decay).
    Disqualify {
        /// Why.
        reason: String,
    },
    /// A disqualification is lifted.
    Reinstate,
    /// A report's grade was finalised (the latest one for a team and inject counts).
    ReportGraded {
        /// Inject id.
        inject: String,
        /// Finalised score per rubric criterion.
        criteria: Vec<(String, f64)>,
        /// When the graded version was submitted (for the late factor).
        submitted_at: Millis,
    },
    /// The organiser released an inject's grades: from now on they count (`team` is empty).
    GradesReleased {
        /// Inject id.
        inject: String,
    },
    /// The team (the attacker) submitted another team's flag (once per flag and attacker).
    FlagCaptured {
        /// Service id.
        service: String,
        /// The team whose service held the flag.
        victim: String,
        /// The round the flag was planted in.
        round: u32,
        /// Flag place within the service.
        place: u8,
    },
    /// The checker's verdict for the team's service in a round.
    ServiceChecked {
        /// Service id.
        service: String,
        /// Round.
        round: u32,
        /// Verdict.
        state: ServiceState,
    },
    /// A round's verdicts for a service do not count (the checker was broken; `team` is empty).
    RoundVoided {
        /// Service id.
        service: String,
        /// Round.
        round: u32,
    },
}

/// CTFd's dynamic value for a challenge with `solves` solves, as an exact integer computation.
///
/// With `k = max(solves, 1) - 1`: logarithmic `ceil(initial + (minimum - initial) * k^2 / decay^2)`,
/// linear `initial - decay * k`; both floored at `minimum`.
pub fn dynamic_value(
    function: Decay,
    initial: i64,
    decay: i64,
    minimum: i64,
    solves: usize,
) -> i64 {
    let k = solves.max(1) as i128 - 1;
    let (initial, decay, minimum) = (initial as i128, decay.max(1) as i128, minimum as i128);
    let value = match function {
        Decay::Logarithmic => {
            // (minimum - initial) <= 0, so ceil(num / den) = -((-num) / den) with integer division.
            let num = (minimum - initial) * k * k;
            let den = decay * decay;
            initial - ((-num) / den)
        }
        Decay::Linear => initial - decay * k,
    };
    value.max(minimum).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values computed with CTFd's own Python expressions for the same parameters.
    #[test]
    fn matches_ctfd() {
        // initial 500, decay 10, minimum 100: ceil(((100-500)/100) * k^2 + 500)
        let log = |n| dynamic_value(Decay::Logarithmic, 500, 10, 100, n);
        assert_eq!(log(0), 500);
        assert_eq!(log(1), 500);
        assert_eq!(log(2), 496);
        assert_eq!(log(3), 484);
        assert_eq!(log(5), 436);
        assert_eq!(log(11), 100);
        assert_eq!(log(50), 100);
        // A non-integer step: initial 100, decay 3, minimum 10: ceil(-90/9*k^2 + 100) with k = 1 -> 90
        assert_eq!(dynamic_value(Decay::Logarithmic, 100, 3, 10, 2), 90);
        // initial 100, decay 7, minimum 0, k = 2: ceil(100 - 100*4/49) = ceil(91.836..) = 92
        assert_eq!(dynamic_value(Decay::Logarithmic, 100, 7, 0, 3), 92);
        let lin = |n| dynamic_value(Decay::Linear, 300, 25, 50, n);
        assert_eq!(lin(1), 300);
        assert_eq!(lin(2), 275);
        assert_eq!(lin(11), 50);
        assert_eq!(lin(12), 50);
    }
}
