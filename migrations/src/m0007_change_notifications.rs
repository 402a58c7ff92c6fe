//! PostgreSQL tells every replica what changed: a statement that writes one of the followed
//! tables sends `NOTIFY drillboard_changes` with the table's name, delivered when the transaction
//! commits (and once per table and transaction). Replicas listen, then read what is new. SQLite
//! has one server process, so nothing is added there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose changes other replicas must see, and the writes that count.
const FOLLOWED: [(&str, &str); 6] = [
    ("events", "INSERT"),
    ("exercise", "INSERT OR UPDATE OR DELETE"),
    ("teams", "INSERT OR UPDATE OR DELETE"),
    ("announcements", "INSERT OR UPDATE OR DELETE"),
    ("rounds", "INSERT OR UPDATE"),
    ("audit_log", "INSERT"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION drillboard_notify_change() RETURNS trigger AS $$ \
             BEGIN PERFORM pg_notify('drillboard_changes', TG_TABLE_NAME); RETURN NULL; END \
             $$ LANGUAGE plpgsql",
        )
        .await?;
        for (table, writes) in FOLLOWED {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_notify_change AFTER {writes} ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION drillboard_notify_change()"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, _) in FOLLOWED {
            db.execute_unprepared(&format!(
                "DROP TRIGGER IF EXISTS {table}_notify_change ON {table}"
            ))
            .await?;
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS drillboard_notify_change()")
            .await?;
        Ok(())
    }
}
