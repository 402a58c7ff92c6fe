//! Incident reports: reports and their versions, attached files, judges' marks; lead judges;
//! a JSON payload column on events (report grades).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Data,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Lead,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    Team,
    Inject,
    Code,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReportVersions {
    Table,
    Id,
    ReportId,
    Version,
    Body,
    SubmittedAt,
    Author,
}

#[derive(DeriveIden)]
enum ReportFiles {
    Table,
    Id,
    VersionId,
    Filename,
    ContentType,
    Size,
    Data,
}

#[derive(DeriveIden)]
enum Marks {
    Table,
    Id,
    VersionId,
    Judge,
    Stage,
    Scores,
    Comments,
    Total,
    SubmittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Events::Table)
                .add_column(text_null(Events::Data))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(boolean(Users::Lead).default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(pk_auto(Reports::Id))
                .col(string(Reports::Team))
                .col(string(Reports::Inject))
                .col(string_uniq(Reports::Code))
                .col(big_integer(Reports::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reports_team_inject")
                .table(Reports::Table)
                .col(Reports::Team)
                .col(Reports::Inject)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReportVersions::Table)
                .col(pk_auto(ReportVersions::Id))
                .col(integer(ReportVersions::ReportId))
                .col(integer(ReportVersions::Version))
                .col(text(ReportVersions::Body))
                .col(big_integer(ReportVersions::SubmittedAt))
                .col(string(ReportVersions::Author))
                .foreign_key(
                    ForeignKey::create()
                        .from(ReportVersions::Table, ReportVersions::ReportId)
                        .to(Reports::Table, Reports::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("report_versions_number")
                .table(ReportVersions::Table)
                .col(ReportVersions::ReportId)
                .col(ReportVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReportFiles::Table)
                .col(pk_auto(ReportFiles::Id))
                .col(integer(ReportFiles::VersionId))
                .col(string(ReportFiles::Filename))
                .col(string(ReportFiles::ContentType))
                .col(integer(ReportFiles::Size))
                .col(blob(ReportFiles::Data))
                .foreign_key(
                    ForeignKey::create()
                        .from(ReportFiles::Table, ReportFiles::VersionId)
                        .to(ReportVersions::Table, ReportVersions::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Marks::Table)
                .col(pk_auto(Marks::Id))
                .col(integer(Marks::VersionId))
                .col(string(Marks::Judge))
                .col(string(Marks::Stage))
                .col(text(Marks::Scores))
                .col(text(Marks::Comments))
                .col(double(Marks::Total))
                .col(big_integer(Marks::SubmittedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Marks::Table, Marks::VersionId)
                        .to(ReportVersions::Table, ReportVersions::Id),
                )
                .to_owned(),
        )
        .await?;
        // One mark per stage of a version (the first, the second, the moderation), and one mark
        // per judge of a version: the same judge can never be both markers.
        m.create_index(
            Index::create()
                .name("marks_one_per_stage")
                .table(Marks::Table)
                .col(Marks::VersionId)
                .col(Marks::Stage)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("marks_one_per_judge")
                .table(Marks::Table)
                .col(Marks::VersionId)
                .col(Marks::Judge)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["marks", "report_files", "report_versions", "reports"] {
            m.get_connection()
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {t}"))
                .await?;
        }
        Ok(())
    }
}
