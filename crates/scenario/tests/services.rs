//! The attack/defend sections: settings, services, checkers and instance addresses.

use drillboard_scenario::load_str;

const HEAD: &str = "version: 1
exercise:
  id: ad
  title: AD
  timezone: UTC
  start: 2026-12-01T08:00:00Z
  duration: 4h
teams:
  - {id: hanoi, name: Hà Nội}
  - {id: hue, name: Huế}
";

#[test]
fn services_load_with_defaults_and_addresses() {
    let src = format!(
        "{HEAD}attack_defense:
  round_length: 60s
  weights: {{sla: 2}}
services:
  - id: portal
    name: {{vi: Cổng thông tin, en: Portal}}
    checker: python3 checkers/portal.py
    host: \"10.60.{{index}}.2:8080\"
    hosts: {{hue: \"192.0.2.7:8080\"}}
  - id: mail
    checker: [/opt/checkers/mail, --verbose]
    timeout: 20s
    places: 2
    weight: 0.5
    host: \"{{team}}.drill.internal:25\"
"
    );
    let s = load_str(&src, "ad.yaml", None).unwrap_or_else(|p| panic!("{p:#?}"));
    let ad = s.attack_defense.as_ref().unwrap();
    assert_eq!(
        (
            ad.round_seconds,
            ad.flag_lifetime_rounds,
            ad.flag_prefix.as_str(),
            ad.formula.as_str()
        ),
        (60, 5, "DRILL_", "faust")
    );
    assert!(ad.attack_when_down);
    assert_eq!(
        (ad.attack_weight, ad.defense_weight, ad.sla_weight),
        (1.0, 1.0, 2.0)
    );
    let portal = &s.services[0];
    assert_eq!(portal.checker, ["python3", "checkers/portal.py"]);
    assert_eq!(
        (portal.timeout_seconds, portal.places, portal.weight),
        (10, 1, 1.0)
    );
    assert_eq!(portal.host_for("hanoi", 1), "10.60.1.2:8080");
    assert_eq!(
        portal.host_for("hue", 2),
        "192.0.2.7:8080",
        "the table overrides the template"
    );
    let mail = &s.services[1];
    assert_eq!(mail.checker, ["/opt/checkers/mail", "--verbose"]);
    assert_eq!(
        (mail.timeout_seconds, mail.places, mail.weight),
        (20, 2, 0.5)
    );
    assert_eq!(mail.host_for("hue", 2), "hue.drill.internal:25");
    // Flags by default: 32 characters and `=`; a failed checker is probed (both hosts have a port).
    assert_eq!((ad.flag_body_length, ad.flag_suffix.as_str()), (32, "="));
    assert_eq!(portal.on_checker_failure, "probe");
    assert_eq!(mail.on_checker_failure, "probe");
}

#[test]
fn flag_formats_and_checker_failure_policies() {
    let ad = |settings: &str, service: &str| {
        format!(
            "{HEAD}attack_defense:\n  round_length: 60s\n{settings}services:\n  - id: portal\n    checker: c\n{service}"
        )
    };
    // A short flag with a closing brace, for a checker that encrypts it with a small key.
    let s = load_str(
        &ad(
            "  flag_prefix: FLAG{\n  flag_body_length: 21\n  flag_suffix: \"}\"\n",
            "    host: 10.60.{index}.2\n",
        ),
        "ad.yaml",
        None,
    )
    .unwrap_or_else(|p| panic!("{p:#?}"));
    let a = s.attack_defense.as_ref().unwrap();
    assert_eq!(
        (
            a.flag_prefix.as_str(),
            a.flag_body_length,
            a.flag_suffix.as_str()
        ),
        ("FLAG{", 21, "}")
    );
    assert_eq!(
        s.services[0].on_checker_failure, "up",
        "no port to probe: a failed checker counts as up"
    );
    let empty = load_str(
        &ad(
            "  flag_suffix: \"\"\n",
            "    host: h:80\n    on_checker_failure: down\n",
        ),
        "ad.yaml",
        None,
    )
    .unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(empty.attack_defense.as_ref().unwrap().flag_suffix, "");
    assert_eq!(empty.services[0].on_checker_failure, "down");
    // Each mistake named, with its line.
    for (settings, service, line, needle) in [
        (
            "  flag_body_length: 20\n",
            "    host: h:80\n",
            13,
            "at least 21",
        ),
        (
            "  flag_body_length: 65\n",
            "    host: h:80\n",
            13,
            "at most 64",
        ),
        (
            "  flag_suffix: \"} \"\n",
            "    host: h:80\n",
            13,
            "`flag_suffix`",
        ),
        (
            "",
            "    host: h\n    on_checker_failure: probe\n",
            17,
            "has no port",
        ),
        (
            "",
            "    host: h:80\n    on_checker_failure: maybe\n",
            17,
            "`up`, `down` or `probe`, not `maybe`",
        ),
    ] {
        let p = load_str(&ad(settings, service), "ad.yaml", None).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.line == line && p.message.contains(needle)),
            "{needle} at line {line}: {p:#?}"
        );
    }
}

