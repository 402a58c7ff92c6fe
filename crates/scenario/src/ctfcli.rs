//! Import of ctfcli `challenge.yml` files (the format CTFd's command line tool uses) into
//! scenario challenges, and writing challenges back out as scenario YAML.

use std::path::{Path, PathBuf};

use crate::model::{Challenge, Decay, Flag, Hint, Text, ValueRule};
use crate::msg;
use crate::problem::{Problem, Problems};
use crate::reader::{fields, int_at_least, list, string, strings};
use crate::teams_csv::slug;
use crate::yaml::{self, Node, Value};

/// Every field ctfcli writes; the ones drillboard has no use for are read and ignored.
const CTFCLI: &[&str] = &[
    "name",
    "author",
    "category",
    "description",
    "attribution",
    "value",
    "type",
    "extra",
    "image",
    "protocol",
    "host",
    "connection_info",
    "healthcheck",
    "attempts",
    "logic",
    "flags",
    "topics",
    "tags",
    "files",
    "hints",
    "requirements",
    "next",
    "state",
    "version",
    "solution",
    "module",
];

/// Fields with no meaning in drillboard: read, dropped, and named in a warning.
const DROPPED: &[&str] = &[
    "author",
    "attribution",
    "topics",
    "tags",
    "image",
    "protocol",
    "host",
    "healthcheck",
    "logic",
    "next",
    "solution",
    "module",
];

/// What an import made: the challenges, what was dropped from them, and the files left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The challenges, one per good file.
    pub challenges: Vec<Challenge>,
    /// Fields read but not kept, per file (at their position).
    pub warnings: Vec<Problem>,
    /// With `skip_invalid`: the problems of the files left out.
    pub skipped: Vec<Problem>,
}

/// Find every `challenge.yml` (or `.yaml`) below `dir` and turn each into a challenge.
/// Requirements given by challenge name are turned into the ids made from those names. A file
/// with problems fails the whole import, unless `skip_invalid`: then it is left out and its
/// problems are listed in [`Import::skipped`].
pub fn import_dir(dir: &Path, skip_invalid: bool) -> Result<Import, Vec<Problem>> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    if files.is_empty() {
        return Err(vec![
            Problem::whole_file(
                dir.display().to_string(),
                msg!(
                    "ctfcli_no_files",
                    "no challenge.yml files were found below this folder"
                ),
            )
            .with_hint(msg!(
                "ctfcli_folder",
                "point at the folder that holds one sub-folder per challenge"
            )),
        ]);
    }
    let mut out = Import {
        challenges: Vec::new(),
        warnings: Vec::new(),
        skipped: Vec::new(),
    };
    let mut problems = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match std::fs::read_to_string(&f) {
            Ok(src) => match import_one(&src, &name) {
                Ok((c, mut w)) => {
                    out.challenges.push(c);
                    out.warnings.append(&mut w);
                }
                Err(mut p) => problems.append(&mut p),
            },
            Err(e) => problems.push(Problem::whole_file(
                name,
                msg!(
                    "unreadable_file",
                    "cannot read the file: {detail}",
                    detail = e
                ),
            )),
        }
    }
    match (problems.is_empty(), skip_invalid) {
        (true, _) => Ok(out),
        (false, true) => {
            out.skipped = problems;
            Ok(out)
        }
        (false, false) => Err(problems),
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("challenge.yml" | "challenge.yaml")
        ) {
            out.push(path);
        }
    }
}

