//! Scenario YAML (format version 1) to [`Scenario`], reporting every problem at once.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::injects::{InjectPos, read_inject};
use crate::model::{
    Challenge, Decay, Exercise, Flag, Hint, Scenario, Scoring, Team, Text, ValueRule,
    whole_match_regex,
};
use crate::msg;
use crate::problem::{Problem, Problems};
use crate::reader::{
    boolean, datetime, duration, fields, float, ident, int, int_at_least, list, string, strings,
    text,
};
use crate::services::{ServicePos, read_attack_defense, read_service};
use crate::teams_csv::parse_teams_csv;
use crate::yaml::{self, Node, Pos, Value};

const TOP: &[&str] = &[
    "version",
    "exercise",
    "scoring",
    "teams",
    "teams_csv",
    "challenges",
    "injects",
    "attack_defense",
    "services",
];
const EXERCISE: &[&str] = &[
    "id",
    "title",
    "description",
    "timezone",
    "start",
    "duration",
    "freeze_before_end",
];
const SCORING: &[&str] = &["weights", "wrong_flags_per_minute"];
const WEIGHTS: &[&str] = &["tasks", "reports"];
const TEAM: &[&str] = &["id", "name", "organisation", "members", "network"];
const CHALLENGE: &[&str] = &[
    "id",
    "title",
    "category",
    "description",
    "files",
    "value",
    "flags",
    "hints",
    "requires",
    "first_blood",
    "release_after",
    "hidden",
    "connection_info",
    "max_attempts",
];
const DYNAMIC: &[&str] = &["function", "initial", "decay", "minimum"];
const FLAG: &[&str] = &["type", "content", "case_insensitive"];
const HINT: &[&str] = &["id", "content", "cost"];

/// Read a scenario file. Relative paths inside it (`teams_csv`) are taken from its folder.
pub fn load_file(path: &Path) -> Result<Scenario, Vec<Problem>> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(src) => load_str(&src, &name, path.parent()),
        Err(e) => Err(vec![Problem::whole_file(
            name,
            msg!(
                "unreadable_file",
                "cannot read the file: {detail}",
                detail = e
            ),
        )]),
    }
}

/// Read a scenario from text. `base_dir` resolves `teams_csv`; without it, `teams_csv` is an error.
pub fn load_str(src: &str, file: &str, base_dir: Option<&Path>) -> Result<Scenario, Vec<Problem>> {
    let mut p = Problems::new(file);
    let root = match yaml::parse(src) {
        Ok(root) => root,
        Err(e) => {
            p.at(
                e.pos,
                msg!(
                    "bad_yaml",
                    "this is not valid YAML: {detail}",
                    detail = &e.message
                ),
            );
            return Err(p.into_vec());
        }
    };
    let mut positions = Positions::default();
    let scenario = read_scenario(&mut p, &root, base_dir, &mut positions);
    if let Some(s) = &scenario {
        cross_check(&mut p, s, &positions);
    }
    match scenario {
        Some(s) if p.is_empty() => Ok(s),
        _ => Err(p.into_vec()),
    }
}

/// Where things were written, for problems found after reading (duplicates, cycles, times).
#[derive(Default)]
struct Positions {
    team: Vec<Pos>,
    challenge: Vec<Pos>,
    requires: Vec<Vec<Pos>>,
    release: Vec<Pos>,
    freeze: Pos,
    injects: Vec<InjectPos>,
    services: Vec<ServicePos>,
    ad: Option<Pos>,
    services_at: Option<Pos>,
}

