//! The fold: examples computed by hand, and properties over random event logs.

use drillboard_scoring::{
    ChallengeRule, Config, Decay, Engine, Event, EventKind, TeamInfo, ValueRule,
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
            EventKind::HintUnlock { .. } => false,
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
