//! The HTTP API, in-process, on SQLite and on PostgreSQL (each test in its own fresh database).

mod helpers;

mod access;
mod board;
mod feed;
mod flags;
mod game;
mod game_e2e;
mod hardening;
mod lifecycle;
mod metrics;
mod openapi;
mod problem_texts;
mod replicas;
mod reports;
mod served;
mod verdicts;
mod workers;
