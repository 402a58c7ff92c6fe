//! A login: organiser, judge or team.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub team_id: Option<i32>,
    pub disabled: bool,
    /// A lead judge moderates disagreements.
    pub lead: bool,
    /// Sessions issued under an older epoch are refused (reset, disable, sign out everywhere).
    pub session_epoch: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
