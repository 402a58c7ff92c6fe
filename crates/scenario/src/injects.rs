//! The `injects:` section: timed scenario events, their report requirements and rubrics.

use std::collections::HashSet;

use crate::model::{Criterion, Inject, ReportRequirement, Scenario, Text};
use crate::msg;
use crate::problem::Problems;
use crate::reader::{boolean, duration, fields, float, ident, list, strings, text};
use crate::yaml::{Node, Pos, Value};

const INJECT: &[&str] = &[
    "id",
    "title",
    "body",
    "release_after",
    "audience",
    "attachments",
    "report",
];
const REPORT: &[&str] = &[
    "due_within",
    "late",
    "rubric",
    "double_marking",
    "disagreement_threshold",
    "weight",
];
const LATE: &[&str] = &["grace", "penalty_per_minute", "cutoff"];
const CRITERION: &[&str] = &["id", "title", "max", "guidance"];

/// Where an inject's parts were written, for checks made after reading.
pub struct InjectPos {
    pub at: Pos,
    pub release: Pos,
    pub audience: Vec<Pos>,
    pub due: Pos,
}

/// Read one inject.
pub fn read_inject(p: &mut Problems, node: &Node) -> Option<(Inject, InjectPos)> {
    let f = fields(p, node, "an inject", INJECT)?;
    let id = f
        .require(p, "id")
        .and_then(|n| ident(p, n, "the inject `id`"));
    let title = f.require(p, "title").and_then(|n| text(p, n, "`title`"));
    let body = f
        .get("body")
        .map_or(Some(Text::default()), |n| text(p, n, "`body`"));
    let mut pos = InjectPos {
        at: node.pos,
        release: node.pos,
        audience: Vec::new(),
        due: node.pos,
    };
    let release = match f.get("release_after") {
        Some(n) => {
            pos.release = n.pos;
            duration(p, n, "`release_after`")
        }
        None => Some(0),
    };
    let mut audience = Vec::new();
    if let Some(n) = f.get("audience") {
        match &n.value {
            Value::Scalar { text, .. } if text == "all" => {}
            _ => {
                for item in list(p, n, "`audience` (a list of team ids, or `all`)") {
                    if let Some(t) = ident(p, item, "an `audience` team id") {
                        audience.push(t);
                        pos.audience.push(item.pos);
                    }
                }
            }
        }
    }
    let attachments = f
        .get("attachments")
        .map(|n| strings(p, n, "`attachments`"))
        .unwrap_or_default();
    let report = match f.get("report") {
        Some(n) => {
            pos.due = n.pos;
            read_report(p, n).map(Some)
        }
        None => Some(None),
    };
    Some((
        Inject {
            id: id?,
            title: title?,
            body: body?,
            release_after_seconds: release?,
            audience,
            attachments,
            report: report?,
        },
        pos,
    ))
}

fn read_report(p: &mut Problems, node: &Node) -> Option<ReportRequirement> {
    let f = fields(p, node, "`report`", REPORT)?;
    let due = f.require(p, "due_within").and_then(|n| {
        let d = duration(p, n, "`due_within`")?;
        if d <= 0 {
            p.at(
                n.pos,
                msg!(
                    "not_positive",
                    "`{field}` must be longer than zero",
                    field = "due_within"
                ),
            );
            return None;
        }
        Some(d)
    });
    let (mut grace, mut penalty, mut cutoff) = (Some(0), Some(0.0), Some(None));
    if let Some(n) = f.get("late")
        && let Some(l) = fields(p, n, "`late`", LATE)
    {
        if let Some(g) = l.get("grace") {
            grace = duration(p, g, "`grace`");
        }
        if let Some(x) = l.get("penalty_per_minute") {
            penalty = float(p, x, "`penalty_per_minute`").and_then(|v| {
                if (0.0..=1.0).contains(&v) {
                    Some(v)
                } else {
                    p.at(
                        x.pos,
                        msg!(
                            "penalty_fraction",
                            "`penalty_per_minute` is a fraction from 0 to 1, found {value}",
                            value = v
                        ),
                    );
                    p.hint(msg!(
                        "penalty_example",
                        "0.02 takes 2 % of the report's score for every started minute late"
                    ));
                    None
                }
            });
        }
        if let Some(c) = l.get("cutoff") {
            cutoff = duration(p, c, "`cutoff`").map(Some);
        }
    }
    if let (Some(g), Some(Some(c))) = (grace, cutoff)
        && c < g
    {
        p.at(
            node.pos,
            msg!(
                "cutoff_before_grace",
                "the late `cutoff` comes before the end of the `grace` period"
            ),
        );
        p.hint(msg!(
            "cutoff_rule",
            "both count from the due time; make `cutoff` at least as long as `grace`"
        ));
    }
    let rubric = f.require(p, "rubric").map(|n| {
        let items = list(p, n, "`rubric`");
        if items.is_empty() && matches!(n.value, Value::Seq(_)) {
            p.at(
                n.pos,
                msg!("empty_rubric", "a rubric needs at least one criterion"),
            );
        }
        let mut ids = HashSet::new();
        let mut out = Vec::new();
        for item in items {
            if let Some(c) = read_criterion(p, item) {
                if !ids.insert(c.id.clone()) {
                    p.at(
                        item.pos,
                        msg!(
                            "criterion_twice",
                            "criterion id `{id}` is used twice in this rubric",
                            id = &c.id
                        ),
                    );
                }
                out.push(c);
            }
        }
        out
    });
    let double_marking = f
        .get("double_marking")
        .map_or(Some(false), |n| boolean(p, n, "`double_marking`"));
    let threshold = f.get("disagreement_threshold").map_or(Some(0.0), |n| {
        float(p, n, "`disagreement_threshold`").filter(|v| {
            let ok = *v >= 0.0;
            if !ok {
                p.at(
                    n.pos,
                    msg!(
                        "negative",
                        "`{field}` cannot be negative",
                        field = "disagreement_threshold"
                    ),
                );
            }
            ok
        })
    });
    let weight = f.get("weight").map_or(Some(1.0), |n| {
        float(p, n, "the report `weight`").filter(|v| {
            let ok = *v >= 0.0;
            if !ok {
                p.at(n.pos, msg!("negative_weight", "weights cannot be negative"));
            }
            ok
        })
    });
    Some(ReportRequirement {
        due_within_seconds: due?,
        grace_seconds: grace?,
        penalty_per_minute: penalty?,
        cutoff_seconds: cutoff?,
        rubric: rubric?,
        double_marking: double_marking?,
        disagreement_threshold: threshold?,
        weight: weight?,
    })
}

