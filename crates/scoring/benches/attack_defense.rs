//! One attack/defend round's scoring at drill size: 63 teams × 8 services, round 100 of a game
//! whose flags live 5 rounds and are each captured by a pseudo-random share of the teams.
//! Run with `cargo bench -p drillboard-scoring --bench attack_defense`; figures go in
//! docs/benchmarks.md.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use drillboard_scoring::{
    AdFormula, AttackDefense, Config, Engine, Event, EventKind, ServiceState, TeamInfo,
};
use std::hint::black_box;

const TEAMS: usize = 63;
const SERVICES: usize = 8;
const ROUNDS: u32 = 100;
const LIFETIME: u32 = 5;
const ROUND_MS: i64 = 60_000;
const START: i64 = 1_700_000_000_000;

fn config() -> Config {
    Config {
        teams: (0..TEAMS)
            .map(|i| TeamInfo {
                id: format!("team-{i}"),
                name: format!("Team {i}"),
            })
            .collect(),
        challenges: vec![],
        tasks_weight: 1.0,
        injects: vec![],
        reports_weight: 1.0,
        attack_defense: AttackDefense {
            services: (0..SERVICES)
                .map(|s| (format!("svc-{s}"), 1.0 + s as f64 / 4.0))
                .collect(),
            formula: AdFormula::Faust,
            attack_weight: 1.0,
            defense_weight: 1.0,
            sla_weight: 1.0,
        },
    }
}

/// The events of rounds 1..=ROUNDS, one Vec per round: every team × service gets a verdict,
/// and every live flag is captured by a pseudo-random set of attackers (service s is exploited
/// by about (s + 1) / 16 of the teams, so later services are hit harder).
fn rounds() -> Vec<Vec<Event>> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut seq = 0;
    let mut event = |at: i64, team: usize, kind: EventKind| {
        seq += 1;
        Event {
            seq,
            at,
            team: format!("team-{team}"),
            kind,
        }
    };
    (1..=ROUNDS)
        .map(|round| {
            let base = START + (round as i64 - 1) * ROUND_MS;
            let mut events = Vec::new();
            for team in 0..TEAMS {
                for s in 0..SERVICES {
                    let state = match next() % 20 {
                        0 => ServiceState::Down,
                        1 => ServiceState::Mumble,
                        2 => ServiceState::Recovering,
                        _ => ServiceState::Ok,
                    };
                    let kind = EventKind::ServiceChecked {
                        service: format!("svc-{s}"),
                        round,
                        state,
                    };
                    events.push(event(base + 50_000, team, kind));
                }
            }
            // Captures of this round's flags, submitted during the round.
            for victim in 0..TEAMS {
                for s in 0..SERVICES {
                    for attacker in 0..TEAMS {
                        if attacker == victim || next() % 16 > s as u64 {
                            continue;
                        }
                        let at = base + 1_000 + (next() % 48_000) as i64;
                        let kind = EventKind::FlagCaptured {
                            service: format!("svc-{s}"),
                            victim: format!("team-{victim}"),
                            round: round
                                .saturating_sub((next() % LIFETIME as u64) as u32)
                                .max(1),
                            place: 0,
                        };
                        events.push(event(at, attacker, kind));
                    }
                }
            }
            events
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let config = config();
    let rounds = rounds();
    let (last, history) = rounds.split_last().expect("rounds");
    let before = Engine::replay(config.clone(), history.iter().flatten());
    let total: usize = rounds.iter().map(Vec::len).sum();
    println!(
        "{} events in all, {} in round {ROUNDS} ({} captures)",
        total,
        last.len(),
        last.len() - TEAMS * SERVICES
    );
    c.bench_function(
        "round 100 of 63 teams x 8 services: apply its events, then standings",
        |b| {
            b.iter_batched(
                || before.clone(),
                |mut engine| {
                    for e in last {
                        engine.apply(e);
                    }
                    let standings = engine.standings(None);
                    // Returned, so that dropping the engine is not timed.
                    (engine, standings)
                },
                BatchSize::LargeInput,
            )
        },
    );
    let after = {
        let mut e = before.clone();
        for ev in last {
            e.apply(ev);
        }
        e
    };
    c.bench_function("standings after 100 rounds (63 x 8)", |b| {
        b.iter(|| black_box(after.standings(None)))
    });
    c.bench_function("full replay of 100 rounds (63 x 8), then standings", |b| {
        b.iter(|| {
            let engine = Engine::replay(config.clone(), rounds.iter().flatten());
            black_box(engine.standings(None))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
