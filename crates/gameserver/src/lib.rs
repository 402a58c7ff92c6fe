//! Attack/defend game mechanics that need no database: self-verifying flags, and running
//! Hackerdom/ForcAD-style checkers with timeouts and bounded output.

pub mod checker;
pub mod flags;
pub mod replies;
pub mod round;
