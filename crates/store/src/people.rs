//! Teams, logins, API tokens and the audit log.

use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::{announcement, api_token, audit, team, user};
use crate::{Result, Store, StoreError};

/// A team as stored.
pub type TeamRow = team::Model;
/// A login as stored.
pub type UserRow = user::Model;
/// An announcement as stored.
pub type AnnouncementRow = announcement::Model;
/// An API token as stored (hash only).
pub type TokenRow = api_token::Model;

/// A team to create.
#[derive(Debug, Clone)]
pub struct NewTeam {
    /// Stable id, also the team login's username.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Province or organisation.
    pub organisation: String,
    /// Member names.
    pub members: Vec<String>,
}

impl Store {
    /// Create a team, or update name, organisation and members of the team with this slug.
    pub async fn upsert_team(&self, t: &NewTeam, now: i64) -> Result<TeamRow> {
        let members = serde_json::to_string(&t.members).unwrap_or_else(|_| "[]".into());
        let existing = team::Entity::find()
            .filter(team::Column::Slug.eq(&t.slug))
            .one(&self.db)
            .await?;
        let row = match existing {
            Some(row) => {
                let mut a = row.into_active_model();
                a.name = Set(t.name.clone());
                a.organisation = Set(t.organisation.clone());
                a.members = Set(members);
                a.update(self.w()).await.map_err(|e| self.failed(e))?
            }
            None => team::ActiveModel {
                slug: Set(t.slug.clone()),
                name: Set(t.name.clone()),
                organisation: Set(t.organisation.clone()),
                members: Set(members),
                hidden: Set(false),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(self.w())
            .await
            .map_err(|e| self.failed(e))?,
        };
        Ok(row)
    }

    /// Every team, by id.
    pub async fn teams(&self) -> Result<Vec<TeamRow>> {
        Ok(team::Entity::find()
            .order_by_asc(team::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// A team by its slug.
    pub async fn team_by_slug(&self, slug: &str) -> Result<Option<TeamRow>> {
        Ok(team::Entity::find()
            .filter(team::Column::Slug.eq(slug))
            .one(&self.db)
            .await?)
    }

    /// A team by its row id.
    pub async fn team(&self, id: i32) -> Result<Option<TeamRow>> {
        Ok(team::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Create a login. A taken username is a [`StoreError::Conflict`].
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: &str,
        team_id: Option<i32>,
        now: i64,
    ) -> Result<UserRow> {
        user::ActiveModel {
            username: Set(username.to_owned()),
            password_hash: Set(password_hash.to_owned()),
            role: Set(role.to_owned()),
            team_id: Set(team_id),
            disabled: Set(false),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(self.w())
        .await
        .map_err(|e| self.failed(e))
    }

    /// A login by username.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        Ok(user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.db)
            .await?)
    }

    /// A login by row id.
    pub async fn user(&self, id: i32) -> Result<Option<UserRow>> {
        Ok(user::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Every login (hashes included: callers must not pass them on).
    pub async fn users(&self) -> Result<Vec<UserRow>> {
        Ok(user::Entity::find()
            .order_by_asc(user::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Make a judge a lead judge (who moderates disagreements), or not.
    pub async fn set_lead(&self, user_id: i32, lead: bool) -> Result<()> {
        let row = self
            .user(user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        let mut a = row.into_active_model();
        a.lead = Set(lead);
        a.update(self.w()).await.map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Replace a login's password hash; every session issued before it ends (the epoch moves).
    pub async fn set_password(&self, user_id: i32, password_hash: &str) -> Result<()> {
        self.change_user(
            user_id,
            user::Column::PasswordHash,
            Expr::value(password_hash.to_owned()),
        )
        .await
    }

    /// Disable a login (or enable it again); every session issued before ends.
    pub async fn set_disabled(&self, user_id: i32, disabled: bool) -> Result<()> {
        self.change_user(user_id, user::Column::Disabled, Expr::value(disabled))
            .await
    }

    /// End every session of a login issued so far ("sign out everywhere").
    pub async fn bump_session_epoch(&self, user_id: i32) -> Result<()> {
        self.change_user(user_id, user::Column::Id, Expr::value(user_id))
            .await
    }

    /// Set one column of a login and move its session epoch, in one statement (two changes
    /// racing both count).
    async fn change_user(&self, user_id: i32, col: user::Column, value: SimpleExpr) -> Result<()> {
        let done = user::Entity::update_many()
            .col_expr(col, value)
            .col_expr(
                user::Column::SessionEpoch,
                Expr::col(user::Column::SessionEpoch).add(1),
            )
            .filter(user::Column::Id.eq(user_id))
            .exec(self.w())
            .await
            .map_err(|e| self.failed(e))?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound(format!("user {user_id}")));
        }
        Ok(())
    }

    /// Store a new API token's hash.
    pub async fn create_token(
        &self,
        team_id: i32,
        token_hash: &str,
        prefix: &str,
        label: &str,
        now: i64,
    ) -> Result<TokenRow> {
        api_token::ActiveModel {
            team_id: Set(team_id),
            token_hash: Set(token_hash.to_owned()),
            prefix: Set(prefix.to_owned()),
            label: Set(label.to_owned()),
            created_at: Set(now),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(self.w())
        .await
        .map_err(|e| self.failed(e))
    }

    /// The team of a token that is not revoked.
    pub async fn token_team(&self, token_hash: &str) -> Result<Option<(TokenRow, TeamRow)>> {
        let token = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token_hash))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?;
        let Some(token) = token else { return Ok(None) };
        let team = self.team(token.team_id).await?;
        Ok(team.map(|t| (token, t)))
    }

    /// A team's tokens, revoked ones included.
    pub async fn tokens(&self, team_id: i32) -> Result<Vec<TokenRow>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::TeamId.eq(team_id))
            .order_by_asc(api_token::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Revoke a token; revoking twice is harmless. Returns the token.
    pub async fn revoke_token(&self, token_id: i32, now: i64) -> Result<TokenRow> {
        let row = api_token::Entity::find_by_id(token_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("token {token_id}")))?;
        if row.revoked_at.is_some() {
            return Ok(row);
        }
        let mut a = row.into_active_model();
        a.revoked_at = Set(Some(now));
        a.update(self.w()).await.map_err(|e| self.failed(e))
    }

    /// Create a team, its login and one API token in one transaction: all or nothing.
    pub async fn create_team_with_login(
        &self,
        t: &NewTeam,
        password_hash: &str,
        token_hash: &str,
        token_prefix: &str,
        now: i64,
    ) -> Result<TeamRow> {
        let txn = self.write_txn().await?;
        let team = team::ActiveModel {
            slug: Set(t.slug.clone()),
            name: Set(t.name.clone()),
            organisation: Set(t.organisation.clone()),
            members: Set(serde_json::to_string(&t.members).unwrap_or_else(|_| "[]".into())),
            hidden: Set(false),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| self.failed(e))?;
        user::ActiveModel {
            username: Set(t.slug.clone()),
            password_hash: Set(password_hash.to_owned()),
            role: Set("team".into()),
            team_id: Set(Some(team.id)),
            disabled: Set(false),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| self.failed(e))?;
        api_token::ActiveModel {
            team_id: Set(team.id),
            token_hash: Set(token_hash.to_owned()),
            prefix: Set(token_prefix.to_owned()),
            label: Set("initial".into()),
            created_at: Set(now),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| self.failed(e))?;
        txn.commit().await.map_err(|e| self.failed(e))?;
        Ok(team)
    }

    /// Record a privileged action.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
        now: i64,
    ) -> Result<()> {
        audit::ActiveModel {
            at: Set(now),
            actor: Set(actor.to_owned()),
            action: Set(action.to_owned()),
            detail: Set(detail.to_string()),
            ..Default::default()
        }
        .insert(self.w())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<audit::Model>> {
        Ok(audit::Entity::find()
            .order_by_asc(audit::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// The latest `limit` audit entries with the action `action`, newest first.
    pub async fn audit_of(&self, action: &str, limit: u64) -> Result<Vec<audit::Model>> {
        Ok(audit::Entity::find()
            .filter(audit::Column::Action.eq(action))
            .order_by_desc(audit::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Store an announcement.
    pub async fn add_announcement(
        &self,
        text_vi: &str,
        text_en: &str,
        author: &str,
        now: i64,
    ) -> Result<AnnouncementRow> {
        announcement::ActiveModel {
            at: Set(now),
            text_vi: Set(text_vi.to_owned()),
            text_en: Set(text_en.to_owned()),
            author: Set(author.to_owned()),
            ..Default::default()
        }
        .insert(self.w())
        .await
        .map_err(|e| self.failed(e))
    }

    /// Every announcement, newest first.
    pub async fn announcements(&self) -> Result<Vec<AnnouncementRow>> {
        Ok(announcement::Entity::find()
            .order_by_desc(announcement::Column::Id)
            .all(&self.db)
            .await?)
    }
}
