//! Incident reports: a report per team and inject, its immutable versions and files, and
//! judges' immutable marks.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entity::{mark, report, report_file, report_version};
use crate::{Result, Store, StoreError};

/// A report as stored.
pub type ReportRow = report::Model;
/// A report version as stored.
pub type VersionRow = report_version::Model;
/// A mark as stored.
pub type MarkRow = mark::Model;
/// A file as stored (with its bytes).
pub type FileRow = report_file::Model;

/// A file to attach.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Name as uploaded (already checked).
    pub filename: String,
    /// Content type decided by the server.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A file without its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    /// Row id (for downloads).
    pub id: i32,
    /// Name as uploaded.
    pub filename: String,
    /// Content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i32,
}

/// A mark to record.
#[derive(Debug, Clone)]
pub struct NewMark {
    /// The version marked.
    pub version_id: i32,
    /// Judge's username.
    pub judge: String,
    /// first, second or moderation.
    pub stage: String,
    /// JSON array of [criterion, score].
    pub scores: String,
    /// JSON object of comments.
    pub comments: String,
    /// Sum of the scores.
    pub total: f64,
    /// When.
    pub at: i64,
}

impl Store {
    /// The report of a team for an inject, created with `code` if there is none yet.
    pub async fn report_for(
        &self,
        team: &str,
        inject: &str,
        code: &str,
        now: i64,
    ) -> Result<ReportRow> {
        if let Some(r) = self.find_report(team, inject).await? {
            return Ok(r);
        }
        let inserted = report::ActiveModel {
            team: Set(team.to_owned()),
            inject: Set(inject.to_owned()),
            code: Set(code.to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(self.w())
        .await;
        match inserted {
            Ok(r) => Ok(r),
            // Another request created it first.
            Err(e) => match self.failed(e) {
                StoreError::Conflict(m) => self
                    .find_report(team, inject)
                    .await?
                    .ok_or(StoreError::Conflict(m)),
                other => Err(other),
            },
        }
    }

    /// The report of a team for an inject, if any.
    pub async fn find_report(&self, team: &str, inject: &str) -> Result<Option<ReportRow>> {
        Ok(report::Entity::find()
            .filter(report::Column::Team.eq(team))
            .filter(report::Column::Inject.eq(inject))
            .one(&self.db)
            .await?)
    }

    /// A report by its anonymous code.
    pub async fn report_by_code(&self, code: &str) -> Result<Option<ReportRow>> {
        Ok(report::Entity::find()
            .filter(report::Column::Code.eq(code))
            .one(&self.db)
            .await?)
    }

    /// A report by id.
    pub async fn report(&self, id: i32) -> Result<Option<ReportRow>> {
        Ok(report::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Every report.
    pub async fn reports(&self) -> Result<Vec<ReportRow>> {
        Ok(report::Entity::find()
            .order_by_asc(report::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Add the next version of a report with its files, all or nothing.
    pub async fn add_version(
        &self,
        report_id: i32,
        body: &str,
        author: &str,
        at: i64,
        files: Vec<NewFile>,
    ) -> Result<VersionRow> {
        let txn = self.write_txn().await?;
        let last = report_version::Entity::find()
            .filter(report_version::Column::ReportId.eq(report_id))
            .order_by_desc(report_version::Column::Version)
            .limit(1)
            .one(&txn)
            .await
            .map_err(|e| self.failed(e))?;
        let version = report_version::ActiveModel {
            report_id: Set(report_id),
            version: Set(last.map_or(1, |v| v.version + 1)),
            body: Set(body.to_owned()),
            submitted_at: Set(at),
            author: Set(author.to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| self.failed(e))?;
        for f in files {
            report_file::ActiveModel {
                version_id: Set(version.id),
                filename: Set(f.filename),
                content_type: Set(f.content_type),
                size: Set(f.data.len() as i32),
                data: Set(f.data),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| self.failed(e))?;
        }
        txn.commit().await.map_err(|e| self.failed(e))?;
        Ok(version)
    }

    /// A report's versions, oldest first.
    pub async fn versions(&self, report_id: i32) -> Result<Vec<VersionRow>> {
        Ok(report_version::Entity::find()
            .filter(report_version::Column::ReportId.eq(report_id))
            .order_by_asc(report_version::Column::Version)
            .all(&self.db)
            .await?)
    }

    /// The files of a version, without their bytes.
    pub async fn files(&self, version_id: i32) -> Result<Vec<FileMeta>> {
        let rows = report_file::Entity::find()
            .select_only()
            .column(report_file::Column::Id)
            .column(report_file::Column::Filename)
            .column(report_file::Column::ContentType)
            .column(report_file::Column::Size)
            .filter(report_file::Column::VersionId.eq(version_id))
            .order_by_asc(report_file::Column::Id)
            .into_tuple::<(i32, String, String, i32)>()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, filename, content_type, size)| FileMeta {
                id,
                filename,
                content_type,
                size,
            })
            .collect())
    }

    /// One file with its bytes, and the version it belongs to.
    pub async fn file(&self, id: i32) -> Result<Option<(FileRow, VersionRow)>> {
        let Some(f) = report_file::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        let v = report_version::Entity::find_by_id(f.version_id)
            .one(&self.db)
            .await?;
        Ok(v.map(|v| (f, v)))
    }

    /// Record a mark. A second mark for the same stage or by the same judge of one version is a
    /// [`StoreError::Conflict`].
    pub async fn add_mark(&self, m: NewMark) -> Result<MarkRow> {
        mark::ActiveModel {
            version_id: Set(m.version_id),
            judge: Set(m.judge),
            stage: Set(m.stage),
            scores: Set(m.scores),
            comments: Set(m.comments),
            total: Set(m.total),
            submitted_at: Set(m.at),
            ..Default::default()
        }
        .insert(self.w())
        .await
        .map_err(|e| self.failed(e))
    }

    /// The marks of a version, in the order they were given.
    pub async fn marks(&self, version_id: i32) -> Result<Vec<MarkRow>> {
        Ok(mark::Entity::find()
            .filter(mark::Column::VersionId.eq(version_id))
            .order_by_asc(mark::Column::Id)
            .all(&self.db)
            .await?)
    }
}