fn read_scenario(
    p: &mut Problems,
    root: &Node,
    base_dir: Option<&Path>,
    at: &mut Positions,
) -> Option<Scenario> {
    let f = fields(p, root, "the scenario", TOP)?;
    if let Some(v) = f.require(p, "version")
        && let Some(n) = int(p, v, "`version`")
        && n != 1
    {
        p.at(
            v.pos,
            msg!(
                "unknown_version",
                "scenario format version {version} is not known",
                version = n
            ),
        );
        p.hint(msg!("version_one", "this drillboard reads `version: 1`"));
    }

    let exercise = f
        .require(p, "exercise")
        .and_then(|n| read_exercise(p, n, at));
    let scoring = f
        .get("scoring")
        .map_or(Some(Scoring::default()), |n| read_scoring(p, n));
    let mut teams = Vec::new();
    if let Some(n) = f.get("teams") {
        for item in list(p, n, "`teams`") {
            at.team.push(item.pos);
            if let Some(t) = read_team(p, item) {
                teams.push(t);
            }
        }
    }
    if let Some(n) = f.get("teams_csv")
        && let Some(rel) = string(p, n, "`teams_csv`")
    {
        read_teams_csv(p, n.pos, &rel, base_dir, &mut teams, at);
    }
    let mut challenges = Vec::new();
    if let Some(n) = f.get("challenges") {
        for item in list(p, n, "`challenges`") {
            if let Some(c) = read_challenge(p, item, at) {
                challenges.push(c);
            }
        }
    }
    let mut injects = Vec::new();
    if let Some(n) = f.get("injects") {
        for item in list(p, n, "`injects`") {
            if let Some((i, pos)) = read_inject(p, item) {
                injects.push(i);
                at.injects.push(pos);
            }
        }
    }
    let attack_defense = match f.get("attack_defense") {
        Some(n) => {
            at.ad = Some(n.pos);
            read_attack_defense(p, n).map(Some)
        }
        None => Some(None),
    };
    let mut services = Vec::new();
    if let Some(n) = f.get("services") {
        at.services_at = Some(n.pos);
        for item in list(p, n, "`services`") {
            if let Some((svc, pos)) = read_service(p, item) {
                services.push(svc);
                at.services.push(pos);
            }
        }
    }
    Some(Scenario {
        exercise: exercise?,
        teams,
        challenges,
        injects,
        attack_defense: attack_defense?,
        services,
        scoring: scoring?,
    })
}

fn read_teams_csv(
    p: &mut Problems,
    pos: Pos,
    rel: &str,
    base_dir: Option<&Path>,
    teams: &mut Vec<Team>,
    at: &mut Positions,
) {
    let Some(dir) = base_dir else {
        p.at(
            pos,
            msg!(
                "teams_csv_needs_file",
                "`teams_csv` can only be used when the scenario is loaded from a file"
            ),
        );
        p.hint(msg!(
            "teams_csv_instead",
            "list the teams under `teams:` or import them with `drillboard team import`"
        ));
        return;
    };
    let path = dir.join(rel);
    match std::fs::read_to_string(&path) {
        Ok(csv) => match parse_teams_csv(&csv, &path.display().to_string()) {
            Ok(list) => {
                at.team.extend(std::iter::repeat_n(pos, list.len()));
                teams.extend(list);
            }
            Err(problems) => {
                for q in problems {
                    p.within(pos, q);
                }
            }
        },
        Err(e) => {
            p.at(
                pos,
                msg!(
                    "unreadable_named_file",
                    "cannot read `{path}`: {detail}",
                    path = path.display(),
                    detail = e
                ),
            );
        }
    }
}

fn read_exercise(p: &mut Problems, node: &Node, at: &mut Positions) -> Option<Exercise> {
    let f = fields(p, node, "`exercise`", EXERCISE)?;
    let id = f
        .require(p, "id")
        .and_then(|n| ident(p, n, "the exercise `id`"));
    let title = f.require(p, "title").and_then(|n| text(p, n, "`title`"));
    let description = f
        .get("description")
        .map_or(Some(Text::default()), |n| text(p, n, "`description`"));
    let timezone = f.require(p, "timezone").and_then(|n| {
        let tz = string(p, n, "`timezone`")?;
        let plausible = tz == "UTC"
            || (tz.contains('/')
                && tz
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c)));
        if !plausible {
            p.at(
                n.pos,
                msg!(
                    "bad_timezone",
                    "`timezone` `{value}` is not an IANA time zone name",
                    value = &tz
                ),
            );
            p.hint(msg!(
                "timezone_example",
                "write e.g. `Asia/Ho_Chi_Minh` or `UTC`"
            ));
            return None;
        }
        Some(tz)
    });
    let start = f
        .require(p, "start")
        .and_then(|n| datetime(p, n, "`start`"));
    let duration_seconds = f.require(p, "duration").and_then(|n| {
        let d = duration(p, n, "`duration`")?;
        if d <= 0 {
            p.at(
                n.pos,
                msg!(
                    "not_positive",
                    "`{field}` must be longer than zero",
                    field = "duration"
                ),
            );
            return None;
        }
        Some(d)
    });
    let mut freeze = Some(None);
    if let Some(n) = f.get("freeze_before_end") {
        at.freeze = n.pos;
        freeze = duration(p, n, "`freeze_before_end`").map(Some);
    }
    let (planned_start_ms, utc_offset_seconds) = start?;
    Some(Exercise {
        id: id?,
        title: title?,
        description: description?,
        timezone: timezone?,
        planned_start_ms,
        utc_offset_seconds,
        duration_seconds: duration_seconds?,
        freeze_before_end_seconds: freeze?,
    })
}

