//! The fold: examples computed by hand, and properties over random event logs.

use drillboard_scoring::{
    AdFormula, AttackDefense, ChallengeRule, Config, Decay, Engine, Event, EventKind, InjectRule,
    ServiceState, TeamInfo, ValueRule,
};
use proptest::prelude::*;

fn config(teams: usize) -> Config {
    Config {
        teams: (0..teams)
            .map(|i| TeamInfo {
                id: format!("t{i}"),
                name: format!("Team {i:02}"),
            })
            .collect(),
        challenges: vec![
            ChallengeRule {
                id: "static".into(),
                value: ValueRule::Static(100),
                first_blood: vec![30, 10],
                hints: vec![("1".into(), 25)],
            },
            ChallengeRule {
                id: "dyn".into(),
                value: ValueRule::Dynamic {
                    function: Decay::Logarithmic,
                    initial: 500,
                    decay: 3,
                    minimum: 100,
                },
                first_blood: vec![],
                hints: vec![],
            },
            ChallengeRule {
                id: "lin".into(),
                value: ValueRule::Dynamic {
                    function: Decay::Linear,
                    initial: 200,
                    decay: 50,
                    minimum: 50,
                },
                first_blood: vec![],
                hints: vec![("a".into(), 10), ("b".into(), 20)],
            },
        ],
        tasks_weight: 1.0,
        injects: vec![],
        reports_weight: 1.0,
        attack_defense: AttackDefense {
            services: vec![("web".into(), 1.0), ("mail".into(), 2.0)],
            formula: AdFormula::Faust,
            attack_weight: 1.0,
            defense_weight: 1.0,
            sla_weight: 1.0,
        },
    }
}

fn solve(seq: i64, at: i64, team: usize, challenge: &str) -> Event {
    Event {
        seq,
        at,
        team: format!("t{team}"),
        kind: EventKind::Solve {
            challenge: challenge.into(),
        },
    }
}

#[test]
fn dynamic_values_apply_retroactively_to_every_solver() {
    let mut e = Engine::new(config(3));
    e.apply(&solve(1, 1_000, 0, "dyn"));
    let s = e.standings(None);
    assert_eq!(&*s.standings[0].team, "t0");
    assert_eq!(s.standings[0].score, 500.0);
    e.apply(&solve(2, 2_000, 1, "dyn"));
    e.apply(&solve(3, 3_000, 2, "dyn"));
    // k = 2: ceil(500 + (100 - 500) * 4 / 9) = ceil(322.2) = 323, for all three solvers.
    let s = e.standings(None);
    for st in &s.standings {
        assert_eq!(st.score, 323.0, "{st:?}");
    }
    assert_eq!(s.challenges[1].value, 323);
    // The board as it was before the later solves still shows the old value.
    let before = e.standings(Some(1_500));
    assert_eq!(before.standings[0].score, 500.0);
    assert_eq!(before.challenges[1].solves, 1);
}

#[test]
fn ties_go_to_whoever_reached_the_score_first_then_name() {
    let mut e = Engine::new(config(3));
    e.apply(&solve(1, 5_000, 2, "static"));
    e.apply(&solve(2, 6_000, 0, "static"));
    e.apply(&solve(3, 7_000, 1, "static"));
    let bonus_free = Config {
        challenges: config(3)
            .challenges
            .into_iter()
            .map(|mut c| {
                c.first_blood.clear();
                c
            })
            .collect(),
        ..config(3)
    };
    let e2 = Engine::replay(
        bonus_free,
        [
            solve(1, 5_000, 2, "static"),
            solve(2, 6_000, 0, "static"),
            solve(3, 6_000, 1, "static"),
        ]
        .iter(),
    );
    let order: Vec<_> = e2
        .standings(None)
        .standings
        .iter()
        .map(|s| s.team.to_string())
        .collect();
    // All on 100: t2 first (earliest), then t0 and t1 reached it at the same time: by name.
    assert_eq!(order, ["t2", "t0", "t1"]);
    // With first-blood bonuses the places differ in score: 130, 110, 100.
    let s = e.standings(None);
    let scores: Vec<_> = s.standings.iter().map(|s| (&*s.team, s.score)).collect();
    assert_eq!(scores, [("t2", 130.0), ("t0", 110.0), ("t1", 100.0)]);
    let ranks: Vec<_> = s.standings.iter().map(|s| s.rank).collect();
    assert_eq!((ranks, s.of), (vec![1, 2, 3], 3));
}

