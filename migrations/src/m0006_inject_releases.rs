//! Injects released early by an organiser: a JSON map on the exercise row from inject id to the
//! moment it was released (milliseconds), so report deadlines count from the actual release.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Exercise {
    Table,
    InjectReleases,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Exercise::Table)
                .add_column(text(Exercise::InjectReleases).default("{}"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Exercise::Table)
                .drop_column(Exercise::InjectReleases)
                .to_owned(),
        )
        .await
    }
}