fn read_scoring(p: &mut Problems, node: &Node) -> Option<Scoring> {
    let f = fields(p, node, "`scoring`", SCORING)?;
    let mut scoring = Scoring::default();
    let mut ok = true;
    if let Some(w) = f.get("weights")
        && let Some(wf) = fields(p, w, "`weights`", WEIGHTS)
    {
        for (name, slot) in [
            ("tasks", &mut scoring.tasks_weight),
            ("reports", &mut scoring.reports_weight),
        ] {
            let Some(n) = wf.get(name) else { continue };
            match float(p, n, "a weight") {
                Some(x) if x >= 0.0 => *slot = x,
                Some(_) => {
                    p.at(n.pos, msg!("negative_weight", "weights cannot be negative"));
                    ok = false;
                }
                None => ok = false,
            }
        }
    }
    if let Some(n) = f.get("wrong_flags_per_minute") {
        match int_at_least(p, n, "`wrong_flags_per_minute`", 1) {
            Some(x) => scoring.wrong_flags_per_minute = x.min(u32::MAX as i64) as u32,
            None => ok = false,
        }
    }
    ok.then_some(scoring)
}

fn read_team(p: &mut Problems, node: &Node) -> Option<Team> {
    let f = fields(p, node, "a team", TEAM)?;
    let id = f
        .require(p, "id")
        .and_then(|n| ident(p, n, "the team `id`"));
    let name = f
        .require(p, "name")
        .and_then(|n| string(p, n, "the team `name`"));
    let organisation = f
        .get("organisation")
        .and_then(|n| string(p, n, "`organisation`"))
        .unwrap_or_default();
    let members = f
        .get("members")
        .map(|n| strings(p, n, "`members`"))
        .unwrap_or_default();
    let mut networks = Vec::new();
    if let Some(n) = f.get("network") {
        let items: Vec<&Node> = match &n.value {
            Value::Scalar { .. } => vec![n],
            _ => list(p, n, "`network`").iter().collect(),
        };
        for item in items {
            if let Some(text) = string(p, item, "a `network`") {
                match text.parse::<crate::Network>() {
                    Ok(net) => networks.push(net),
                    Err(e) => {
                        p.at(
                            item.pos,
                            msg!(
                                "bad_network",
                                "`network` `{value}`: {detail}",
                                value = &text,
                                detail = e
                            ),
                        );
                        p.hint(msg!(
                            "network_example",
                            "write a range such as `10.60.3.0/24` (or a list of them)"
                        ));
                    }
                }
            }
        }
    }
    Some(Team {
        id: id?,
        name: name?,
        organisation,
        members,
        networks,
    })
}

