//! Scenario format v1: the YAML an organiser writes, read into plain types with every problem
//! reported at once (file, line, column and a hint). Pure: no async, no database, no HTTP.

pub mod ctfcli;
mod injects;
mod load;
mod model;
mod net;
mod problem;
mod reader;
mod services;
mod teams_csv;
pub mod yaml;

pub use load::{load_file, load_str};
pub use model::*;
pub use net::Network;
pub use problem::{Msg, Problem};
pub use services::{MAX_FLAG_BODY, MIN_FLAG_BODY, has_port};
pub use teams_csv::{parse_teams_csv, slug};