#[test]
fn hints_adjustments_and_disqualification() {
    let events = [
        solve(1, 1_000, 0, "static"),
        Event {
            seq: 2,
            at: 2_000,
            team: "t0".into(),
            kind: EventKind::HintUnlock {
                challenge: "lin".into(),
                hint: "b".into(),
            },
        },
        Event {
            seq: 3,
            at: 2_500,
            team: "t0".into(),
            kind: EventKind::HintUnlock {
                challenge: "lin".into(),
                hint: "b".into(),
            },
        },
        Event {
            seq: 4,
            at: 3_000,
            team: "t1".into(),
            kind: EventKind::Adjustment {
                points: -15.0,
                reason: "rules".into(),
            },
        },
        solve(5, 4_000, 2, "static"),
        Event {
            seq: 6,
            at: 5_000,
            team: "t0".into(),
            kind: EventKind::Disqualify {
                reason: "attacked infra".into(),
            },
        },
    ];
    let e = Engine::replay(config(3), events.iter());
    let before = e.standings(Some(4_500));
    let t0 = before.standings.iter().find(|s| &*s.team == "t0").unwrap();
    assert_eq!(t0.score, 130.0 - 20.0, "hint charged once");
    assert_eq!(t0.hint_cost, 20);
    let t1 = before.standings.iter().find(|s| &*s.team == "t1").unwrap();
    assert_eq!(t1.score, -15.0);
    assert_eq!(t1.components.adjustments, -15.0);
    let after = e.standings(None);
    assert_eq!(after.of, 2);
    assert!(after.standings.iter().all(|s| &*s.team != "t0"));
    // With t0 out, t2 becomes the first solver and takes the first-blood bonus.
    let t2 = after.standings.iter().find(|s| &*s.team == "t2").unwrap();
    assert_eq!(t2.challenges[0].first_blood_bonus, 30);
}

#[test]
fn unknown_teams_and_challenges_are_ignored_and_counted() {
    let mut e = Engine::new(config(1));
    e.apply(&solve(1, 1, 5, "static"));
    e.apply(&solve(2, 1, 0, "nope"));
    assert_eq!(e.ignored(), 2);
    assert_eq!(e.standings(None).standings[0].score, 0.0);
}