/// Convert one `challenge.yml` text: the challenge and warnings about what was dropped.
pub fn import_one(src: &str, file: &str) -> Result<(Challenge, Vec<Problem>), Vec<Problem>> {
    let mut p = Problems::new(file);
    let mut w = Problems::new(file);
    let root = match yaml::parse(src) {
        Ok(r) => r,
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
    let challenge = read(&mut p, &mut w, &root);
    match challenge {
        Some(c) if p.is_empty() => Ok((c, w.into_vec())),
        _ => Err(p.into_vec()),
    }
}

fn read(p: &mut Problems, w: &mut Problems, root: &Node) -> Option<Challenge> {
    let f = fields(p, root, "challenge.yml", CTFCLI)?;
    for name in DROPPED {
        if let Some(n) = f.get(name) {
            w.at(
                n.pos,
                msg!(
                    "ctfcli_dropped",
                    "`{field}` has no use in drillboard and is left out",
                    field = name
                ),
            );
        }
    }
    let hidden = match f
        .get("state")
        .and_then(|n| string(p, n, "`state`"))
        .as_deref()
    {
        None | Some("visible") => false,
        Some("hidden") => true,
        Some(other) => {
            let pos = f.get("state").map_or(root.pos, |n| n.pos);
            p.at(
                pos,
                msg!(
                    "ctfcli_bad_state",
                    "`state` is `visible` or `hidden`, not `{value}`",
                    value = other
                ),
            );
            return None;
        }
    };
    let category = f
        .get("category")
        .and_then(|n| string(p, n, "`category`"))
        .unwrap_or_else(|| "misc".into());
    let connection_info = f
        .get("connection_info")
        .and_then(|n| string(p, n, "`connection_info`"))
        .filter(|c| !c.trim().is_empty());
    let max_attempts = match f.get("attempts") {
        Some(n) => match int_at_least(p, n, "`attempts`", 0)? {
            0 => None,
            v => Some(v.min(u32::MAX as i64) as u32),
        },
        None => None,
    };
    let name = f.require(p, "name").and_then(|n| string(p, n, "`name`"))?;
    let id = slug(&name);
    let kind = f
        .get("type")
        .and_then(|n| string(p, n, "`type`"))
        .unwrap_or_else(|| "standard".into());
    let value = match kind.as_str() {
        "dynamic" => {
            let extra = f.require(p, "extra")?;
            let e = fields(
                p,
                extra,
                "`extra`",
                &["initial", "decay", "minimum", "function"],
            )?;
            let initial = e
                .require(p, "initial")
                .and_then(|n| int_at_least(p, n, "`initial`", 0));
            let decay = e
                .require(p, "decay")
                .and_then(|n| int_at_least(p, n, "`decay`", 1));
            let minimum = e
                .require(p, "minimum")
                .and_then(|n| int_at_least(p, n, "`minimum`", 0));
            let function = match e
                .get("function")
                .and_then(|n| string(p, n, "`function`"))
                .as_deref()
            {
                Some("linear") => Decay::Linear,
                _ => Decay::Logarithmic,
            };
            ValueRule::Dynamic {
                function,
                initial: initial?,
                decay: decay?,
                minimum: minimum?,
            }
        }
        "standard" => {
            let points = f
                .require(p, "value")
                .and_then(|n| int_at_least(p, n, "`value`", 0))?;
            ValueRule::Static { points }
        }
        other => {
            let pos = f.get("type").map_or(root.pos, |n| n.pos);
            p.at(
                pos,
                msg!(
                    "ctfcli_bad_type",
                    "challenge type `{value}` cannot be imported",
                    value = other
                ),
            );
            p.hint(msg!(
                "ctfcli_types",
                "drillboard imports `standard` and `dynamic` challenges"
            ));
            return None;
        }
    };
    let mut flags = Vec::new();
    if let Some(n) = f.require(p, "flags") {
        for item in list(p, n, "`flags`") {
            match &item.value {
                Value::Scalar { text, .. } => flags.push(Flag::Static {
                    content: text.trim().to_owned(),
                    case_insensitive: false,
                }),
                _ => {
                    let ff = fields(p, item, "a flag", &["type", "content", "data"])?;
                    let content = ff
                        .require(p, "content")
                        .and_then(|n| string(p, n, "`content`"))?;
                    let ci = ff
                        .get("data")
                        .and_then(|n| string(p, n, "`data`"))
                        .as_deref()
                        == Some("case_insensitive");
                    match ff
                        .get("type")
                        .and_then(|n| string(p, n, "`type`"))
                        .as_deref()
                    {
                        Some("regex") => flags.push(Flag::Regex {
                            pattern: content,
                            case_insensitive: ci,
                        }),
                        _ => flags.push(Flag::Static {
                            content: content.trim().to_owned(),
                            case_insensitive: ci,
                        }),
                    }
                }
            }
        }
    }
    let mut hints = Vec::new();
    if let Some(n) = f.get("hints") {
        for (i, item) in list(p, n, "`hints`").iter().enumerate() {
            let (content, cost) = match &item.value {
                Value::Scalar { text, .. } => (text.clone(), 0),
                _ => {
                    let hf = fields(
                        p,
                        item,
                        "a hint",
                        &["content", "cost", "title", "key", "requirements"],
                    )?;
                    if let Some(r) = hf.get("requirements") {
                        w.at(
                            r.pos,
                            msg!("ctfcli_hint_requirements", "a hint's `requirements` are left out: every hint of an open challenge can be unlocked"),
                        );
                    }
                    let content = hf
                        .require(p, "content")
                        .and_then(|n| string(p, n, "`content`"))?;
                    let cost = hf
                        .get("cost")
                        .and_then(|n| int_at_least(p, n, "`cost`", 0))
                        .unwrap_or(0);
                    (content, cost)
                }
            };
            hints.push(Hint {
                id: (i + 1).to_string(),
                content: Text::same(content),
                cost,
            });
        }
    }
    // `requirements` is a list of challenge names (or ids), or, in newer ctfcli, a mapping
    // `{prerequisites: [...], anonymize: bool}`.
    let requires = match f.get("requirements") {
        Some(n) if matches!(n.value, Value::Map(_)) => {
            let rf = fields(p, n, "`requirements`", &["prerequisites", "anonymize"])?;
            if let Some(a) = rf.get("anonymize") {
                w.at(
                    a.pos,
                    msg!("ctfcli_anonymize", "`anonymize` is left out: teams never see a challenge before its prerequisites are solved"),
                );
            }
            rf.get("prerequisites")
                .map(|n| prerequisites(p, n))
                .unwrap_or_default()
        }
        Some(n) => prerequisites(p, n),
        None => Vec::new(),
    };
    Some(Challenge {
        id,
        title: Text::same(name),
        category: category.clone(),
        category_text: Some(Text::same(category)),
        description: Text::same(
            f.get("description")
                .and_then(|n| string(p, n, "`description`"))
                .unwrap_or_default(),
        ),
        files: f
            .get("files")
            .map(|n| strings(p, n, "`files`"))
            .unwrap_or_default(),
        value,
        flags,
        hints,
        requires,
        first_blood: Vec::new(),
        release_after_seconds: 0,
        hidden,
        connection_info,
        max_attempts,
    })
}

/// Prerequisites by name or numeric id, as ids made from the names.
fn prerequisites(p: &mut Problems, n: &Node) -> Vec<String> {
    list(p, n, "`requirements`")
        .iter()
        .filter_map(|i| match &i.value {
            Value::Scalar { text, .. } => Some(slug(text)),
            _ => {
                p.at(
                    i.pos,
                    msg!("ctfcli_prerequisite", "a prerequisite is a challenge name"),
                );
                None
            }
        })
        .collect()
}

/// Challenges as the `challenges:` section of a scenario file.
pub fn challenges_to_yaml(challenges: &[Challenge]) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let text = |t: &Text| format!("{{vi: {}, en: {}}}", q(&t.vi), q(&t.en));
    let mut out = String::from("challenges:\n");
    for c in challenges {
        out.push_str(&format!(
            "  - id: {}\n    title: {}\n    category: {}\n",
            q(&c.id),
            text(&c.title),
            text(&c.category_label())
        ));
        out.push_str(&format!("    description: {}\n", text(&c.description)));
        match c.value {
            ValueRule::Static { points } => out.push_str(&format!("    value: {points}\n")),
            ValueRule::Dynamic {
                function,
                initial,
                decay,
                minimum,
            } => {
                let f = match function {
                    Decay::Logarithmic => "logarithmic",
                    Decay::Linear => "linear",
                };
                out.push_str(&format!("    value: {{function: {f}, initial: {initial}, decay: {decay}, minimum: {minimum}}}\n"));
            }
        }
        out.push_str("    flags:\n");
        for flag in &c.flags {
            let (kind, content, ci) = match flag {
                Flag::Static {
                    content,
                    case_insensitive,
                } => ("static", content, case_insensitive),
                Flag::Regex {
                    pattern,
                    case_insensitive,
                } => ("regex", pattern, case_insensitive),
            };
            out.push_str(&format!(
                "      - {{type: {kind}, content: {}, case_insensitive: {ci}}}\n",
                q(content)
            ));
        }
        if !c.files.is_empty() {
            out.push_str("    files:\n");
            for f in &c.files {
                out.push_str(&format!("      - {}\n", q(f)));
            }
        }
        if !c.hints.is_empty() {
            out.push_str("    hints:\n");
            for h in &c.hints {
                out.push_str(&format!(
                    "      - {{id: {}, content: {}, cost: {}}}\n",
                    q(&h.id),
                    text(&h.content),
                    h.cost
                ));
            }
        }
        if !c.requires.is_empty() {
            let r: Vec<String> = c.requires.iter().map(|r| q(r)).collect();
            out.push_str(&format!("    requires: [{}]\n", r.join(", ")));
        }
        if c.hidden {
            out.push_str("    hidden: true\n");
        }
        if let Some(info) = &c.connection_info {
            out.push_str(&format!("    connection_info: {}\n", q(info)));
        }
        if let Some(n) = c.max_attempts {
            out.push_str(&format!("    max_attempts: {n}\n"));
        }
    }
    out
}
