//! Schema migrations, written once for SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_reports;
mod m0003_attack_defense;
mod m0004_announcements;
mod m0005_hardening;
mod m0006_inject_releases;
mod m0007_change_notifications;
mod m0008_checker_jobs;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_reports::Migration),
            Box::new(m0003_attack_defense::Migration),
            Box::new(m0004_announcements::Migration),
            Box::new(m0005_hardening::Migration),
            Box::new(m0006_inject_releases::Migration),
            Box::new(m0007_change_notifications::Migration),
            Box::new(m0008_checker_jobs::Migration),
        ]
    }
}