fn arb_events(teams: usize) -> impl Strategy<Value = Vec<Event>> {
    let kind = prop_oneof![
        4 => prop_oneof![Just("static"), Just("dyn"), Just("lin")].prop_map(|c| EventKind::Solve { challenge: c.into() }),
        1 => prop_oneof![Just(("static", "1")), Just(("lin", "a")), Just(("lin", "b"))]
            .prop_map(|(c, h)| EventKind::HintUnlock { challenge: c.into(), hint: h.into() }),
        1 => (-50i32..50).prop_map(|p| EventKind::Adjustment { points: p as f64, reason: "r".into() }),
        1 => Just(EventKind::Disqualify { reason: "r".into() }),
        1 => Just(EventKind::Reinstate),
        2 => (0..teams, prop_oneof![Just("web"), Just("mail")], 1u32..4, 1u8..3).prop_map(|(v, s, r, p)| EventKind::FlagCaptured {
            service: s.into(), victim: format!("t{v}"), round: r, place: p,
        }),
        2 => (prop_oneof![Just("web"), Just("mail")], 1u32..4, prop_oneof![
            Just(ServiceState::Ok), Just(ServiceState::Recovering), Just(ServiceState::Down), Just(ServiceState::CheckerError)
        ]).prop_map(|(s, r, state)| EventKind::ServiceChecked { service: s.into(), round: r, state }),
    ];
    prop::collection::vec((0..teams, 0i64..100, kind), 0..60).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (team, at, kind))| Event {
                seq: i as i64 + 1,
                at: at * 1000,
                team: format!("t{team}"),
                kind,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn order_of_events_does_not_change_the_result(events in arb_events(5), seed in any::<u64>()) {
        let mut shuffled = events.clone();
        // A deterministic shuffle driven by the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = Engine::replay(config(5), events.iter()).standings(None);
        let b = Engine::replay(config(5), shuffled.iter()).standings(None);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn scores_are_never_negative_without_a_penalty(events in arb_events(5)) {
        let no_penalty: Vec<Event> = events.into_iter().filter(|e| match &e.kind {
            EventKind::HintUnlock { .. } | EventKind::FlagCaptured { .. } => false,
            EventKind::Adjustment { points, .. } => *points >= 0.0,
            _ => true,
        }).collect();
        let s = Engine::replay(config(5), no_penalty.iter()).standings(None);
        for st in &s.standings {
            prop_assert!(st.score >= 0.0, "{:?}", st);
        }
    }

    #[test]
    fn ranks_are_a_permutation(events in arb_events(7), t in 0i64..120) {
        let e = Engine::replay(config(7), events.iter());
        for as_of in [None, Some(t * 1000)] {
            let s = e.standings(as_of);
            let mut ranks: Vec<usize> = s.standings.iter().map(|x| x.rank).collect();
            ranks.sort();
            prop_assert_eq!(ranks, (1..=s.of).collect::<Vec<_>>());
            prop_assert_eq!(s.of, s.standings.len());
            for w in s.standings.windows(2) {
                prop_assert!(w[0].score >= w[1].score);
            }
        }
    }

    #[test]
    fn a_challenge_value_alone_equals_the_standings_value(events in arb_events(5), t in 0i64..120) {
        let e = Engine::replay(config(5), events.iter());
        for as_of in [None, Some(t * 1000)] {
            for c in e.standings(as_of).challenges {
                prop_assert_eq!(e.value_of(&c.id, as_of), Some(c.value), "{} at {:?}", c.id, as_of);
            }
        }
        prop_assert_eq!(e.value_of("no-such-challenge", None), None);
    }

    #[test]
    fn incremental_application_equals_a_replay(events in arb_events(5)) {
        let mut live = Engine::new(config(5));
        let mut last = None;
        for (i, e) in events.iter().enumerate() {
            live.apply(e);
            if i % 7 == 0 {
                last = Some(live.standings(None));
            }
        }
        let replayed = Engine::replay(config(5), events.iter());
        prop_assert_eq!(live.standings(None), replayed.standings(None));
        if let Some(s) = last { prop_assert!(s.of <= 5); }
        // Time travel: the board at time t equals a replay of only the events up to t.
        let cut = 50_000;
        let early: Vec<Event> = events.iter().filter(|e| e.at <= cut).cloned().collect();
        prop_assert_eq!(
            live.standings(Some(cut)).standings,
            Engine::replay(config(5), early.iter()).standings(Some(cut)).standings
        );
    }
}

fn report_config() -> Config {
    Config {
        injects: vec![
            InjectRule {
                id: "inj".into(),
                weight: 2.0,
                due_at: Some(100_000),
                grace_ms: 60_000,
                penalty_per_minute: 0.1,
                cutoff_ms: Some(600_000),
            },
            InjectRule {
                id: "open".into(),
                weight: 1.0,
                due_at: Some(100_000),
                grace_ms: 0,
                penalty_per_minute: 0.5,
                cutoff_ms: None,
            },
        ],
        reports_weight: 0.5,
        ..config(2)
    }
}

fn graded(
    seq: i64,
    at: i64,
    team: usize,
    inject: &str,
    scores: &[f64],
    submitted_at: i64,
) -> Event {
    Event {
        seq,
        at,
        team: format!("t{team}"),
        kind: EventKind::ReportGraded {
            inject: inject.into(),
            criteria: scores
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("c{i}"), *s))
                .collect(),
            submitted_at,
        },
    }
}