fn read_challenge(p: &mut Problems, node: &Node, at: &mut Positions) -> Option<Challenge> {
    let f = fields(p, node, "a challenge", CHALLENGE)?;
    let id = f
        .require(p, "id")
        .and_then(|n| ident(p, n, "the challenge `id`"));
    let title = f.require(p, "title").and_then(|n| text(p, n, "`title`"));
    // A category is a plain word (`web`) or a label in both languages (`{vi: Pháp chứng, en:
    // Forensics}`); its English text is the key challenges are grouped by.
    let category_text = f
        .get("category")
        .and_then(|n| text(p, n, "`category`"))
        .filter(|t| !t.vi.trim().is_empty() || !t.en.trim().is_empty())
        .unwrap_or_else(|| Text::same("misc"));
    let category = if category_text.en.trim().is_empty() {
        category_text.vi.clone()
    } else {
        category_text.en.clone()
    };
    let description = f
        .get("description")
        .map_or(Some(Text::default()), |n| text(p, n, "`description`"));
    let files = f
        .get("files")
        .map(|n| strings(p, n, "`files`"))
        .unwrap_or_default();
    let value = f.require(p, "value").and_then(|n| read_value(p, n));
    let flags = f.require(p, "flags").map(|n| {
        let items = list(p, n, "`flags`");
        if items.is_empty() && matches!(n.value, yaml::Value::Seq(_)) {
            p.at(
                n.pos,
                msg!("no_flags", "a challenge needs at least one flag"),
            );
        }
        items
            .iter()
            .filter_map(|i| read_flag(p, i))
            .collect::<Vec<_>>()
    });
    let mut hints = Vec::new();
    if let Some(n) = f.get("hints") {
        for (i, item) in list(p, n, "`hints`").iter().enumerate() {
            if let Some(h) = read_hint(p, item, i) {
                if hints.iter().any(|o: &Hint| o.id == h.id) {
                    p.at(
                        item.pos,
                        msg!(
                            "hint_twice",
                            "hint id `{id}` is used twice in this challenge",
                            id = &h.id
                        ),
                    );
                }
                hints.push(h);
            }
        }
    }
    let mut requires = Vec::new();
    let mut requires_at = Vec::new();
    if let Some(n) = f.get("requires") {
        for item in list(p, n, "`requires`") {
            if let Some(r) = ident(p, item, "a `requires` entry") {
                requires.push(r);
                requires_at.push(item.pos);
            }
        }
    }
    let first_blood = f
        .get("first_blood")
        .map(|n| {
            list(p, n, "`first_blood`")
                .iter()
                .filter_map(|i| int_at_least(p, i, "a first-blood bonus", 0))
                .collect()
        })
        .unwrap_or_default();
    let mut release_at = f.pos;
    let release_after_seconds = match f.get("release_after") {
        Some(n) => {
            release_at = n.pos;
            duration(p, n, "`release_after`")
        }
        None => Some(0),
    };
    let hidden = f
        .get("hidden")
        .map_or(Some(false), |n| boolean(p, n, "`hidden`"));
    let connection_info = f
        .get("connection_info")
        .map(|n| string(p, n, "`connection_info`"));
    let max_attempts = f
        .get("max_attempts")
        .map(|n| int_at_least(p, n, "`max_attempts`", 1).map(|v| v.min(u32::MAX as i64) as u32));
    let challenge = Challenge {
        id: id?,
        title: title?,
        category,
        category_text: Some(category_text),
        description: description?,
        files,
        value: value?,
        flags: flags?,
        hints,
        requires,
        first_blood,
        release_after_seconds: release_after_seconds?,
        hidden: hidden?,
        connection_info: match connection_info {
            Some(c) => Some(c?),
            None => None,
        },
        max_attempts: match max_attempts {
            Some(m) => Some(m?),
            None => None,
        },
    };
    at.challenge.push(node.pos);
    at.requires.push(requires_at);
    at.release.push(release_at);
    Some(challenge)
}

fn read_value(p: &mut Problems, node: &Node) -> Option<ValueRule> {
    if let yaml::Value::Scalar { .. } = node.value {
        return int_at_least(p, node, "`value`", 0).map(|points| ValueRule::Static { points });
    }
    let f = fields(p, node, "a dynamic `value`", DYNAMIC)?;
    let function =
        f.require(p, "function")
            .and_then(|n| match string(p, n, "`function`")?.as_str() {
                "logarithmic" | "log" => Some(Decay::Logarithmic),
                "linear" => Some(Decay::Linear),
                other => {
                    p.at(
                        n.pos,
                        msg!(
                            "unknown_decay",
                            "unknown decay function `{value}`",
                            value = other
                        ),
                    );
                    p.hint(msg!("decay_choices", "use `logarithmic` or `linear`"));
                    None
                }
            });
    let initial = f
        .require(p, "initial")
        .and_then(|n| int_at_least(p, n, "`initial`", 0));
    let decay = f
        .require(p, "decay")
        .and_then(|n| int_at_least(p, n, "`decay`", 1));
    let minimum = f
        .require(p, "minimum")
        .and_then(|n| int_at_least(p, n, "`minimum`", 0));
    let (initial, minimum) = (initial?, minimum?);
    if minimum > initial {
        p.at(
            node.pos,
            msg!(
                "minimum_above_initial",
                "`minimum` ({minimum}) is above `initial` ({initial})",
                minimum = minimum,
                initial = initial
            ),
        );
        p.hint(msg!(
            "decay_direction",
            "the value decays from `initial` down to `minimum`"
        ));
        return None;
    }
    Some(ValueRule::Dynamic {
        function: function?,
        initial,
        decay: decay?,
        minimum,
    })
}

