//! Checker work shared with worker processes: one row per (round, team, service) job, claimed
//! with a lease; and the workers that take them, with their capacity and when each was last
//! heard from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CheckerJobs {
    Table,
    Id,
    Round,
    Team,
    Service,
    Spec,
    NotBefore,
    Status,
    Worker,
    LeaseUntil,
    Attempts,
    Result,
    CreatedAt,
    DoneAt,
}

#[derive(DeriveIden)]
enum CheckerWorkers {
    Table,
    Name,
    Capacity,
    Running,
    SeenAt,
    StartedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CheckerJobs::Table)
                .col(pk_auto(CheckerJobs::Id))
                .col(integer(CheckerJobs::Round))
                .col(string(CheckerJobs::Team))
                .col(string(CheckerJobs::Service))
                .col(text(CheckerJobs::Spec))
                .col(big_integer(CheckerJobs::NotBefore).default(0))
                .col(string(CheckerJobs::Status))
                .col(string_null(CheckerJobs::Worker))
                .col(big_integer_null(CheckerJobs::LeaseUntil))
                .col(integer(CheckerJobs::Attempts).default(0))
                .col(text_null(CheckerJobs::Result))
                .col(big_integer(CheckerJobs::CreatedAt))
                .col(big_integer_null(CheckerJobs::DoneAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("checker_jobs_one_per_round")
                .table(CheckerJobs::Table)
                .col(CheckerJobs::Round)
                .col(CheckerJobs::Team)
                .col(CheckerJobs::Service)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("checker_jobs_by_status")
                .table(CheckerJobs::Table)
                .col(CheckerJobs::Status)
                .col(CheckerJobs::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CheckerWorkers::Table)
                .col(string(CheckerWorkers::Name).primary_key())
                .col(integer(CheckerWorkers::Capacity))
                .col(integer(CheckerWorkers::Running).default(0))
                .col(big_integer(CheckerWorkers::SeenAt))
                .col(big_integer(CheckerWorkers::StartedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CheckerWorkers::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(CheckerJobs::Table).to_owned())
            .await
    }
}