#[test]
fn late_factor_at_the_edges() {
    let rule = &report_config().injects[0];
    // Due at 100 s, 60 s grace, 10 % per started minute, cutoff 600 s after the due time.
    assert_eq!(rule.late(90_000), (0, 1.0), "early");
    assert_eq!(
        rule.late(160_000),
        (0, 1.0),
        "exactly at the end of the grace period"
    );
    assert_eq!(
        rule.late(160_001),
        (1, 0.9),
        "one millisecond later starts the first minute"
    );
    let (m, f) = rule.late(160_000 + 3 * 60_000 + 30_000);
    assert_eq!(m, 4);
    assert!((f - 0.6).abs() < 1e-12, "{f}");
    assert_eq!(
        rule.late(700_000).0,
        9,
        "at the cutoff: nine minutes after the grace period"
    );
    assert!(
        (rule.late(700_000).1 - 0.1).abs() < 1e-9,
        "nine minutes at 10 % leave 10 %"
    );
    assert_eq!(rule.late(700_001).1, 0.0, "past the cutoff");
    let open = &report_config().injects[1];
    assert_eq!(open.late(100_000 + 5 * 60_000).1, 0.0, "never negative");
    let unstarted = InjectRule {
        due_at: None,
        ..open.clone()
    };
    assert_eq!(unstarted.late(1), (0, 1.0));
}

#[test]
fn reports_count_from_their_release_with_weights_and_late_factor() {
    let release = |seq, at| Event {
        seq,
        at,
        team: String::new(),
        kind: EventKind::GradesReleased {
            inject: "inj".into(),
        },
    };
    let events = [
        graded(1, 200_000, 0, "inj", &[6.0, 4.0], 150_000),
        graded(2, 210_000, 1, "inj", &[5.0, 5.0], 200_000),
        release(3, 300_000),
        // A regrade after a revision replaces the earlier grade from its own time on.
        graded(4, 400_000, 1, "inj", &[8.0, 2.0], 160_000),
        graded(5, 500_000, 0, "open", &[3.0], 90_000),
    ];
    let e = Engine::replay(report_config(), events.iter());
    let before = e.standings(Some(250_000));
    assert!(
        before
            .standings
            .iter()
            .all(|s| s.score == 0.0 && s.reports.is_empty()),
        "unreleased grades do not count"
    );
    let at = e.standings(Some(350_000));
    let t0 = at.standings.iter().find(|s| &*s.team == "t0").unwrap();
    // 2 (weight) x 10 (total) x 1.0 (in grace) = 20 points; x 0.5 component weight = 10.
    assert_eq!(t0.components.reports, 20.0);
    assert_eq!(t0.score, 10.0);
    assert_eq!(
        t0.reached_at,
        Some(300_000),
        "the score changed at the release"
    );
    let t1 = at.standings.iter().find(|s| &*s.team == "t1").unwrap();
    // Submitted 40 s after the grace period: 1 minute late, factor 0.9: 2 x 10 x 0.9 = 18.
    assert_eq!(t1.reports[0].minutes_late, 1);
    assert!((t1.components.reports - 18.0).abs() < 1e-9);
    assert_eq!(
        t1.reports[0].criteria,
        vec![("c0".to_owned(), 5.0), ("c1".to_owned(), 5.0)]
    );
    let end = e.standings(None);
    let t1 = end.standings.iter().find(|s| &*s.team == "t1").unwrap();
    assert_eq!(t1.reports[0].criteria[0].1, 8.0, "the latest grade counts");
    assert_eq!(t1.reports[0].late_factor, 1.0);
    let t0 = end.standings.iter().find(|s| &*s.team == "t0").unwrap();
    assert_eq!(t0.reports.len(), 1, "`open` was never released");
    assert_eq!(e.ignored(), 0);
}

