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

impl Challenge {
    /// The category as shown, in both languages.
    pub fn category_label(&self) -> Text {
        self.category_text
            .clone()
            .unwrap_or_else(|| Text::same(self.category.clone()))
    }
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
    /// Timed incident injects, some asking for a report.
    #[serde(default)]
    pub injects: Vec<Inject>,
    /// Attack/defend game settings; `None` when the drill has no attack/defend part.
    #[serde(default)]
    pub attack_defense: Option<AttackDefense>,
    /// Services every team runs, attacks and defends.
    #[serde(default)]
    pub services: Vec<Service>,
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
    /// Source networks of the team's machines: a flag submission connection from inside one
    /// is the team's without a token (FAUST style).
    #[serde(default)]
    pub networks: Vec<crate::Network>,
}

/// A jeopardy-style task with flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// Stable identifier.
    pub id: String,
    /// Title in both languages.
    pub title: Text,
    /// Category such as `web`, `forensics` (the English label when both are given): the key
    /// challenges are grouped by.
    pub category: String,
    /// The category as shown, in both languages (None in scenarios stored before it existed:
    /// then `category` in both).
    #[serde(default)]
    pub category_text: Option<Text>,
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
    /// Kept out of sight: teams and the public never see it, and it cannot be solved.
    #[serde(default)]
    pub hidden: bool,
    /// How to reach the challenge's service (`nc 10.60.0.5 9001`), shown to teams.
    #[serde(default)]
    pub connection_info: Option<String>,
    /// Most wrong flags a team may submit for this challenge (None: no limit beyond the
    /// per-minute one).
    #[serde(default)]
    pub max_attempts: Option<u32>,
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
    /// Weight of the incident reports component in the total.
    #[serde(default = "one")]
    pub reports_weight: f64,
    /// Wrong flag submissions allowed per team per minute before it is slowed down.
    pub wrong_flags_per_minute: u32,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            tasks_weight: 1.0,
            reports_weight: 1.0,
            wrong_flags_per_minute: 10,
        }
    }
}

fn one() -> f64 {
    1.0
}

/// Attack/defend game settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackDefense {
    /// Length of a round in seconds.
    pub round_seconds: i64,
    /// How many rounds a flag can be submitted for.
    pub flag_lifetime_rounds: u32,
    /// Text every flag starts with, e.g. `DRILL_`.
    pub flag_prefix: String,
    /// Base32 characters between prefix and suffix (21 to 64; 32 by default).
    #[serde(default = "default_body")]
    pub flag_body_length: u32,
    /// Text every flag ends with (`=` by default; may be empty).
    #[serde(default = "default_suffix")]
    pub flag_suffix: String,
    /// The scoring formula (`faust`).
    pub formula: String,
    /// Whether a team whose own service is down may still score attacks on it.
    pub attack_when_down: bool,
    /// Weight of the attack component.
    pub attack_weight: f64,
    /// Weight of the defense component.
    pub defense_weight: f64,
    /// Weight of the SLA component.
    pub sla_weight: f64,
    /// Flags a team may submit per second (sustained), over HTTP and TCP together.
    #[serde(default = "default_rate")]
    pub flags_per_second: u32,
    /// Most flags in one HTTP `PUT /flags` request.
    #[serde(default = "default_per_request")]
    pub max_flags_per_request: u32,
}

fn default_body() -> u32 {
    32
}

fn default_suffix() -> String {
    "=".to_owned()
}

fn default_on_failure() -> String {
    "up".to_owned()
}

fn default_rate() -> u32 {
    100
}

fn default_per_request() -> u32 {
    1000
}

/// A service every team runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Stable identifier.
    pub id: String,
    /// Name in both languages.
    pub name: Text,
    /// Weight of its points.
    pub weight: f64,
    /// The checker program and its fixed arguments (Hackerdom/ForcAD command line); empty for
    /// an ENOWARS checker (`checker_http`).
    pub checker: Vec<String>,
    /// Per-action time limit in seconds.
    pub timeout_seconds: i64,
    /// Number of flag places (vulns), from 1.
    pub places: u8,
    /// Address of a team's instance: `{team}` is the team id, `{index}` its 1-based position.
    pub host: String,
    /// Addresses that do not follow the template, by team id.
    pub hosts: Vec<(String, String)>,
    /// What a failed checker (not one that answered) means: `up`, `down` or `probe` (connect to
    /// the service: refused or unreachable is down, else checker error). The loader's default is
    /// `probe` when `host` has a port, `up` otherwise; scenarios stored before the setting
    /// existed read as `up`, as they were scored.
    #[serde(default = "default_on_failure")]
    pub on_checker_failure: String,
    /// An ENOWARS checker service (`checker: {http: URL}`); `checker` is then empty and `places`
    /// are its flag variants.
    #[serde(default)]
    pub checker_http: Option<String>,
    /// ENOWARS noise variants checked each round (SLA only).
    #[serde(default)]
    pub noise: u8,
    /// ENOWARS havoc variants run each round (SLA only).
    #[serde(default)]
    pub havoc: u8,
}

/// A scenario event released on the clock ("17:05 — the portal is defaced; report within 45 min").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inject {
    /// Stable identifier.
    pub id: String,
    /// Title in both languages.
    pub title: Text,
    /// The situation, in Markdown, both languages.
    pub body: Text,
    /// Seconds after the start when teams see it.
    pub release_after_seconds: i64,
    /// Team ids it goes to; empty means every team.
    pub audience: Vec<String>,
    /// Files handed out with it (paths or URLs on the drill network, as given).
    pub attachments: Vec<String>,
    /// The report it asks for, if any.
    pub report: Option<ReportRequirement>,
}

/// What a report must be and how it is graded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequirement {
    /// Seconds after the inject's release when the report is due.
    pub due_within_seconds: i64,
    /// Seconds after the due time before any penalty.
    pub grace_seconds: i64,
    /// Fraction of the score lost per started minute late after the grace period.
    pub penalty_per_minute: f64,
    /// Seconds after the due time when submissions close; `None`: open until the exercise ends.
    pub cutoff_seconds: Option<i64>,
    /// The criteria judges score.
    pub rubric: Vec<Criterion>,
    /// Whether a second judge marks independently.
    pub double_marking: bool,
    /// Difference between the two totals above which a lead judge moderates.
    pub disagreement_threshold: f64,
    /// Weight of this report in the reports component.
    pub weight: f64,
}

/// One rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// Identifier within the rubric.
    pub id: String,
    /// Title in both languages.
    pub title: Text,
    /// Highest score.
    pub max: f64,
    /// Guidance for judges (never shown to teams).
    pub guidance: Text,
}

impl ReportRequirement {
    /// The most a report can score before weighting.
    pub fn max_total(&self) -> f64 {
        self.rubric.iter().map(|c| c.max).sum()
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

    /// Look an inject up by id.
    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|i| i.id == id)
    }
}
