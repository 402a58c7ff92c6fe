//! The `injects:` section: a good one loads with its times, fractions and defaults, and every
//! mistake in a bad one is reported at its line and column.

use drillboard_scenario::{Text, load_str};

const GOOD: &str = "\
version: 1
exercise:
  id: drill-1
  title: Drill
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 4h
scoring: {weights: {tasks: 2, reports: 0.5}}
teams:
  - {id: hanoi, name: \"Hà Nội\"}
  - {id: hue, name: \"Huế\"}
injects:
  - id: portal
    title: {vi: \"Cổng thông tin bị thay đổi giao diện\", en: \"Portal defaced\"}
    body:
      vi: |
        Gửi báo cáo **ban đầu**.
      en: |
        Send an **initial** report.
    release_after: 1h30m
    audience: [hue]
    attachments: [\"https://files.drill.internal/injects/portal.png\"]
    report:
      due_within: 45m
      late: {grace: 5m, penalty_per_minute: 0.02, cutoff: 1h}
      double_marking: true
      disagreement_threshold: 2.5
      weight: 2
      rubric:
        - id: scope
          title: {vi: \"Phạm vi ảnh hưởng\", en: \"Scope\"}
          max: 4
          guidance: {vi: \"Nêu đúng máy chủ\", en: \"Names the server\"}
        - {id: timeline, title: Timeline, max: 2.5}
  - id: news
    title: News
    audience: all
  - id: minimal
    title: Minimal
    report:
      due_within: 30m
      rubric: [{id: summary, title: Summary, max: 10}]
";

#[test]
fn a_good_inject_section_loads() {
    let s = load_str(GOOD, "good.yaml", None).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(s.scoring.tasks_weight, 2.0);
    assert_eq!(s.scoring.reports_weight, 0.5);
    assert_eq!(s.injects.len(), 3);

    let portal = s.inject("portal").expect("inject `portal`");
    assert_eq!(portal.title.vi, "Cổng thông tin bị thay đổi giao diện");
    assert_eq!(portal.title.en, "Portal defaced");
    assert_eq!(portal.body.vi, "Gửi báo cáo **ban đầu**.\n");
    assert_eq!(portal.body.en, "Send an **initial** report.\n");
    assert_eq!(portal.release_after_seconds, 90 * 60);
    assert_eq!(portal.audience, vec!["hue"]);
    assert_eq!(
        portal.attachments,
        vec!["https://files.drill.internal/injects/portal.png"]
    );
    let r = portal.report.as_ref().expect("a report");
    assert_eq!(r.due_within_seconds, 45 * 60);
    assert_eq!(r.grace_seconds, 5 * 60);
    assert_eq!(r.penalty_per_minute, 0.02);
    assert_eq!(r.cutoff_seconds, Some(3600));
    assert!(r.double_marking);
    assert_eq!(r.disagreement_threshold, 2.5);
    assert_eq!(r.weight, 2.0);
    assert_eq!(r.rubric.len(), 2);
    assert_eq!(r.rubric[0].id, "scope");
    assert_eq!(r.rubric[0].max, 4.0);
    assert_eq!(r.rubric[0].guidance.en, "Names the server");
    assert_eq!(r.rubric[1].id, "timeline");
    assert_eq!(r.rubric[1].title, Text::same("Timeline"));
    assert_eq!(r.rubric[1].max, 2.5);
    assert_eq!(
        r.rubric[1].guidance,
        Text::default(),
        "guidance is optional"
    );
    assert_eq!(r.max_total(), 6.5);

    // `audience: all`, no body, no report, no release time.
    let news = s.inject("news").expect("inject `news`");
    assert!(news.audience.is_empty(), "`all` is the empty audience");
    assert_eq!(news.release_after_seconds, 0);
    assert_eq!(news.body, Text::default());
    assert!(news.attachments.is_empty());
    assert_eq!(news.report, None);

    // The defaults of a report.
    let r = s
        .inject("minimal")
        .and_then(|i| i.report.as_ref())
        .expect("a report for `minimal`");
    assert_eq!(r.due_within_seconds, 30 * 60);
    assert_eq!(r.grace_seconds, 0);
    assert_eq!(r.penalty_per_minute, 0.0);
    assert_eq!(r.cutoff_seconds, None);
    assert!(!r.double_marking);
    assert_eq!(r.disagreement_threshold, 0.0);
    assert_eq!(r.weight, 1.0);
    assert_eq!(r.max_total(), 10.0);
}

#[test]
fn the_reports_weight_defaults_to_one() {
    let src = GOOD.replace("scoring: {weights: {tasks: 2, reports: 0.5}}\n", "");
    let s = load_str(&src, "good.yaml", None).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(s.scoring.tasks_weight, 1.0);
    assert_eq!(s.scoring.reports_weight, 1.0);
}

#[test]
fn audience_ids_are_not_checked_without_listed_teams() {
    // Teams may be imported from CSV later: without `teams:` any identifier is accepted.
    let src = GOOD
        .replace(
            "teams:\n  - {id: hanoi, name: \"Hà Nội\"}\n  - {id: hue, name: \"Huế\"}\n",
            "",
        )
        .replace("audience: [hue]", "audience: [quangnam]");
    let s = load_str(&src, "good.yaml", None).unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(s.teams.is_empty());
    assert_eq!(s.injects[0].audience, vec!["quangnam"]);
}

#[test]
fn every_inject_mistake_is_reported_with_its_position() {
    let src = "\
version: 1
exercise:
  id: drill-1
  title: Drill
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
teams:
  - {id: hanoi, name: \"Hà Nội\"}
  - {id: hue, name: \"Huế\"}
injects:
  - id: portal
    title: Portal
    report:
      due_within: 30m
      weigth: 2
      late:
        grace: 10m
        penalty_per_minute: 1.5
        cutoff: 5m
      rubric:
        - {id: scope, title: Scope, max: 5}
  - id: phishing
    title: Phishing
    report:
      due_within: 30m
      rubric: []
  - id: malware
    title: Malware
    audience: [hanoi, quangnam]
    report:
      due_within: 45m
      rubric:
        - {id: scope, title: Scope, max: 4}
        - {id: scope, title: Again, max: 4}
        - {id: impact, title: Impact, max: 0}
  - id: late-news
    title: Late news
    release_after: 2h
  - id: escalation
    title: Escalation
    release_after: 1h30m
    report:
      due_within: 45m
      rubric:
        - {id: summary, title: Summary, max: 10}
  - id: phishing
    title: Phishing again
";
    // Lines: 12 `portal`, 15 its report, 16 `weigth`, 19 the penalty, 27 the empty rubric,
    // 30 the audience, 35 the second `scope`, 36 `max: 0`, 39 `late-news`'s release,
    // 44 `escalation`'s report, 47 the second `phishing`.
    let problems = load_str(src, "injects.yaml", None).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let all = text.join("\n");
    let find = |needle: &str| {
        problems
            .iter()
            .find(|p| p.message.contains(needle))
            .unwrap_or_else(|| panic!("no problem mentions {needle:?}; got:\n{all}"))
    };
    let at = |needle: &str| {
        let p = find(needle);
        (p.line, p.column)
    };

    // Unknown field in a report: at the key, with a did-you-mean hint.
    let unknown = find("unknown field `weigth` in `report`");
    assert_eq!((unknown.line, unknown.column), (16, 7));
    assert_eq!(unknown.hint.as_deref(), Some("did you mean `weight`?"));
    // A penalty that is not a fraction: at the value.
    let penalty = find("`penalty_per_minute` is a fraction from 0 to 1, found 1.5");
    assert_eq!((penalty.line, penalty.column), (19, 29));
    assert!(penalty.hint.is_some());
    // A cutoff shorter than the grace period: at the report (its first key).
    assert_eq!(
        at("the late `cutoff` comes before the end of the `grace` period"),
        (15, 7)
    );
    // An empty rubric: at the `[`.
    assert_eq!(at("a rubric needs at least one criterion"), (27, 15));
    // The second criterion with the same id: at that criterion.
    assert_eq!(
        at("criterion id `scope` is used twice in this rubric"),
        (35, 11)
    );
    // A criterion worth nothing: at the value.
    assert_eq!(at("a criterion's `max` must be above zero"), (36, 44));
    // An audience team that is not listed: at the id.
    assert_eq!(
        at("inject `malware` is addressed to team `quangnam`, which is not defined"),
        (30, 23)
    );
    // Released when the exercise is over (2h of 2h): at `release_after`'s value.
    assert_eq!(
        at("inject `late-news` is released after the exercise ends"),
        (39, 20)
    );
    // Due after the end (1h30m + 45m > 2h): at the report.
    assert_eq!(
        at("the report for inject `escalation` is due after the exercise ends"),
        (44, 7)
    );
    // The second inject with a used id: at that inject.
    assert_eq!(at("inject id `phishing` is used twice"), (47, 5));

    assert_eq!(problems.len(), 10, "unexpected problems:\n{all}");
    assert!(problems.iter().all(|p| p.file == "injects.yaml"));
    let positions: Vec<_> = problems.iter().map(|p| (p.line, p.column)).collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    assert_eq!(positions, sorted, "problems are sorted by position");
}