fn ad_event(seq: i64, at: i64, team: usize, kind: EventKind) -> Event {
    Event {
        seq,
        at,
        team: if team == usize::MAX {
            String::new()
        } else {
            format!("t{team}")
        },
        kind,
    }
}

#[test]
fn faust_attack_defense_and_sla_by_hand() {
    let cap = |victim: usize, service: &str, round: u32| EventKind::FlagCaptured {
        service: service.into(),
        victim: format!("t{victim}"),
        round,
        place: 1,
    };
    let chk = |service: &str, round: u32, state: ServiceState| EventKind::ServiceChecked {
        service: service.into(),
        round,
        state,
    };
    let events = [
        // t0's web flag of round 1 is captured by t1 and t2; t1's by t0 alone.
        ad_event(1, 1_000, 1, cap(0, "web", 1)),
        ad_event(2, 2_000, 2, cap(0, "web", 1)),
        ad_event(3, 3_000, 0, cap(1, "web", 1)),
        // A second submission of the same flag by the same attacker counts once.
        ad_event(4, 3_500, 0, cap(1, "web", 1)),
        // Your own flag, and a flag of an unknown service, do not count.
        ad_event(5, 3_600, 2, cap(2, "web", 1)),
        ad_event(6, 3_700, 2, cap(1, "ftp", 1)),
        // mail (weight 2): t0 captures t2's flag.
        ad_event(7, 4_000, 0, cap(2, "mail", 2)),
        // SLA: web rounds 1 and 2; round 2 is voided for web.
        ad_event(8, 1_000, 0, chk("web", 1, ServiceState::Ok)),
        ad_event(9, 1_000, 1, chk("web", 1, ServiceState::Recovering)),
        ad_event(10, 1_000, 2, chk("web", 1, ServiceState::CheckerError)),
        ad_event(11, 2_000, 0, chk("web", 2, ServiceState::Ok)),
        ad_event(12, 2_000, 1, chk("web", 2, ServiceState::Down)),
        ad_event(13, 2_000, 2, chk("mail", 2, ServiceState::Ok)),
        ad_event(
            14,
            5_000,
            usize::MAX,
            EventKind::RoundVoided {
                service: "web".into(),
                round: 2,
            },
        ),
    ];
    let mut e = Engine::replay(config(3), events.iter());
    assert_eq!(e.ignored(), 2);
    // A verdict for an absurd round number is ignored, not a huge allocation.
    e.apply(&ad_event(
        15,
        5_000,
        0,
        chk("web", u32::MAX, ServiceState::Ok),
    ));
    assert_eq!(e.ignored(), 3);
    let s = e.standings(None);
    let get = |id: &str| {
        s.standings
            .iter()
            .find(|x| &*x.team == id)
            .unwrap()
            .components
    };
    let (c0, c1, c2) = (get("t0"), get("t1"), get("t2"));
    let root3 = 3f64.sqrt();
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-9, "{a} != {b}");
    // Attack: t1 and t2 share one flag: 1 + 1/2 each; t0 alone on two flags, mail weighted 2.
    close(c1.attack, 1.5);
    close(c2.attack, 1.5);
    close(c0.attack, (1.0 + 1.0) + 2.0 * (1.0 + 1.0));
    // Defense: t0 lost one flag to two teams: -(2^0.75); t1 one flag to one team; t2 a mail flag.
    close(c0.defense, -(2f64.powf(0.75)));
    close(c1.defense, -1.0);
    close(c2.defense, -2.0);
    // SLA: round 2 of web is void; t1 was recovering in round 1; t2's checker error in round 1
    // counts as up (it is never the team's fault), plus its mail round (weight 2).
    close(c0.sla, root3);
    close(c1.sla, 0.5 * root3);
    close(c2.sla, root3 + 2.0 * root3);
    // Before the void, t0 also had web round 2.
    let before = e.standings(Some(4_999));
    let t0 = before.standings.iter().find(|x| &*x.team == "t0").unwrap();
    close(t0.components.sla, 2.0 * root3);
    let total0 = s.standings.iter().find(|x| &*x.team == "t0").unwrap().score;
    close(total0, c0.attack + c0.defense + c0.sla);
}

