//! drillboard's HTTP API: authentication, the JSON endpoints, and the embedded web pages.

pub mod auth;
pub mod blind;
pub mod changes;
pub mod checkers;
pub mod conn;
pub mod error;
pub mod export;
pub mod follow;
pub mod game;
pub mod grading;
pub mod housekeeping;
pub mod json;
pub mod limits;
pub mod markdown;
pub mod metrics;
pub mod ops;
pub mod plays;
pub mod routes;
pub mod served;
pub mod state;

pub use routes::router;
pub use state::{AppState, Clock, Settings, system_clock};
