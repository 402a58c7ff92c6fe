//! The marking workflow of a report version, decided from its marks alone: who marks next,
//! whether the judges disagree, and the final grade.

use drillboard_scenario::ReportRequirement;
use drillboard_store::MarkRow;
use serde::Serialize;

/// The stage a mark is given at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The first (or only) mark.
    First,
    /// The independent second mark (double marking).
    Second,
    /// A lead judge's decision when the two marks disagree; final.
    Moderation,
}

impl Stage {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::First => "first",
            Stage::Second => "second",
            Stage::Moderation => "moderation",
        }
    }
}

/// Where a version stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Status {
    /// Waiting for the given stage.
    Awaiting {
        /// The mark still needed.
        stage: Stage,
    },
    /// Graded: the final score per criterion.
    Final {
        /// Criterion id and score.
        criteria: Vec<(String, f64)>,
        /// How it was decided: `single`, `agreed` (mean of two) or `moderated`.
        by: &'static str,
    },
}

/// A mark's scores as stored.
pub fn scores_of(m: &MarkRow) -> Vec<(String, f64)> {
    serde_json::from_str(&m.scores).unwrap_or_default()
}

/// The status of a version with these marks under this requirement.
pub fn status(req: &ReportRequirement, marks: &[MarkRow]) -> Status {
    let find = |s: Stage| marks.iter().find(|m| m.stage == s.as_str());
    if let Some(m) = find(Stage::Moderation) {
        return Status::Final {
            criteria: scores_of(m),
            by: "moderated",
        };
    }
    let Some(first) = find(Stage::First) else {
        return Status::Awaiting {
            stage: Stage::First,
        };
    };
    if !req.double_marking {
        return Status::Final {
            criteria: scores_of(first),
            by: "single",
        };
    }
    let Some(second) = find(Stage::Second) else {
        return Status::Awaiting {
            stage: Stage::Second,
        };
    };
    if (first.total - second.total).abs() > req.disagreement_threshold {
        return Status::Awaiting {
            stage: Stage::Moderation,
        };
    }
    let (a, b) = (scores_of(first), scores_of(second));
    let criteria = req
        .rubric
        .iter()
        .map(|c| {
            let x = a.iter().find(|s| s.0 == c.id).map_or(0.0, |s| s.1);
            let y = b.iter().find(|s| s.0 == c.id).map_or(0.0, |s| s.1);
            (c.id.clone(), (x + y) / 2.0)
        })
        .collect();
    Status::Final {
        criteria,
        by: "agreed",
    }
}

/// The marks whose comments the team sees with the final grade.
pub fn deciding<'a>(status: &Status, marks: &'a [MarkRow]) -> Vec<&'a MarkRow> {
    match status {
        Status::Final {
            by: "moderated", ..
        } => marks.iter().filter(|m| m.stage == "moderation").collect(),
        Status::Final { .. } => marks.iter().filter(|m| m.stage != "moderation").collect(),
        Status::Awaiting { .. } => Vec::new(),
    }
}
