//! The only code that talks to the database. Handlers call these functions; none of them
//! builds a query. SQLite (a file, in WAL mode) by default, PostgreSQL to scale out.

pub mod entity;
mod events;
mod exercise;
mod game;
mod jobs;
mod people;
mod reports;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drillboard_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqlErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

pub use events::{KINDS as EVENT_KINDS, NewAttempt, NewEvent, event_kind, event_subject};
pub use exercise::{ExerciseRow, ExerciseUpdate};
pub use game::{CheckRow, FlagRow, NewCheck, NewFlag, RoundRow};
pub use jobs::{JobRow, WorkerRow};
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
    /// The database cannot take the request now (a full disk, an I/O error, no connection, a
    /// lock held too long); the same request can succeed later.
    #[error("the database is unavailable: {0}")]
    Unavailable(DbErr),
    /// Anything else from the database.
    #[error(transparent)]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Conflict(m),
            _ if transient(&e) => StoreError::Unavailable(e),
            _ => StoreError::Db(e),
        }
    }
}

/// Whether `e` is a fault of the moment rather than of the request: no connection, I/O, a full
/// disk, a lock held too long (SQLite codes BUSY, LOCKED, IOERR, FULL, CANTOPEN; PostgreSQL
/// classes 08 connection, 53 insufficient resources, 57 operator intervention, 58 system error).
fn transient(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match e {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(x))
        | DbErr::Exec(RuntimeErr::SqlxError(x))
        | DbErr::Query(RuntimeErr::SqlxError(x)) => x,
        _ => return false,
    };
    match &**sqlx {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => {
            let code = db.code().unwrap_or_default();
            if code.len() == 5 {
                // A PostgreSQL SQLSTATE (SQLite's codes have at most 4 digits).
                ["08", "53", "57", "58"].iter().any(|c| code.starts_with(c))
            } else {
                // SQLite: the primary code is the low byte of an extended code.
                code.parse::<i64>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13 | 14))
            }
        }
        _ => false,
    }
}

/// `sql` written with PostgreSQL's `$1, $2, …` placeholders, for `backend` (SQLite's are `?`,
/// in order).
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Sqlite {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// Result of a store call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The drillboard database: a pool for reads and one writer.
///
/// On SQLite the writer is a pool of exactly one connection, and every transaction on it starts
/// with `BEGIN IMMEDIATE`: writes queue in the pool (fairly, up to [`WRITE_WAIT`]) instead of
/// racing for SQLite's write lock, so a crowd never meets "database is locked"; the read pool is
/// read-only, so a write that forgot to go through the writer fails loudly in the tests. Before
/// each use the writer's connection is checked, and replaced if a failed write (a full disk, an
/// I/O error) left it unusable, so the writer recovers by itself once the cause is gone. On
/// PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    w: DatabaseConnection,
    /// When a write last failed for a reason other than a constraint, and why.
    last_fault: Arc<Mutex<Option<(Instant, String)>>>,
    /// Times the writer was handed out (SQLite): housekeeping waits for a quiet moment.
    activity: Arc<AtomicU64>,
    /// Of those, the store's own (readiness probes, checkpoints), which are not activity.
    internal: Arc<AtomicU64>,
}

/// The advisory lock held by the process that runs the round ticker.
pub const TICKER_LOCK: i64 = 0x6472_696c_6c74_6b72;

/// The right to run the round ticker ([`Store::ticker_lease`]).
pub struct TickerLease(Option<sea_orm::sqlx::PgConnection>);

impl TickerLease {
    /// Whether the lock is still held: its connection answers (a database restart or a broken
    /// connection loses it).
    pub async fn held(&mut self) -> bool {
        match &mut self.0 {
            None => true,
            Some(conn) => sea_orm::sqlx::query("SELECT 1")
                .execute(&mut *conn)
                .await
                .is_ok(),
        }
    }
}

/// An error of a connection the store holds apart from its pools (the change feed, the ticker
/// lease): the database is unavailable, as for a pooled connection.
fn connection_lost(e: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Unavailable(DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))
}

/// The PostgreSQL channel on which changes of the followed tables are told (migration m0007).
pub const CHANGES_CHANNEL: &str = "drillboard_changes";

/// Which followed tables changed, as PostgreSQL tells them ([`Store::change_feed`]).
pub struct ChangeFeed(sea_orm::sqlx::postgres::PgListener);

