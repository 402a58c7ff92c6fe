//! Drill-day hardening: a session epoch per login (a password reset, a disable or "sign out
//! everywhere" ends every session issued before it) and a one-row table that readiness checks
//! write to, proving that a write can commit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum HealthProbe {
    Table,
    Id,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(integer(Users::SessionEpoch).default(0))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HealthProbe::Table)
                .col(integer(HealthProbe::Id).primary_key())
                .col(big_integer(HealthProbe::At))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(HealthProbe::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::SessionEpoch)
                .to_owned(),
        )
        .await
    }
}
