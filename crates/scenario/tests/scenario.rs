//! Loading scenarios: a good one, one with many mistakes, ctfcli import.

use drillboard_scenario::{Decay, Flag, ValueRule, ctfcli, load_str};

const GOOD: &str = r#"
version: 1
exercise:
  id: drill-1
  title: {vi: "Diễn tập", en: "Drill"}
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 4h
  freeze_before_end: 30m
teams:
  - {id: hanoi, name: "Hà Nội", organisation: "Sở TTTT Hà Nội"}
  - {id: hue, name: "Huế"}
challenges:
  - id: web-01
    title: Login
    category: web
    value: 100
    flags: ["flag{one}"]
  - id: for-01
    title: {vi: "Pháp chứng", en: "Forensics"}
    value: {function: logarithmic, initial: 500, decay: 10, minimum: 100}
    flags:
      - {type: regex, content: "flag\\{[0-9]+\\}"}
      - {content: "FLAG{Two}", case_insensitive: true}
    hints: [{content: "look at the logs", cost: 20}]
    requires: [web-01]
    first_blood: [50, 20]
    release_after: 1h
"#;

#[test]
fn a_good_scenario_loads() {
    let s = load_str(GOOD, "good.yaml", None).unwrap();
    assert_eq!(s.exercise.duration_seconds, 4 * 3600);
    assert_eq!(s.exercise.freeze_before_end_seconds, Some(1800));
    assert_eq!(s.exercise.utc_offset_seconds, 7 * 3600);
    assert_eq!(s.teams.len(), 2);
    let c = &s.challenges[1];
    assert_eq!(c.title.en, "Forensics");
    assert_eq!(
        c.value,
        ValueRule::Dynamic {
            function: Decay::Logarithmic,
            initial: 500,
            decay: 10,
            minimum: 100
        }
    );
    assert!(c.flags[0].matches("flag{123}"));
    assert!(
        !c.flags[0].matches("xflag{123}"),
        "regex flags must match whole"
    );
    assert!(!c.flags[0].matches("flag{123}x"));
    assert!(c.flags[1].matches("flag{two}"));
    assert!(matches!(
        &s.challenges[0].flags[0],
        Flag::Static {
            case_insensitive: false,
            ..
        }
    ));
    assert!(!s.challenges[0].flags[0].matches("FLAG{ONE}"));
    assert_eq!(c.hints[0].id, "1");
    assert_eq!(c.release_after_seconds, 3600);
}

#[test]
fn every_mistake_is_reported_with_its_position() {
    let src = "\
version: 1
exercise:
  id: drill-1
  title: Drill
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
  freeze_before_end: 3h
  colour: red
challenges:
  - id: a
    title: A
    value: 100
    flags: [x]
    requires: [b]
  - id: b
    title: B
    value: 100
    flags:
      - {type: regex, content: \"flag{[a-z\"}
    requires: [a]
  - id: a
    title: dup
    value: ten
    flags: [y]
    requires: [nope]
    release_after: 5h
";
    let problems = load_str(src, "bad.yaml", None).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let find = |needle: &str| {
        problems
            .iter()
            .find(|p| p.message.contains(needle))
            .unwrap_or_else(|| panic!("no problem mentions {needle:?}; got:\n{}", text.join("\n")))
    };
    let unknown = find("unknown field `colour`");
    assert_eq!((unknown.line, unknown.column), (9, 3));
    // Pages translate by code: the code and parameters say the same as the English message.
    assert_eq!(unknown.code, "unknown_field");
    assert_eq!(
        unknown.params.get("field").map(String::as_str),
        Some("colour")
    );
    assert!(
        unknown
            .message
            .ends_with(&format!("in {}", unknown.params["what"]))
    );
    assert!(unknown.hint_code.is_some());
    let json = serde_json::to_value(unknown).unwrap();
    assert_eq!(json["code"], "unknown_field");
    assert_eq!(json["params"]["field"], "colour");
    let freeze = find("freeze");
    assert_eq!(freeze.line, 8);
    let regex = find("not a valid regular expression");
    assert_eq!(regex.line, 20);
    assert!(regex.hint.is_some());
    let value = find("`value` must be a whole number");
    assert_eq!((value.line, value.column), (24, 12));
    assert_eq!(
        value.params.get("what").map(String::as_str),
        Some("`value`")
    );
    // The third challenge could not be read (bad value), so the duplicate id and the unknown
    // prerequisite are reported only once the value is fixed; the cycle a -> b -> a is found now.
    let cycle = find("cycle");
    assert_eq!(cycle.line, 11);
    assert!(problems.len() >= 5, "{}", text.join("\n"));
    assert!(problems.iter().all(|p| p.file == "bad.yaml" && p.line > 0));

    let fixed = src.replace("value: ten", "value: 10");
    let problems = load_str(&fixed, "bad.yaml", None).unwrap_err();
    let dup = problems
        .iter()
        .find(|p| p.message.contains("used twice"))
        .expect("duplicate id");
    assert_eq!(dup.line, 22);
    let missing = problems
        .iter()
        .find(|p| p.message.contains("`nope`"))
        .expect("unknown prerequisite");
    assert_eq!((missing.line, missing.column), (26, 16));
    let outside = problems
        .iter()
        .find(|p| p.message.contains("outside the exercise"))
        .expect("release time");
    assert_eq!(outside.line, 27);
}

#[test]
fn syntax_errors_and_wrong_shapes_are_reported() {
    let p = load_str("version: 1\nexercise: [unclosed\n", "x.yaml", None).unwrap_err();
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("not valid YAML"));
    let p = load_str("- just\n- a list\n", "x.yaml", None).unwrap_err();
    assert!(p[0].message.contains("mapping"));
    let p = load_str("version: 2\nchalenges: []\n", "x.yaml", None).unwrap_err();
    assert!(
        p.iter()
            .any(|p| p.hint.as_deref() == Some("did you mean `challenges`?"))
    );
    assert!(p.iter().any(|p| p.message.contains("version 2")));
    assert!(
        p.iter()
            .any(|p| p.message.contains("required field `exercise`"))
    );
}