fn read_flag(p: &mut Problems, node: &Node) -> Option<Flag> {
    if let yaml::Value::Scalar { text, .. } = &node.value {
        return non_empty_flag(p, node, text).map(|content| Flag::Static {
            content,
            case_insensitive: false,
        });
    }
    let f = fields(p, node, "a flag", FLAG)?;
    let content = f
        .require(p, "content")
        .and_then(|n| string(p, n, "the flag `content`").and_then(|s| non_empty_flag(p, n, &s)));
    let case_insensitive = f
        .get("case_insensitive")
        .map_or(Some(false), |n| boolean(p, n, "`case_insensitive`"))?;
    let kind = match f.get("type") {
        None => "static".to_owned(),
        Some(n) => string(p, n, "the flag `type`")?,
    };
    match kind.as_str() {
        "static" => Some(Flag::Static {
            content: content?,
            case_insensitive,
        }),
        "regex" => {
            let pattern = content?;
            if let Err(e) = whole_match_regex(&pattern, case_insensitive) {
                let at = f.get("content").map_or(node.pos, |n| n.pos);
                let first_line = e.to_string().lines().last().unwrap_or("").trim().to_owned();
                p.at(
                    at,
                    msg!(
                        "bad_regex",
                        "the flag pattern `{pattern}` is not a valid regular expression: {detail}",
                        pattern = &pattern,
                        detail = first_line
                    ),
                );
                p.hint(msg!("regex_rule", "patterns use Rust regex syntax and must match the whole flag; escape `{{` `}}` `.` as `\\{{` `\\}}` `\\.`"));
                return None;
            }
            Some(Flag::Regex {
                pattern,
                case_insensitive,
            })
        }
        other => {
            let at = f.get("type").map_or(node.pos, |n| n.pos);
            p.at(
                at,
                msg!(
                    "unknown_flag_type",
                    "unknown flag type `{value}`",
                    value = other
                ),
            );
            p.hint(msg!("flag_types", "use `static` or `regex`"));
            None
        }
    }
}

fn non_empty_flag(p: &mut Problems, node: &Node, s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        p.at(node.pos, msg!("empty_flag", "a flag cannot be empty"));
        return None;
    }
    Some(t.to_owned())
}

fn read_hint(p: &mut Problems, node: &Node, index: usize) -> Option<Hint> {
    let f = fields(p, node, "a hint", HINT)?;
    let id = match f.get("id") {
        Some(n) => ident(p, n, "the hint `id`")?,
        None => (index + 1).to_string(),
    };
    let content = f
        .require(p, "content")
        .and_then(|n| text(p, n, "the hint `content`"));
    let cost = f
        .get("cost")
        .map_or(Some(0), |n| int_at_least(p, n, "the hint `cost`", 0));
    Some(Hint {
        id,
        content: content?,
        cost: cost?,
    })
}

