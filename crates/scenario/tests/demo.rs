//! The demo scenario shipped in `scenarios/demo` loads and shows off every feature of format v1.

use std::path::Path;

use drillboard_scenario::{Decay, Flag, Scenario, Text, ValueRule, load_file};

fn demo() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml");
    load_file(&path).unwrap_or_else(|problems| {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        panic!(
            "the demo scenario has {} problem(s):\n{}",
            list.len(),
            list.join("\n")
        )
    })
}

fn assert_bilingual(what: &str, t: &Text) {
    assert!(
        !t.vi.trim().is_empty(),
        "{what}: the Vietnamese text is empty"
    );
    assert!(!t.en.trim().is_empty(), "{what}: the English text is empty");
    assert_ne!(t.vi, t.en, "{what}: the vi and en texts are the same");
}

#[test]
fn demo_scenario_loads_and_uses_every_feature() {
    let s = demo();

    assert_eq!(s.exercise.id, "demo-drill");
    assert_eq!(s.exercise.timezone, "Asia/Ho_Chi_Minh");
    assert_eq!(s.exercise.utc_offset_seconds, 7 * 3600);
    assert_eq!(s.exercise.duration_seconds, 4 * 3600);
    assert_eq!(s.exercise.freeze_before_end_seconds, Some(30 * 60));
    assert_eq!(s.scoring.tasks_weight, 1.0);
    assert_eq!(s.scoring.reports_weight, 1.0);
    assert_eq!(s.scoring.wrong_flags_per_minute, 10);

    assert!(s.teams.len() >= 10, "only {} teams", s.teams.len());
    assert!(
        s.teams
            .iter()
            .all(|t| !t.organisation.is_empty() && (2..=4).contains(&t.members.len())),
        "every team needs an organisation and 2 to 4 members"
    );
    assert!(
        s.challenges.len() >= 12,
        "only {} challenges",
        s.challenges.len()
    );

    let values = || s.challenges.iter().map(|c| c.value);
    assert!(
        values().any(|v| matches!(v, ValueRule::Static { .. })),
        "no static value"
    );
    assert!(
        values().any(|v| matches!(
            v,
            ValueRule::Dynamic {
                function: Decay::Logarithmic,
                ..
            }
        )),
        "no logarithmic dynamic value"
    );
    assert!(
        values().any(|v| matches!(
            v,
            ValueRule::Dynamic {
                function: Decay::Linear,
                ..
            }
        )),
        "no linear dynamic value"
    );

    let flags = || s.challenges.iter().flat_map(|c| &c.flags);
    assert!(
        flags().any(|f| matches!(f, Flag::Regex { .. })),
        "no regex flag"
    );
    assert!(
        flags().any(|f| matches!(
            f,
            Flag::Static {
                case_insensitive: true,
                ..
            }
        )),
        "no case-insensitive flag"
    );
    assert!(
        s.challenges
            .iter()
            .flat_map(|c| &c.hints)
            .any(|h| h.cost > 0),
        "no hint with a cost"
    );
    assert!(
        s.challenges.iter().any(|c| !c.requires.is_empty()),
        "no challenge with prerequisites"
    );
    assert!(
        s.challenges.iter().any(|c| !c.first_blood.is_empty()),
        "no challenge with a first-blood bonus"
    );
    assert!(
        s.challenges.iter().any(|c| c.release_after_seconds > 0),
        "no challenge released after the start"
    );

    assert_bilingual("the exercise title", &s.exercise.title);
    assert_bilingual("the exercise description", &s.exercise.description);
    for c in &s.challenges {
        assert_bilingual(&format!("the title of `{}`", c.id), &c.title);
        assert_bilingual(&format!("the description of `{}`", c.id), &c.description);
        for h in &c.hints {
            assert_bilingual(&format!("hint {} of `{}`", h.id, c.id), &h.content);
        }
    }
}

#[test]
fn demo_injects_ask_for_graded_reports() {
    let s = demo();
    assert_eq!(s.injects.len(), 3, "the demo has exactly three injects");

    for i in &s.injects {
        let r = i
            .report
            .as_ref()
            .unwrap_or_else(|| panic!("inject `{}` asks for no report", i.id));
        assert!(
            !r.rubric.is_empty(),
            "inject `{}` has an empty rubric",
            i.id
        );
        assert!(r.max_total() > 0.0, "inject `{}` cannot score", i.id);
        assert!(
            i.release_after_seconds + r.due_within_seconds <= s.exercise.duration_seconds,
            "the report for `{}` is due after the end",
            i.id
        );
        assert_bilingual(&format!("the title of inject `{}`", i.id), &i.title);
        assert_bilingual(&format!("the body of inject `{}`", i.id), &i.body);
        for c in &r.rubric {
            assert_bilingual(
                &format!("the title of criterion `{}` of `{}`", c.id, i.id),
                &c.title,
            );
            assert_bilingual(
                &format!("the guidance of criterion `{}` of `{}`", c.id, i.id),
                &c.guidance,
            );
        }
    }

    let reports = || s.injects.iter().filter_map(|i| i.report.as_ref());
    assert_eq!(
        reports().filter(|r| r.double_marking).count(),
        1,
        "exactly one inject is double-marked"
    );
    assert!(
        reports().any(|r| r.double_marking && r.disagreement_threshold > 0.0),
        "the double-marked inject has a disagreement threshold"
    );
    let addressed: Vec<_> = s
        .injects
        .iter()
        .filter(|i| !i.audience.is_empty())
        .collect();
    assert_eq!(addressed.len(), 1, "exactly one inject has an audience");
    let audience = &addressed[0].audience;
    assert!(
        audience.len() < s.teams.len(),
        "the audience should be some of the teams, not all of them"
    );
    assert!(
        audience
            .iter()
            .all(|t| s.teams.iter().any(|team| &team.id == t)),
        "the audience names only demo teams"
    );
    assert!(
        s.injects.iter().any(|i| i.release_after_seconds == 0),
        "no inject is visible as soon as the demo starts"
    );

    let mut vi: Vec<&str> = s.injects.iter().map(|i| i.title.vi.as_str()).collect();
    let mut en: Vec<&str> = s.injects.iter().map(|i| i.title.en.as_str()).collect();
    vi.sort_unstable();
    vi.dedup();
    en.sort_unstable();
    en.dedup();
    assert_eq!(vi.len(), 3, "inject titles (vi) are not distinct");
    assert_eq!(en.len(), 3, "inject titles (en) are not distinct");
}

#[test]
fn demo_flags_accept_their_documented_forms() {
    let s = demo();
    let flag = |id: &str| {
        &s.challenge(id)
            .unwrap_or_else(|| panic!("no challenge `{id}`"))
            .flags
    };
    let accepts = |id: &str, answer: &str| flag(id).iter().any(|f| f.matches(answer));

    // The regex flag takes the time with or without seconds, and nothing around it.
    assert!(accepts("ir-01", "VNDRILL{02:14}"));
    assert!(accepts("ir-01", "VNDRILL{02:14:37}"));
    assert!(!accepts("ir-01", "VNDRILL{02:14:38}"));
    assert!(!accepts("ir-01", "xVNDRILL{02:14}"));
    // Case-insensitive and exact static flags.
    assert!(accepts("for-01", "vndrill{SMTP.thongbao-stttt.example}"));
    assert!(accepts("web-01", "VNDRILL{203.0.113.57}"));
    assert!(!accepts("web-01", "vndrill{203.0.113.57}"));
}
