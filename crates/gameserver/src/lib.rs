//! Attack/defend game mechanics that need no database: self-verifying flags, and running
//! Hackerdom/ForcAD-style checkers with timeouts and bounded output, and ENOWARS-style checker
//! services over HTTP.

pub mod checker;
pub mod enowars;
pub mod flags;
pub mod replies;
pub mod round;