#[test]
fn attack_defense_mistakes_are_each_reported() {
    let src = format!(
        "{HEAD}attack_defense:
  round_length: 3s
  flag_prefix: \"bad prefix!\"
  formula: enowars
services:
  - id: portal
    checker: []
    host: \"10.60.{{idx}}.2\"
    timeout: 0s
  - id: portal
    checker: x
    host: h
    hosts: {{danang: h2}}
"
    );
    let problems = load_str(&src, "ad.yaml", None).unwrap_err();
    let lines: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    let has = |line: usize, needle: &str| {
        assert!(
            problems
                .iter()
                .any(|p| p.line == line && p.message.contains(needle)),
            "no problem at line {line} about {needle:?}: {lines:#?}"
        )
    };
    has(12, "at least 5 seconds");
    has(13, "`flag_prefix`");
    has(14, "unknown attack/defend formula `enowars`");
    has(17, "`checker` needs a program");
    has(18, "`{idx}`");
    has(19, "`timeout` must be longer than zero");
    // The second service reads fine but repeats an id and names an unknown team.
    let fixed = src
        .replace("round_length: 3s", "round_length: 60s")
        .replace("\"bad prefix!\"", "DRILL_")
        .replace("enowars", "faust")
        .replace("checker: []", "checker: c")
        .replace("{idx}", "{index}")
        .replace("timeout: 0s", "timeout: 90s");
    let problems = load_str(&fixed, "ad.yaml", None).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.line == 20 && p.message.contains("used twice")),
        "{text:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.line == 23 && p.message.contains("`danang`")),
        "{text:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.line == 19 && p.message.contains("not shorter than a round")),
        "{text:#?}"
    );
    assert_eq!(problems.len(), 3, "{text:#?}");
}

#[test]
fn services_and_settings_go_together() {
    let only_services = format!("{HEAD}services:\n  - {{id: web, checker: c, host: h}}\n");
    let p = load_str(&only_services, "ad.yaml", None).unwrap_err();
    assert!(
        p[0].message.contains("need an `attack_defense` section"),
        "{p:?}"
    );
    assert_eq!(p[0].line, 12, "at the list of services");
    let only_settings = format!("{HEAD}attack_defense: {{round_length: 60s}}\n");
    let p = load_str(&only_settings, "ad.yaml", None).unwrap_err();
    assert!(p[0].message.contains("no `services`"), "{p:?}");
}

#[test]
fn enowars_checker_services() {
    let eno = |checker: &str, extra: &str| {
        format!(
            "{HEAD}attack_defense:\n  round_length: 60s\nservices:\n  - id: portal\n    checker: {checker}\n    host: h:80\n{extra}"
        )
    };
    let s = load_str(
        &eno(
            "{http: \"http://10.0.0.5:9100\"}",
            "    places: 2\n    noise: 2\n    havoc: 1\n",
        ),
        "ad.yaml",
        None,
    )
    .unwrap_or_else(|p| panic!("{p:#?}"));
    let svc = &s.services[0];
    assert_eq!(svc.checker_http.as_deref(), Some("http://10.0.0.5:9100"));
    assert!(svc.checker.is_empty());
    assert_eq!((svc.places, svc.noise, svc.havoc), (2, 2, 1));
    for (checker, extra, line, needle) in [
        (
            "{http: \"https://10.0.0.5\"}",
            "",
            15,
            "is not an http:// address",
        ),
        ("{http: \"http://\"}", "", 15, "is not an http:// address"),
        ("{url: \"http://x\"}", "", 15, "unknown field `url`"),
        ("c", "    noise: 1\n", 17, "need an ENOWARS checker"),
        (
            "{http: \"http://x:1\"}",
            "    havoc: 33\n",
            17,
            "at most 32 variants",
        ),
    ] {
        let p = load_str(&eno(checker, extra), "ad.yaml", None).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.line == line && p.message.contains(needle)),
            "{needle} at line {line}: {p:#?}"
        );
    }
}
