//! The scoring engine: a scenario's scoring rules and an append-only event log in, standings
//! and per-team breakdowns out. Pure and deterministic: no I/O, no clock, no async, so the board
//! at any past moment is just `standings(Some(t))` and a replay always gives the same answer.
//!
//! docs/scoring.md states every formula implemented here.

mod ad;
mod engine;
mod fasthash;
mod reports;
mod rules;

pub use ad::ServicePoints;
pub use engine::{
    AdjustmentScore, ChallengeScore, ChallengeValue, Components, Engine, FirstBlood, Standing,
    Standings,
};
pub use reports::ReportScore;
pub use rules::{
    AdFormula, AttackDefense, ChallengeRule, Config, Decay, Event, EventKind, InjectRule, Millis,
    ServiceState, TeamInfo, ValueRule, dynamic_value,
};