#[test]
fn ctfcli_challenges_import_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("warmup");
    let b = dir.path().join("web").join("sqli");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("challenge.yml"), "name: Warm Up\ncategory: misc\nvalue: 50\ntype: standard\nflags:\n  - flag{warm}\nauthor: me\nstate: visible\nversion: \"0.1\"\n").unwrap();
    std::fs::write(b.join("challenge.yml"), "name: SQL Injection\ncategory: web\ndescription: Find the admin password\nvalue: 500\ntype: dynamic\nextra:\n  initial: 500\n  decay: 20\n  minimum: 100\nflags:\n  - {type: static, content: \"FLAG{Sqli}\", data: case_insensitive}\n  - {type: regex, content: \"flag\\\\{s[0-9]+\\\\}\"}\nhints:\n  - {content: \"try a quote\", cost: 25}\n  - free hint\nrequirements:\n  - Warm Up\n").unwrap();
    let import = ctfcli::import_dir(dir.path(), false).unwrap();
    let challenges = import.challenges;
    assert_eq!(challenges.len(), 2);
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.message.contains("`author`")),
        "{:?}",
        import.warnings
    );
    let sqli = challenges.iter().find(|c| c.id == "sql-injection").unwrap();
    assert_eq!(sqli.requires, vec!["warm-up"]);
    assert!(sqli.flags[0].matches("flag{sqli}"));
    assert!(sqli.flags[1].matches("flag{s42}"));
    assert_eq!(sqli.hints[0].cost, 25);
    assert_eq!(sqli.hints[1].cost, 0);

    let yaml = ctfcli::challenges_to_yaml(&challenges);
    let scenario = format!(
        "version: 1\nexercise:\n  id: x\n  title: X\n  timezone: UTC\n  start: 2026-12-01T08:00:00Z\n  duration: 1h\n{yaml}"
    );
    let loaded =
        load_str(&scenario, "imported.yaml", None).unwrap_or_else(|p| panic!("{p:?}\n{scenario}"));
    assert_eq!(loaded.challenges, challenges);

    std::fs::write(
        a.join("challenge.yml"),
        "name: Bad\ntype: container\nflags: []\n",
    )
    .unwrap();
    let problems = ctfcli::import_dir(dir.path(), false).unwrap_err();
    assert!(problems[0].message.contains("`container`"));
    // With --skip-invalid the good file comes in and the bad one is listed.
    let import = ctfcli::import_dir(dir.path(), true).unwrap();
    assert_eq!(import.challenges.len(), 1);
    assert!(
        import.skipped[0].file.ends_with("warmup/challenge.yml"),
        "{:?}",
        import.skipped
    );
}

