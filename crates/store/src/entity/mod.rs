//! sea-orm entities, one per table (the schema itself is in the migrations crate).

pub mod ad_check;
pub mod ad_flag;
pub mod announcement;
pub mod api_token;
pub mod audit;
pub mod event;
pub mod exercise;
pub mod mark;
pub mod report;
pub mod report_file;
pub mod report_version;
pub mod round;
pub mod submission;
pub mod team;
pub mod user;