fn cross_check(p: &mut Problems, s: &Scenario, at: &Positions) {
    crate::injects::cross_check(p, s, &at.injects);
    crate::services::cross_check(p, s, &at.services, at.ad, at.services_at);
    let mut seen = HashMap::new();
    let mut names = HashSet::new();
    for (i, t) in s.teams.iter().enumerate() {
        let pos = at.team.get(i).copied().unwrap_or_default();
        if let Some(first) = seen.insert(t.id.as_str(), pos) {
            p.at(
                pos,
                msg!(
                    "team_id_twice",
                    "team id `{id}` is used twice (first at line {first})",
                    id = &t.id,
                    first = first.line
                ),
            );
        }
        if !names.insert(t.name.as_str()) {
            p.at(
                pos,
                msg!(
                    "team_name_twice",
                    "team name `{name}` is used twice",
                    name = &t.name
                ),
            );
            p.hint(msg!(
                "team_names_unique",
                "team names appear on the leaderboard and must be unique"
            ));
        }
    }
    let mut ids: HashMap<&str, Pos> = HashMap::new();
    for (i, c) in s.challenges.iter().enumerate() {
        if let Some(first) = ids.insert(c.id.as_str(), at.challenge[i]) {
            p.at(
                at.challenge[i],
                msg!(
                    "challenge_id_twice",
                    "challenge id `{id}` is used twice (first at line {first})",
                    id = &c.id,
                    first = first.line
                ),
            );
        }
    }
    for (i, c) in s.challenges.iter().enumerate() {
        for (r, pos) in c.requires.iter().zip(&at.requires[i]) {
            if r == &c.id {
                p.at(
                    *pos,
                    msg!(
                        "requires_itself",
                        "challenge `{id}` requires itself",
                        id = &c.id
                    ),
                );
            } else if !ids.contains_key(r.as_str()) {
                p.at(
                    *pos,
                    msg!(
                        "requires_unknown",
                        "challenge `{id}` requires `{other}`, which is not defined",
                        id = &c.id,
                        other = r
                    ),
                );
                if let Some(s) =
                    crate::problem::suggest(r, &ids.keys().copied().collect::<Vec<_>>())
                {
                    p.hint(msg!("did_you_mean", "did you mean `{word}`?", word = s));
                }
            }
        }
        if c.release_after_seconds >= s.exercise.duration_seconds {
            p.at(at.release[i], msg!(
                "challenge_after_end",
                "challenge `{id}` is released {after} after the start, which is outside the exercise ({duration} long)",
                id = &c.id,
                after = human(c.release_after_seconds),
                duration = human(s.exercise.duration_seconds)
            ));
            p.hint(msg!(
                "release_within",
                "make `release_after` shorter than the exercise `duration`"
            ));
        }
    }
    if let Some(cycle) = find_cycle(s) {
        let first = s
            .challenges
            .iter()
            .position(|c| c.id == cycle[0])
            .unwrap_or(0);
        p.at(
            at.challenge.get(first).copied().unwrap_or_default(),
            msg!(
                "requires_cycle",
                "prerequisites form a cycle: {cycle}",
                cycle = cycle.join(" → ")
            ),
        );
        p.hint(msg!(
            "break_cycle",
            "no team could ever open these challenges; remove one `requires` entry"
        ));
    }
    if let Some(f) = s.exercise.freeze_before_end_seconds
        && f >= s.exercise.duration_seconds
    {
        p.at(at.freeze, msg!(
            "freeze_before_start",
            "the board would freeze {before} before the end, which is before the exercise starts ({duration} long)",
            before = human(f),
            duration = human(s.exercise.duration_seconds)
        ));
        p.hint(msg!(
            "freeze_within",
            "make `freeze_before_end` shorter than `duration`"
        ));
    }
}

/// A prerequisite cycle as a path `a → b → a`, if there is one.
fn find_cycle(s: &Scenario) -> Option<Vec<String>> {
    let index: HashMap<&str, usize> = s
        .challenges
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; s.challenges.len()];
    let mut path = Vec::new();
    fn visit(
        i: usize,
        s: &Scenario,
        index: &HashMap<&str, usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<String>> {
        state[i] = 1;
        path.push(i);
        for r in &s.challenges[i].requires {
            let Some(&j) = index.get(r.as_str()) else {
                continue;
            };
            if j == i {
                continue;
            }
            if state[j] == 1 {
                let from = path.iter().position(|&k| k == j).unwrap_or(0);
                let mut ids: Vec<String> = path[from..]
                    .iter()
                    .map(|&k| s.challenges[k].id.clone())
                    .collect();
                ids.push(s.challenges[j].id.clone());
                return Some(ids);
            }
            if state[j] == 0
                && let Some(c) = visit(j, s, index, state, path)
            {
                return Some(c);
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    (0..s.challenges.len()).find_map(|i| {
        if state[i] == 0 {
            visit(i, s, &index, &mut state, &mut path)
        } else {
            None
        }
    })
}

fn human(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        _ => format!("{secs}s"),
    }
}