fn read_criterion(p: &mut Problems, node: &Node) -> Option<Criterion> {
    let f = fields(p, node, "a rubric criterion", CRITERION)?;
    let id = f
        .require(p, "id")
        .and_then(|n| ident(p, n, "the criterion `id`"));
    let title = f.require(p, "title").and_then(|n| text(p, n, "`title`"));
    let max = f.require(p, "max").and_then(|n| {
        float(p, n, "`max`").filter(|v| {
            let ok = *v > 0.0;
            if !ok {
                p.at(
                    n.pos,
                    msg!("criterion_max", "a criterion's `max` must be above zero"),
                );
            }
            ok
        })
    });
    let guidance = f
        .get("guidance")
        .map_or(Some(Text::default()), |n| text(p, n, "`guidance`"));
    Some(Criterion {
        id: id?,
        title: title?,
        max: max?,
        guidance: guidance?,
    })
}

/// Checks across the scenario: duplicate ids, unknown audience teams, times outside the exercise.
pub fn cross_check(p: &mut Problems, s: &Scenario, at: &[InjectPos]) {
    let mut ids = HashSet::new();
    let team_ids: HashSet<&str> = s.teams.iter().map(|t| t.id.as_str()).collect();
    let duration = s.exercise.duration_seconds;
    for (inject, pos) in s.injects.iter().zip(at) {
        if !ids.insert(inject.id.as_str()) {
            p.at(
                pos.at,
                msg!(
                    "inject_twice",
                    "inject id `{id}` is used twice",
                    id = &inject.id
                ),
            );
        }
        // Teams may also come from a CSV imported later; audience ids are checked only against a
        // scenario that lists its teams.
        if !team_ids.is_empty() {
            for (team, tp) in inject.audience.iter().zip(&pos.audience) {
                if !team_ids.contains(team.as_str()) {
                    p.at(
                        *tp,
                        msg!(
                            "inject_unknown_team",
                            "inject `{id}` is addressed to team `{team}`, which is not defined",
                            id = &inject.id,
                            team = team
                        ),
                    );
                }
            }
        }
        if inject.release_after_seconds >= duration {
            p.at(
                pos.release,
                msg!(
                    "inject_after_end",
                    "inject `{id}` is released after the exercise ends",
                    id = &inject.id
                ),
            );
            p.hint(msg!(
                "release_within",
                "make `release_after` shorter than the exercise `duration`"
            ));
        }
        if let Some(r) = &inject.report
            && inject.release_after_seconds + r.due_within_seconds > duration
        {
            p.at(
                pos.due,
                msg!(
                    "report_due_after_end",
                    "the report for inject `{id}` is due after the exercise ends",
                    id = &inject.id
                ),
            );
            p.hint(msg!(
                "shorten_due",
                "shorten `due_within` or release the inject earlier"
            ));
        }
    }
}
