//! The exercise row: the loaded scenario and its clock.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "exercise")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(column_type = "Text")]
    pub scenario_json: String,
    #[sea_orm(column_type = "Text")]
    pub scenario_yaml: String,
    pub status: String,
    pub started_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub freeze_at: Option<i64>,
    pub freeze_released: bool,
    pub paused_at: Option<i64>,
    pub updated_at: i64,
    /// JSON map: inject id → when an organiser released it early (ms).
    #[sea_orm(column_type = "Text")]
    pub inject_releases: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
