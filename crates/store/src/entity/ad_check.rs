//! The verdict of one round's checks of one team's service, with the checker's messages.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ad_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub round: i32,
    pub team: String,
    pub service: String,
    /// ok, recovering, corrupt, mumble, down, checker_error.
    pub state: String,
    /// Shown to the team (checker stdout).
    #[sea_orm(column_type = "Text")]
    pub public: String,
    /// Organisers and judges only (checker stderr and runner notes).
    #[sea_orm(column_type = "Text")]
    pub private: String,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
