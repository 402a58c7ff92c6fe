//! A flag the ticker planted (or tried to plant) in a team's service.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ad_flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub round: i32,
    pub team: String,
    pub service: String,
    pub place: i32,
    pub flag: String,
    /// The public flag id (attack data).
    pub flag_id: String,
    /// What the checker's put answered, passed to its get (never published).
    #[sea_orm(column_type = "Text", nullable)]
    pub private_id: Option<String>,
    /// The put succeeded.
    pub planted: bool,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
