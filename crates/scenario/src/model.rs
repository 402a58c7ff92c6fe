//! The scenario as the rest of drillboard sees it: parsed and checked, so nothing downstream
//! re-validates it.

use serde::{Deserialize, Serialize};

/// A text in both of the drill's languages. Written as a plain string it is the same in both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    /// Vietnamese.
    pub vi: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The same text in both languages.
    pub fn same(s: impl Into<String>) -> Self {
        let s = s.into();
        Text {
            vi: s.clone(),
            en: s,
        }
    }
}

/// A whole exercise definition, format version 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Exercise metadata and clock.
    pub exercise: Exercise,
    /// Teams declared in the scenario (more can be imported from CSV).
    pub teams: Vec<Team>,
    /// Jeopardy-style tasks.
    pub challenges: Vec<Challenge>,
    /// How components combine into the total, and submission limits.
    pub scoring: Scoring,
}

/// Exercise metadata: identity, languages and clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    /// Stable identifier (lowercase letters, digits, `-`, `_`).
    pub id: String,
    /// Title in both languages.
    pub title: Text,
    /// Optional longer description (Markdown).
    pub description: Text,
    /// IANA time zone in which every page shows times, e.g. `Asia/Ho_Chi_Minh`.
    pub timezone: String,
    /// Planned start, as written (RFC 3339 with offset), in milliseconds since the Unix epoch.
    pub planned_start_ms: i64,
    /// The offset written with the planned start, in seconds east of UTC.
    pub utc_offset_seconds: i32,
    /// Length of the exercise in seconds.
    pub duration_seconds: i64,
    /// How long before the end the public board freezes, in seconds; `None`: never.
    pub freeze_before_end_seconds: Option<i64>,
}

/// A team taking part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Stable identifier, also the team's login name.
    pub id: String,
    /// Display name (unique).
    pub name: String,
    /// Province or organisation it represents.
    pub organisation: String,
    /// Members' names.
    pub members: Vec<String>,
}

/// A jeopardy-style task with flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// Stable identifier.
    pub id: String,
    /// Title in both languages.
    pub title: Text,
    /// Category such as `web`, `forensics`.
    pub category: String,
    /// Description in Markdown, both languages.
    pub description: Text,
    /// Files handed to teams (paths or URLs on the drill network, as given).
    pub files: Vec<String>,
    /// How many points a solve is worth.
    pub value: ValueRule,
    /// Accepted flags; any one of them solves the challenge.
    pub flags: Vec<Flag>,
    /// Hints a team may unlock for a cost.
    pub hints: Vec<Hint>,
    /// Challenges a team must have solved before this one is shown.
    pub requires: Vec<String>,
    /// Bonus for the first, second, ... solver.
    pub first_blood: Vec<i64>,
    /// Seconds after the start when the challenge appears.
    pub release_after_seconds: i64,
}

/// Static or dynamic (CTFd-style decaying) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ValueRule {
    /// Always the same number of points.
    Static {
        /// Points per solve.
        points: i64,
    },
    /// Value falls as more teams solve, retroactively for every solver.
    Dynamic {
        /// Logarithmic or linear decay.
        function: Decay,
        /// Value with at most one solve.
        initial: i64,
        /// Decay parameter (see docs/scoring.md).
        decay: i64,
        /// The value never falls below this.
        minimum: i64,
    },
}

/// CTFd's two decay functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decay {
    /// `ceil(((min - initial) / decay^2) * k^2 + initial)`.
    Logarithmic,
    /// `initial - decay * k`.
    Linear,
}

/// One accepted answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Flag {
    /// Exact text (after trimming surrounding white space).
    Static {
        /// The flag.
        content: String,
        /// Compare ignoring letter case.
        case_insensitive: bool,
    },
    /// A regular expression that must match the whole submission.
    Regex {
        /// The pattern, as written.
        pattern: String,
        /// Compare ignoring letter case.
        case_insensitive: bool,
    },
}

/// A hint with a cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// Identifier within the challenge (`1`, `2`, ... when not given).
    pub id: String,
    /// The hint itself.
    pub content: Text,
    /// Points deducted when a team unlocks it.
    pub cost: i64,
}

/// Weights and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scoring {
    /// Weight of the jeopardy tasks component in the total.
    pub tasks_weight: f64,
    /// Wrong flag submissions allowed per team per minute before it is slowed down.
    pub wrong_flags_per_minute: u32,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            tasks_weight: 1.0,
            wrong_flags_per_minute: 10,
        }
    }
}

impl Flag {
    /// Does `submitted` (already trimmed) match this flag?
    pub fn matches(&self, submitted: &str) -> bool {
        match self {
            Flag::Static {
                content,
                case_insensitive: false,
            } => content == submitted,
            Flag::Static {
                content,
                case_insensitive: true,
            } => content.to_lowercase() == submitted.to_lowercase(),
            Flag::Regex {
                pattern,
                case_insensitive,
            } => whole_match_regex(pattern, *case_insensitive)
                .map(|re| re.is_match(submitted))
                .unwrap_or(false),
        }
    }
}

/// Compile a flag pattern so that it must match the whole submission.
pub fn whole_match_regex(
    pattern: &str,
    case_insensitive: bool,
) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .build()
}

impl Scenario {
    /// Look a challenge up by id.
    pub fn challenge(&self, id: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.id == id)
    }
}