#[test]
fn adjustments_are_listed_with_their_reasons_in_log_order() {
    let adj = |seq: i64, at: i64, points: f64, reason: &str| Event {
        seq,
        at,
        team: "t0".into(),
        kind: EventKind::Adjustment {
            points,
            reason: reason.into(),
        },
    };
    // Applied out of order; listed and summed by (at, seq); a later one is not counted yet.
    let events = [
        adj(3, 3_000, 0.1, "third"),
        adj(1, 1_000, 0.2, "first"),
        adj(2, 2_000, -0.3, "second"),
        adj(4, 9_000, 100.0, "later"),
    ];
    let e = Engine::replay(config(2), events.iter());
    let s = e.standings(Some(5_000));
    let t0 = s.standings.iter().find(|x| &*x.team == "t0").unwrap();
    let reasons: Vec<&str> = t0.adjustments.iter().map(|a| &*a.reason).collect();
    assert_eq!(reasons, ["first", "second", "third"]);
    assert_eq!(t0.components.adjustments, 0.2 + -0.3 + 0.1);
    let again = Engine::replay(config(2), events.iter().rev()).standings(Some(5_000));
    assert_eq!(s, again, "the same bits whatever the arrival order");
}

#[test]
fn sla_counts_the_teams_of_each_round_so_a_team_added_later_changes_no_past_round() {
    let chk = |seq: i64, round: u32, team: usize, state: ServiceState| {
        ad_event(
            seq,
            round as i64 * 1_000,
            team,
            EventKind::ServiceChecked {
                service: "web".into(),
                round,
                state,
            },
        )
    };
    // Rounds 1 and 2 with three teams; t3 joins in round 3.
    let mut events = Vec::new();
    let mut seq = 0;
    for round in 1..=2 {
        for team in 0..3 {
            seq += 1;
            events.push(chk(seq, round, team, ServiceState::Ok));
        }
    }
    let before: Vec<Event> = events.clone();
    for team in 0..4 {
        seq += 1;
        let state = if team == 1 {
            ServiceState::Recovering
        } else {
            ServiceState::Ok
        };
        events.push(chk(seq, 3, team, state));
    }
    let three = Engine::replay(config(3), before.iter()).standings(None);
    let four = Engine::replay(config(4), events.iter());
    let sla = |s: &drillboard_scoring::Standings, id: &str| {
        s.standings
            .iter()
            .find(|x| &*x.team == id)
            .unwrap()
            .components
            .sla
    };
    // At the end of round 2, the fourth team (there, but never checked yet) changes nothing.
    let then = four.standings(Some(2_000));
    for id in ["t0", "t1", "t2"] {
        assert_eq!(sla(&then, id), sla(&three, id), "{id}");
        assert_eq!(sla(&then, id), 2.0 * 3f64.sqrt(), "{id}: exactly 2 × √3");
    }
    // Round 3 counts √4; t1 was recovering in it.
    let now = four.standings(None);
    assert_eq!(sla(&now, "t0"), 2.0 * 3f64.sqrt() + 4f64.sqrt());
    assert_eq!(sla(&now, "t1"), 2.0 * 3f64.sqrt() + 0.5 * 4f64.sqrt());
    assert_eq!(sla(&now, "t3"), 4f64.sqrt());
    // Disqualifying a team later leaves the N of the rounds it played.
    let mut dq = events.clone();
    dq.push(ad_event(
        seq + 1,
        9_000,
        2,
        EventKind::Disqualify { reason: "x".into() },
    ));
    let after = Engine::replay(config(4), dq.iter()).standings(None);
    assert_eq!(sla(&after, "t0"), sla(&now, "t0"));
}