/// What ctfcli repositories hold (its own example spec, a public 37-challenge repo): hidden
/// state, connection info, attempts, prerequisites as a mapping, solution and module paths,
/// hint keys and requirements. Kept where they mean something, named when dropped.
#[test]
fn ctfcli_fields_with_a_meaning_are_kept_and_the_rest_named() {
    let src = "name: Secret Service
author: someone
category: pwn
description: Connect and get a shell
attribution: a team
value: 300
type: standard
connection_info: nc 10.60.0.5 9001
attempts: 5
flags:
  - flag{shell}
topics: [memory]
tags: [hard]
hints:
  - {content: \"look at the stack\", cost: 10, title: Stack}
  - {content: \"second\", cost: 20, requirements: [1]}
requirements:
  prerequisites: [Warm Up]
  anonymize: true
solution: writeup/solve.py
module: pwn
state: hidden
version: \"0.1\"
";
    let (c, warnings) =
        ctfcli::import_one(src, "challenge.yml").unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(c.hidden, "a hidden challenge stays hidden");
    assert_eq!(c.connection_info.as_deref(), Some("nc 10.60.0.5 9001"));
    assert_eq!(c.max_attempts, Some(5));
    assert_eq!(c.requires, ["warm-up"]);
    assert_eq!(c.hints.len(), 2);
    let said: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    for field in [
        "`author`",
        "`attribution`",
        "`topics`",
        "`tags`",
        "`solution`",
        "`module`",
        "`anonymize`",
        "`requirements`",
    ] {
        assert!(
            said.iter().any(|m| m.contains(field)),
            "{field} not named: {said:#?}"
        );
    }
    // attempts: 0 is "no limit"; an unknown state is refused.
    let (c, _) = ctfcli::import_one(&src.replace("attempts: 5", "attempts: 0"), "c.yml").unwrap();
    assert_eq!(c.max_attempts, None);
    let p =
        ctfcli::import_one(&src.replace("state: hidden", "state: secret"), "c.yml").unwrap_err();
    assert!(p[0].message.contains("`visible` or `hidden`"), "{p:?}");
    // Round trip through the scenario format.
    let yaml = ctfcli::challenges_to_yaml(std::slice::from_ref(&c));
    let scenario = format!(
        "version: 1\nexercise:\n  id: x\n  title: X\n  timezone: UTC\n  start: 2026-12-01T08:00:00Z\n  duration: 1h\n{}",
        yaml.replace("    requires: [\"warm-up\"]\n", "")
    );
    let loaded =
        load_str(&scenario, "x.yaml", None).unwrap_or_else(|p| panic!("{p:?}\n{scenario}"));
    assert!(loaded.challenges[0].hidden);
    assert_eq!(
        loaded.challenges[0].connection_info.as_deref(),
        Some("nc 10.60.0.5 9001")
    );
}

#[test]
fn categories_may_be_written_in_both_languages() {
    let src = "version: 1
exercise: {id: x, title: X, timezone: UTC, start: 2026-12-01T08:00:00Z, duration: 1h}
challenges:
  - {id: a, title: A, category: {vi: Pháp chứng số, en: Forensics}, value: 10, flags: [x]}
  - {id: b, title: B, category: web, value: 10, flags: [y]}
  - {id: c, title: C, value: 10, flags: [z]}
";
    let s = load_str(src, "x.yaml", None).unwrap_or_else(|p| panic!("{p:#?}"));
    let (a, b, c) = (&s.challenges[0], &s.challenges[1], &s.challenges[2]);
    assert_eq!(a.category, "Forensics", "the English label is the key");
    assert_eq!(a.category_label().vi, "Pháp chứng số");
    assert_eq!(
        (b.category.as_str(), b.category_label().vi.as_str()),
        ("web", "web")
    );
    assert_eq!(c.category, "misc");
    // A scenario stored before bilingual categories reads as before.
    let mut old = serde_json::to_value(&s).unwrap();
    old["challenges"][0]
        .as_object_mut()
        .unwrap()
        .remove("category_text");
    let back: drillboard_scenario::Scenario = serde_json::from_value(old).unwrap();
    assert_eq!(back.challenges[0].category_label().vi, "Forensics");
}
