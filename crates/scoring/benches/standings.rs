//! Full replay of a large drill: 1,000 teams, 100 challenges, 100,000 events, then the standings.
//! Run with `cargo bench -p drillboard-scoring`; figures go in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use drillboard_scoring::{
    ChallengeRule, Config, Decay, Engine, Event, EventKind, TeamInfo, ValueRule,
};
use std::hint::black_box;

const TEAMS: usize = 1_000;
const CHALLENGES: usize = 100;
const EVENTS: usize = 100_000;

fn setup() -> (Config, Vec<Event>) {
    let config = Config {
        teams: (0..TEAMS)
            .map(|i| TeamInfo {
                id: format!("team-{i}"),
                name: format!("Team {i}"),
            })
            .collect(),
        challenges: (0..CHALLENGES)
            .map(|c| ChallengeRule {
                id: format!("ch-{c}"),
                value: match c % 3 {
                    0 => ValueRule::Static(100 + c as i64),
                    1 => ValueRule::Dynamic {
                        function: Decay::Logarithmic,
                        initial: 500,
                        decay: 40,
                        minimum: 100,
                    },
                    _ => ValueRule::Dynamic {
                        function: Decay::Linear,
                        initial: 400,
                        decay: 2,
                        minimum: 50,
                    },
                },
                first_blood: vec![50, 25, 10],
                hints: vec![("1".into(), 20)],
            })
            .collect(),
        tasks_weight: 1.0,
        injects: vec![],
        reports_weight: 1.0,
        attack_defense: Default::default(),
    };
    // A deterministic pseudo-random mix: mostly solves, some hints and adjustments.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let events = (0..EVENTS)
        .map(|i| {
            let team = format!("team-{}", next() as usize % TEAMS);
            let challenge = format!("ch-{}", next() as usize % CHALLENGES);
            let kind = match next() % 20 {
                0 => EventKind::HintUnlock {
                    challenge,
                    hint: "1".into(),
                },
                1 => EventKind::Adjustment {
                    points: (next() % 50) as f64 - 10.0,
                    reason: "bench".into(),
                },
                _ => EventKind::Solve { challenge },
            };
            Event {
                seq: i as i64 + 1,
                at: 1_700_000_000_000 + i as i64 * 100,
                team,
                kind,
            }
        })
        .collect();
    (config, events)
}

fn bench(c: &mut Criterion) {
    let (config, events) = setup();
    c.bench_function("replay 100k events, 1000 teams, then standings", |b| {
        b.iter(|| {
            let engine = Engine::replay(config.clone(), black_box(&events).iter());
            black_box(engine.standings(None))
        })
    });
    c.bench_function("apply 100k events (no standings)", |b| {
        b.iter(|| black_box(Engine::replay(config.clone(), black_box(&events).iter())))
    });
    let engine = Engine::replay(config.clone(), events.iter());
    c.bench_function(
        "standings from a live engine (1000 teams, 100k events)",
        |b| b.iter(|| black_box(engine.standings(None))),
    );
    c.bench_function("frozen board: standings at a past time", |b| {
        b.iter(|| black_box(engine.standings(Some(1_700_000_000_000 + 5_000_000))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
