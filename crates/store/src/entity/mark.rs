//! A judge's mark of a report version: first, second or moderation. Never changed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "marks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub version_id: i32,
    pub judge: String,
    pub stage: String,
    /// JSON array of [criterion, score].
    #[sea_orm(column_type = "Text")]
    pub scores: String,
    /// JSON object criterion -> comment (key "" for an overall comment).
    #[sea_orm(column_type = "Text")]
    pub comments: String,
    #[sea_orm(column_type = "Double")]
    pub total: f64,
    pub submitted_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
