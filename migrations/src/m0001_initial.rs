//! The first schema: exercise, teams, users, tokens, the event log, submissions and the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Exercise {
    Table,
    Id,
    ScenarioJson,
    ScenarioYaml,
    Status,
    StartedAt,
    EndsAt,
    FreezeAt,
    FreezeReleased,
    PausedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    Slug,
    Name,
    Organisation,
    Members,
    Hidden,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    TeamId,
    Disabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    TeamId,
    TokenHash,
    Prefix,
    Label,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Seq,
    At,
    Kind,
    Team,
    Challenge,
    Hint,
    Points,
    Reason,
    Actor,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
    At,
    Team,
    Challenge,
    Submitted,
    Correct,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    Action,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Exercise::Table)
                .col(string(Exercise::Id).primary_key())
                .col(text(Exercise::ScenarioJson))
                .col(text(Exercise::ScenarioYaml))
                .col(string(Exercise::Status))
                .col(big_integer_null(Exercise::StartedAt))
                .col(big_integer_null(Exercise::EndsAt))
                .col(big_integer_null(Exercise::FreezeAt))
                .col(boolean(Exercise::FreezeReleased).default(false))
                .col(big_integer_null(Exercise::PausedAt))
                .col(big_integer(Exercise::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(pk_auto(Teams::Id))
                .col(string_uniq(Teams::Slug))
                .col(string_uniq(Teams::Name))
                .col(string(Teams::Organisation))
                .col(text(Teams::Members))
                .col(boolean(Teams::Hidden).default(false))
                .col(big_integer(Teams::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_auto(Users::Id))
                .col(string_uniq(Users::Username))
                .col(string(Users::PasswordHash))
                .col(string(Users::Role))
                .col(integer_null(Users::TeamId))
                .col(boolean(Users::Disabled).default(false))
                .col(big_integer(Users::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::TeamId)
                        .to(Teams::Table, Teams::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_auto(ApiTokens::Id))
                .col(integer(ApiTokens::TeamId))
                .col(string_uniq(ApiTokens::TokenHash))
                .col(string(ApiTokens::Prefix))
                .col(string(ApiTokens::Label))
                .col(big_integer(ApiTokens::CreatedAt))
                .col(big_integer_null(ApiTokens::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiTokens::Table, ApiTokens::TeamId)
                        .to(Teams::Table, Teams::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(big_pk_auto(Events::Seq))
                .col(big_integer(Events::At))
                .col(string(Events::Kind))
                .col(string(Events::Team))
                .col(string_null(Events::Challenge))
                .col(string_null(Events::Hint))
                .col(double_null(Events::Points))
                .col(text_null(Events::Reason))
                .col(string_null(Events::Actor))
                .to_owned(),
        )
        .await?;
        // Exactly-once credit: the database, not the application, refuses a second solve of the
        // same challenge by the same team, or a second unlock of the same hint, however many
        // requests race. Partial unique indexes read the same in SQLite and PostgreSQL.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX events_one_solve ON events (team, challenge) WHERE kind = 'solve'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX events_one_hint ON events (team, challenge, hint) WHERE kind = 'hint'",
        )
        .await?;
        m.create_index(
            Index::create()
                .name("events_at")
                .table(Events::Table)
                .col(Events::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Submissions::Table)
                .col(big_pk_auto(Submissions::Id))
                .col(big_integer(Submissions::At))
                .col(string(Submissions::Team))
                .col(string(Submissions::Challenge))
                .col(string(Submissions::Submitted))
                .col(boolean(Submissions::Correct))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("submissions_team_at")
                .table(Submissions::Table)
                .col(Submissions::Team)
                .col(Submissions::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(big_integer(AuditLog::At))
                .col(string(AuditLog::Actor))
                .col(string(AuditLog::Action))
                .col(text(AuditLog::Detail))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_log",
            "submissions",
            "events",
            "api_tokens",
            "users",
            "teams",
            "exercise",
        ] {
            m.get_connection()
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {t}"))
                .await?;
        }
        Ok(())
    }
}
