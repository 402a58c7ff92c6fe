//! The only code that talks to the database. Handlers call these functions; none of them
//! builds a query. SQLite (a file, in WAL mode) by default, PostgreSQL to scale out.

pub mod entity;
mod events;
mod exercise;
mod game;
mod people;
mod reports;

use std::time::Duration;

use drillboard_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, SqlErr,
};

pub use events::{NewEvent, event_kind, event_subject};
pub use exercise::{ExerciseRow, ExerciseUpdate};
pub use game::{CheckRow, FlagRow, NewCheck, NewFlag, RoundRow};
pub use people::{AnnouncementRow, NewTeam, TeamRow, TokenRow, UserRow};
pub use reports::{FileMeta, FileRow, MarkRow, NewFile, NewMark, ReportRow, VersionRow};

/// What can go wrong in the store, sorted so the API can answer with the right status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (duplicate name, second solve, ...).
    #[error("already exists: {0}")]
    Conflict(String),
    /// The row asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Anything else from the database.
    #[error(transparent)]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Conflict(m),
            _ => StoreError::Db(e),
        }
    }
}

/// Result of a store call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A connection pool to the drillboard database.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connect to `url` (`sqlite://path?mode=rwc` or `postgres://...`). SQLite files run in WAL
    /// mode with a pool of several connections, so reads never wait for writes.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false)
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(15))
                    .foreign_keys(true)
            });
        let db = Database::connect(opts).await?;
        Ok(Store { db })
    }

    /// Bring the schema up to date. Safe to run at every start.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Check that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Run an administrative statement such as `CREATE DATABASE` (operations and test set-up;
    /// application data goes through the typed functions).
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        self.db.execute_unprepared(sql).await?;
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Postgres => "postgres",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// Close the pool (waits for connections to be returned).
    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }
}
