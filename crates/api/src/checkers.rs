//! What a scenario uploaded through the web API may run. A checker is a program the scoring
//! host executes, so a scenario sent over HTTP (by a stolen organiser session, say) may only
//! name programs the operator put in the checker folder (`--checkers-dir`): either the program
//! itself lies there, or it is a known interpreter whose script lies there. Anything else is
//! loaded with `drillboard scenario load`, by someone with a shell on the host.

use std::path::{Component, Path, PathBuf};

use drillboard_scenario::{Msg, Problem, Scenario, msg};

/// Interpreters a checker may name with a script from the checker folder.
pub const INTERPRETERS: &[&str] = &[
    "python3", "python", "bash", "sh", "node", "perl", "ruby", "php",
];

/// Check every checker of `scenario` against `dir` and rewrite the paths inside it as absolute
/// paths, so they run the same whatever the server's working folder. `None` for `dir` refuses
/// every checker. An ENOWARS checker address is accepted only when it is one of `known` (the
/// scenario loaded now): a new address could make the scoring host send requests anywhere, so it
/// is introduced with `drillboard scenario load`. Returns every problem at once.
pub fn confine(
    scenario: &mut Scenario,
    dir: Option<&Path>,
    known: &[String],
) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    let root = dir.and_then(|d| d.canonicalize().ok());
    for svc in &mut scenario.services {
        if let Some(url) = &svc.checker_http {
            if !known.contains(url) {
                problems.push(
                    Problem::whole_file(
                        "scenario.yaml",
                        msg!(
                            "checker_url_new",
                            "service `{service}`: the ENOWARS checker address `{url}` is new",
                            service = &svc.id,
                            url = url
                        ),
                    )
                    .with_hint(msg!(
                        "checker_url_load",
                        "a scenario sent over the web may keep the checker addresses of the scenario loaded now, not add new ones (the server would send requests to them): load it with `drillboard scenario load` on the server"
                    )),
                );
            }
            continue;
        }
        let problem = |mut what: Msg| {
            what.text = format!("service `{}`: {}", svc.id, what.text);
            what.params.insert("service", svc.id.clone());
            Problem::whole_file("scenario.yaml", what).with_hint(match dir {
                Some(d) => msg!(
                    "checker_folder_rule",
                    "put the checker in the checker folder ({folder}) and name it relative to it, e.g. `checker: [python3, {service}/checker.py]` or `checker: [{service}/checker]`; other programs can only be loaded with `drillboard scenario load` on the server",
                    folder = d.display(),
                    service = &svc.id
                ),
                None => msg!(
                    "no_checker_folder",
                    "this server was started without a checker folder (--checkers-dir): load scenarios with checkers with `drillboard scenario load` on the server"
                ),
            })
        };
        let Some(root) = &root else {
            problems.push(problem(match dir {
                Some(d) => msg!(
                    "checker_folder_missing",
                    "the checker folder {folder} does not exist on the server",
                    folder = d.display()
                ),
                None => msg!(
                    "checkers_not_over_web",
                    "checkers cannot be loaded through the web API here"
                ),
            }));
            continue;
        };
        let Some(program) = svc.checker.first().cloned() else {
            continue;
        };
        let script_at = if INTERPRETERS.contains(&program.as_str()) {
            1
        } else {
            0
        };
        let Some(script) = svc.checker.get(script_at).cloned() else {
            problems.push(problem(msg!(
                "checker_needs_script",
                "`{program}` needs a script from the checker folder after it",
                program = &program
            )));
            continue;
        };
        if script.starts_with('-') {
            problems.push(problem(msg!(
                "checker_options",
                "`{program} {script}`: options before the script are not allowed through the web API",
                program = &program,
                script = &script
            )));
            continue;
        }
        match inside(root, &script) {
            Some(path) => svc.checker[script_at] = path.display().to_string(),
            None => problems.push(problem(msg!(
                "checker_outside",
                "`{script}` is not a file inside the checker folder",
                script = &script
            ))),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `name` resolved against `root`, if it is an existing file inside it (after symbolic links).
fn inside(root: &Path, name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.components().any(|c| matches!(c, Component::ParentDir)) {
        return None;
    }
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    let real = full.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

/// Anchor the checker paths of a scenario loaded from a file to the file's folder, rewriting
/// them as absolute paths, so a scenario runs the same whatever folder the server starts in.
/// Relative paths only: a program named with a `/` (`./checker`, `checkers/web`), and the
/// script after one of the [`INTERPRETERS`]. A path found next to the scenario is taken from
/// there; else one found from the current folder (how scenarios were read before); else it is
/// left as written (the checker then fails at run time as a checker error, named in its
/// private output).
pub fn anchor(scenario: &mut Scenario, folder: &Path) {
    let resolve = |p: &str| -> Option<String> {
        let path = Path::new(p);
        if path.is_absolute() {
            return None;
        }
        let here = folder.join(path);
        let found = if here.exists() {
            here
        } else if path.exists() {
            std::env::current_dir().ok()?.join(path)
        } else {
            return None;
        };
        Some(found.canonicalize().unwrap_or(found).display().to_string())
    };
    for svc in &mut scenario.services {
        let Some(program) = svc.checker.first().cloned() else {
            continue;
        };
        let name = Path::new(&program)
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        if program.contains('/')
            && let Some(p) = resolve(&program)
        {
            svc.checker[0] = p;
        }
        if INTERPRETERS.contains(&name.as_str())
            && let Some(script) = svc.checker.get(1).cloned()
            && let Some(p) = resolve(&script)
        {
            svc.checker[1] = p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario_with(checker: &[&str]) -> Scenario {
        let mut s = drillboard_scenario::load_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml"),
            )
            .unwrap(),
            "scenario.yaml",
            None,
        )
        .unwrap();
        s.services[0].checker = checker.iter().map(|c| (*c).to_owned()).collect();
        s
    }

    #[test]
    fn only_programs_in_the_checker_folder_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("notes")).unwrap();
        std::fs::write(dir.path().join("notes/check.py"), "print()").unwrap();
        std::fs::write(dir.path().join("notes/check"), "#!/bin/sh\n").unwrap();
        let root = dir.path().canonicalize().unwrap();

        let mut s = scenario_with(&["python3", "notes/check.py"]);
        confine(&mut s, Some(dir.path()), &[]).unwrap();
        assert_eq!(
            s.services[0].checker[1],
            root.join("notes/check.py").display().to_string()
        );
        let mut s = scenario_with(&["notes/check", "--verbose"]);
        confine(&mut s, Some(dir.path()), &[]).unwrap();
        assert_eq!(
            s.services[0].checker[0],
            root.join("notes/check").display().to_string()
        );

        for bad in [
            &["/bin/sh", "-c", "id"][..],
            &["sh", "-c", "id"],
            &["python3", "-c", "import os"],
            &["python3", "../escape.py"],
            &["python3", "/etc/passwd"],
            &["python3", "notes/missing.py"],
            &["python3"],
            &["curl", "http://example/x"],
        ] {
            let mut s = scenario_with(bad);
            let problems = confine(&mut s, Some(dir.path()), &[]).unwrap_err();
            assert_eq!(problems.len(), 1, "{bad:?}");
            assert!(
                problems[0].message.contains("service `notes`"),
                "{:?}",
                problems[0]
            );
        }
        let mut s = scenario_with(&["python3", "notes/check.py"]);
        assert!(confine(&mut s, None, &[]).is_err());
        // An ENOWARS checker: only an address already in the loaded scenario.
        let mut s = scenario_with(&[]);
        s.services[0].checker_http = Some("http://10.0.0.5:9100".into());
        let problems = confine(&mut s, None, &[]).unwrap_err();
        assert!(problems[0].message.contains("is new"), "{problems:?}");
        confine(&mut s, None, &["http://10.0.0.5:9100".into()]).unwrap();
    }

    /// Checker paths of a scenario file are anchored to its folder, whatever the current one.
    #[test]
    fn file_scenarios_anchor_checkers_to_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("checker")).unwrap();
        std::fs::write(dir.path().join("checker/c.py"), "print()").unwrap();
        std::fs::write(dir.path().join("checker/run"), "#!/bin/sh\n").unwrap();
        let root = dir.path().canonicalize().unwrap();
        let mut s = scenario_with(&["python3", "checker/c.py", "--fast"]);
        anchor(&mut s, dir.path());
        assert_eq!(
            s.services[0].checker,
            [
                "python3",
                &root.join("checker/c.py").display().to_string(),
                "--fast"
            ]
        );
        let mut s = scenario_with(&["./checker/run", "x"]);
        anchor(&mut s, dir.path());
        assert_eq!(
            s.services[0].checker[0],
            root.join("checker/run").display().to_string()
        );
        // Names found on PATH, absolute paths, and paths found nowhere stay as written.
        for kept in [
            &["mychecker", "a"][..],
            &["/usr/bin/env", "x"],
            &["python3", "nowhere.py"],
        ] {
            let mut s = scenario_with(kept);
            anchor(&mut s, dir.path());
            assert_eq!(s.services[0].checker, kept);
        }
    }
}
