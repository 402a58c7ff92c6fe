//! The reports component: finalised grades, counted once their inject's grades are released,
//! times the late factor and the report's weight.

use std::sync::Arc;

use serde::Serialize;

use crate::fasthash::FastMap;
use crate::rules::{InjectRule, Millis};

/// Points from one graded report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportScore {
    /// Inject id.
    pub inject: Arc<str>,
    /// Finalised score per rubric criterion.
    pub criteria: Vec<(String, f64)>,
    /// Sum of the criteria.
    pub total: f64,
    /// When the graded version was submitted.
    pub submitted_at: Millis,
    /// Started minutes late after the grace period.
    pub minutes_late: i64,
    /// `max(0, 1 - penalty_per_minute * minutes_late)`, or 0 past the cutoff.
    pub late_factor: f64,
    /// The report's weight in the reports component.
    pub weight: f64,
    /// `weight * total * late_factor`.
    pub points: f64,
    /// When it started to count (the later of the grade and the release).
    pub counted_at: Millis,
}

type Grade = (Millis, i64, usize, Vec<(String, f64)>, Millis);

/// Grades and releases as they arrive.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    rules: Vec<InjectRule>,
    ids: Vec<Arc<str>>,
    index: FastMap<String, usize>,
    /// Per inject: the earliest release (at, seq).
    released: Vec<Option<(Millis, i64)>>,
    /// Per team: every grade event (at, seq, inject, criteria, submitted_at).
    grades: Vec<Vec<Grade>>,
}

impl Reports {
    /// State for these injects and `teams` teams.
    pub fn new(rules: Vec<InjectRule>, teams: usize) -> Self {
        Reports {
            ids: rules.iter().map(|r| Arc::from(r.id.as_str())).collect(),
            index: rules
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.clone(), i))
                .collect(),
            released: vec![None; rules.len()],
            grades: vec![Vec::new(); teams],
            rules,
        }
    }

    /// Record a release; false if the inject is unknown.
    pub fn release(&mut self, inject: &str, key: (Millis, i64)) -> bool {
        let Some(&i) = self.index.get(inject) else {
            return false;
        };
        if self.released[i].is_none_or(|r| key < r) {
            self.released[i] = Some(key);
        }
        true
    }

    /// Record a grade; false if the inject is unknown.
    pub fn grade(
        &mut self,
        team: usize,
        inject: &str,
        key: (Millis, i64),
        criteria: &[(String, f64)],
        submitted_at: Millis,
    ) -> bool {
        let Some(&i) = self.index.get(inject) else {
            return false;
        };
        self.grades[team].push((key.0, key.1, i, criteria.to_vec(), submitted_at));
        true
    }

    /// When an inject's grades were released, if they were.
    pub fn released_at(&self, inject: &str) -> Option<Millis> {
        self.index
            .get(inject)
            .and_then(|&i| self.released[i])
            .map(|r| r.0)
    }

    /// Change when an inject's report is due (an organiser released it early); late factors
    /// follow at once, as they are worked out when the standings are.
    pub fn set_due(&mut self, inject: &str, due_at: Option<Millis>) {
        if let Some(&i) = self.index.get(inject) {
            self.rules[i].due_at = due_at;
        }
    }

    /// A team's counted reports at `t`: per inject, the latest grade at or before `t`, if the
    /// inject's grades were released at or before `t`.
    pub fn scores(&self, team: usize, t: Millis) -> Vec<ReportScore> {
        let mut latest: Vec<Option<&Grade>> = vec![None; self.rules.len()];
        for g in self.grades[team].iter().filter(|g| g.0 <= t) {
            if latest[g.2].is_none_or(|l| (l.0, l.1) < (g.0, g.1)) {
                latest[g.2] = Some(g);
            }
        }
        latest
            .into_iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let g = g?;
                let released = self.released[i].filter(|r| r.0 <= t)?;
                let rule = &self.rules[i];
                let total: f64 = g.3.iter().map(|c| c.1).sum();
                let (minutes_late, late_factor) = rule.late(g.4);
                Some(ReportScore {
                    inject: self.ids[i].clone(),
                    criteria: g.3.clone(),
                    total,
                    submitted_at: g.4,
                    minutes_late,
                    late_factor,
                    weight: rule.weight,
                    points: rule.weight * total * late_factor,
                    counted_at: g.0.max(released.0),
                })
            })
            .collect()
    }
}
