//! One entry of the append-only event log.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub team: String,
    pub challenge: Option<String>,
    pub hint: Option<String>,
    #[sea_orm(column_type = "Double", nullable)]
    pub points: Option<f64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub actor: Option<String>,
    /// JSON payload of kinds that carry structure (report grades).
    #[sea_orm(column_type = "Text", nullable)]
    pub data: Option<String>,
    /// What an attack/defend event is about (the flag, or the service and round), so that the
    /// database keeps one capture per flag and attacker and one verdict per round.
    pub subject: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