impl ChangeFeed {
    /// Wait up to `within` for the next change: the names of the tables changed since the last
    /// call (empty when nothing came in time). `["*"]` when the connection was lost and
    /// restored: changes made meanwhile were not told, so everything should be read again.
    pub async fn next(&mut self, within: Duration) -> Result<Vec<String>> {
        let mut tables = Vec::new();
        match tokio::time::timeout(within, self.0.try_recv()).await {
            Err(_) => return Ok(tables),
            Ok(Ok(Some(n))) => tables.push(n.payload().to_owned()),
            Ok(Ok(None)) => tables.push("*".to_owned()),
            Ok(Err(e)) => return Err(connection_lost(e)),
        }
        while let Some(n) = self.0.next_buffered() {
            tables.push(n.payload().to_owned());
        }
        tables.sort();
        tables.dedup();
        Ok(tables)
    }
}

/// The write-ahead log is cut back to this size whenever SQLite restarts it (it otherwise keeps
/// its largest size for good: 455–600 MB after minutes of sustained jeopardy writes).
pub const WAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

/// How long a write waits for the writer before it gives up.
pub const WRITE_WAIT: Duration = Duration::from_secs(30);

impl Store {
    /// Connect to `url` (`sqlite://path?mode=rwc` or `postgres://...`). SQLite files run in WAL
    /// mode with a read pool of several connections, so reads never wait for writes.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false)
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15));
        if !url.starts_with("sqlite:") {
            let db = Database::connect(opts).await?;
            return Ok(Store {
                w: db.clone(),
                db,
                last_fault: Arc::default(),
                activity: Arc::default(),
                internal: Arc::default(),
            });
        }
        let mut wopts = opts.clone();
        let activity = Arc::new(AtomicU64::new(0));
        let count = activity.clone();
        wopts
            .max_connections(1)
            .acquire_timeout(WRITE_WAIT)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(15))
                    .foreign_keys(true)
                    .pragma("journal_size_limit", WAL_SIZE_LIMIT.to_string())
            })
            // A connection that cannot begin a transaction — still inside one (a COMMIT that
            // failed on a full disk leaves it open), or broken — is closed and replaced: a
            // write on it would join that transaction and be lost with it.
            .map_sqlx_sqlite_before_acquire(move |conn, _| {
                count.fetch_add(1, Ordering::Relaxed);
                Box::pin(async move {
                    use sea_orm::sqlx::Executor;
                    if conn.execute("BEGIN").await.is_err() {
                        return Ok(false);
                    }
                    Ok(conn.execute("ROLLBACK").await.is_ok())
                })
            });
        let w = Database::connect(wopts).await?;
        opts.map_sqlx_sqlite_opts(|o| {
            o.read_only(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true)
        });
        let db = Database::connect(opts).await?;
        Ok(Store {
            db,
            w,
            last_fault: Arc::default(),
            activity,
            internal: Arc::default(),
        })
    }

    /// The connection writes go through.
    fn w(&self) -> &DatabaseConnection {
        &self.w
    }

    /// A transaction on the writer; on SQLite it holds the write lock from its first statement.
    async fn write_txn(&self) -> Result<DatabaseTransaction> {
        let opts = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.w
            .begin_with_options(opts)
            .await
            .map_err(|e| self.failed(e))
    }

    /// Turn a write's error into a [`StoreError`]; anything but a constraint violation is
    /// remembered for readiness ([`Store::recent_fault`]).
    fn failed(&self, e: DbErr) -> StoreError {
        self.failed_store(StoreError::from(e))
    }

    /// [`Store::failed`] for an error already sorted.
    fn failed_store(&self, e: StoreError) -> StoreError {
        if matches!(e, StoreError::Db(_) | StoreError::Unavailable(_)) {
            *self.last_fault.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((Instant::now(), e.to_string()));
        }
        e
    }

    /// Why a write failed within `within`, if one did (readiness: a small probe may still fit
    /// where real writes do not, e.g. in a write-ahead log's free pages on a full disk).
    pub fn recent_fault(&self, within: Duration) -> Option<String> {
        let last = self.last_fault.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(at, _)| at.elapsed() < within)
            .map(|(_, why)| why.clone())
    }

    /// Bring the schema up to date. Safe to run at every start.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.w, None).await?;
        Ok(())
    }

    /// Check that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Prove that a write commits now: one row of `health_probe` is rewritten through the
    /// writer (readiness checks; a full disk or a wedged writer fails here).
    pub async fn probe_write(&self, now: i64) -> Result<()> {
        let backend = self.w.get_database_backend();
        let sql = placeholders(
            backend,
            "INSERT INTO health_probe (id, at) VALUES (1, $1) \
            ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        );
        if backend == DbBackend::Sqlite {
            self.internal.fetch_add(1, Ordering::Relaxed);
        }
        let txn = self.write_txn().await?;
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, [now.into()]))
            .await
            .map_err(|e| self.failed(e))?;
        txn.commit().await.map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Run an administrative statement such as `CREATE DATABASE` (operations and test set-up;
    /// application data goes through the typed functions).
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        self.w.execute_unprepared(sql).await?;
        Ok(())
    }

    /// How many writes have started so far (SQLite; 0 on PostgreSQL): unchanged between two
    /// readings means the writer was quiet in between.
    pub fn write_activity(&self) -> u64 {
        let internal = self.internal.load(Ordering::Relaxed);
        self.activity
            .load(Ordering::Relaxed)
            .saturating_sub(internal)
    }

    /// Checkpoint SQLite's write-ahead log into the database: `truncate` also empties the log
    /// file (it waits for readers, so run it when quiet); otherwise a passive checkpoint that
    /// never waits. Returns (frames in the log, frames checkpointed); `None` on PostgreSQL.
    pub async fn checkpoint(&self, truncate: bool) -> Result<Option<(i64, i64)>> {
        if self.w.get_database_backend() != DbBackend::Sqlite {
            return Ok(None);
        }
        let mode = if truncate { "TRUNCATE" } else { "PASSIVE" };
        self.internal.fetch_add(1, Ordering::Relaxed);
        let row = self
            .w
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("PRAGMA wal_checkpoint({mode})"),
            ))
            .await
            .map_err(|e| self.failed(e))?;
        Ok(row.map(|r| {
            let log: i64 = r.try_get_by_index(1).unwrap_or(-1);
            let done: i64 = r.try_get_by_index(2).unwrap_or(-1);
            (log, done)
        }))
    }

    /// On PostgreSQL, a connection that hears which followed tables (events, exercise, teams,
    /// announcements, rounds, audit log) any process changed, as each change commits. None on
    /// SQLite, where one process is the only server.
    pub async fn change_feed(&self) -> Result<Option<ChangeFeed>> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return Ok(None);
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool)
            .await
            .map_err(connection_lost)?;
        listener
            .listen(CHANGES_CHANNEL)
            .await
            .map_err(connection_lost)?;
        Ok(Some(ChangeFeed(listener)))
    }

    /// Try to become the process that runs the round ticker. On PostgreSQL: a session advisory
    /// lock on a connection of its own, held as long as the lease lives (dropping it closes the
    /// connection, which hands the lock over; so does the death of the process). None when
    /// another process holds it. On SQLite, where one process is the only server: always.
    pub async fn ticker_lease(&self) -> Result<Option<TickerLease>> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return Ok(Some(TickerLease(None)));
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(connection_lost)?.detach();
        let got: bool = sea_orm::sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(TICKER_LOCK)
            .fetch_one(&mut conn)
            .await
            .map_err(connection_lost)?;
        Ok(got.then_some(TickerLease(Some(conn))))
    }

    /// Connections open and idle, of the read pool and of the writer (for metrics).
    pub fn pool_use(&self) -> [(u32, usize); 2] {
        let of = |c: &DatabaseConnection| match c.get_database_backend() {
            DbBackend::Sqlite => {
                let p = c.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            DbBackend::Postgres => {
                let p = c.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
            _ => (0, 0),
        };
        [of(&self.db), of(&self.w)]
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
        let sqlite = self.backend() == "sqlite";
        self.db.close().await?;
        if sqlite {
            self.w.close().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let sql = "INSERT INTO t (a, b) VALUES ($1, $12) -- costs $";
        assert_eq!(placeholders(DbBackend::Postgres, sql), sql);
        assert_eq!(
            placeholders(DbBackend::Sqlite, sql),
            "INSERT INTO t (a, b) VALUES (?, ?) -- costs $"
        );
    }
}
