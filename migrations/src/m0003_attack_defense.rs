//! Attack/defend: the rounds the ticker has played, the flags it planted, the checker verdicts
//! with their messages, and a `subject` column on events that makes captures, verdicts and voids
//! exactly-once in the database.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Subject,
}

#[derive(DeriveIden)]
enum Rounds {
    Table,
    Number,
    StartedAt,
    EndedAt,
    Status,
}

#[derive(DeriveIden)]
enum AdFlags {
    Table,
    Id,
    Round,
    Team,
    Service,
    Place,
    Flag,
    FlagId,
    PrivateId,
    Planted,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AdChecks {
    Table,
    Id,
    Round,
    Team,
    Service,
    State,
    Public,
    Private,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Events::Table)
                .add_column(string_null(Events::Subject))
                .to_owned(),
        )
        .await?;
        // One capture per (attacker, flag), one verdict per (team, service, round), one void per
        // (service, round): the subject names the flag or the round, and the database refuses a
        // second row however many submitters or tickers race.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX events_one_subject ON events (kind, team, subject) WHERE subject IS NOT NULL",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(Rounds::Table)
                .col(integer(Rounds::Number).primary_key())
                .col(big_integer(Rounds::StartedAt))
                .col(big_integer_null(Rounds::EndedAt))
                .col(string(Rounds::Status))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AdFlags::Table)
                .col(big_pk_auto(AdFlags::Id))
                .col(integer(AdFlags::Round))
                .col(string(AdFlags::Team))
                .col(string(AdFlags::Service))
                .col(integer(AdFlags::Place))
                .col(string(AdFlags::Flag))
                .col(string(AdFlags::FlagId))
                .col(text_null(AdFlags::PrivateId))
                .col(boolean(AdFlags::Planted))
                .col(big_integer(AdFlags::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ad_flags_one_place")
                .table(AdFlags::Table)
                .col(AdFlags::Round)
                .col(AdFlags::Team)
                .col(AdFlags::Service)
                .col(AdFlags::Place)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AdChecks::Table)
                .col(big_pk_auto(AdChecks::Id))
                .col(integer(AdChecks::Round))
                .col(string(AdChecks::Team))
                .col(string(AdChecks::Service))
                .col(string(AdChecks::State))
                .col(text(AdChecks::Public))
                .col(text(AdChecks::Private))
                .col(big_integer(AdChecks::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ad_checks_one_verdict")
                .table(AdChecks::Table)
                .col(AdChecks::Round)
                .col(AdChecks::Team)
                .col(AdChecks::Service)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for t in ["ad_checks", "ad_flags", "rounds"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {t}"))
                .await?;
        }
        db.execute_unprepared("DROP INDEX IF EXISTS events_one_subject")
            .await?;
        m.alter_table(
            Table::alter()
                .table(Events::Table)
                .drop_column(Events::Subject)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
