//! Attack/defend bookkeeping: rounds, planted flags and checker verdicts with their messages.
//! Scores come from the events (captures, verdicts, voids); these tables say what the ticker
//! did, so it can resume after a restart and the board can show flag ids and messages.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use crate::entity::{ad_check, ad_flag, round};
use crate::{Result, Store, StoreError};

/// A round as stored.
pub type RoundRow = round::Model;
/// A planted flag as stored.
pub type FlagRow = ad_flag::Model;
/// A verdict with its messages as stored.
pub type CheckRow = ad_check::Model;

/// A flag the ticker planted or tried to plant.
#[derive(Debug, Clone)]
pub struct NewFlag {
    /// Round.
    pub round: u32,
    /// Team slug.
    pub team: String,
    /// Service id.
    pub service: String,
    /// Flag place, from 1.
    pub place: u8,
    /// The flag.
    pub flag: String,
    /// Public flag id.
    pub flag_id: String,
    /// The put's answer, for the get.
    pub private_id: Option<String>,
    /// Whether the put succeeded.
    pub planted: bool,
    /// When.
    pub at: i64,
}

/// A verdict with its messages.
#[derive(Debug, Clone)]
pub struct NewCheck {
    /// Round.
    pub round: u32,
    /// Team slug.
    pub team: String,
    /// Service id.
    pub service: String,
    /// `ok`, `recovering`, `corrupt`, `mumble`, `down` or `checker_error`.
    pub state: String,
    /// For the team.
    pub public: String,
    /// For organisers and judges.
    pub private: String,
    /// When.
    pub at: i64,
}

impl Store {
    /// Every round, oldest first.
    pub async fn rounds(&self) -> Result<Vec<RoundRow>> {
        Ok(round::Entity::find()
            .order_by_asc(round::Column::Number)
            .all(&self.db)
            .await?)
    }

    /// Round `number`, if it was started.
    pub async fn round(&self, number: u32) -> Result<Option<RoundRow>> {
        Ok(round::Entity::find_by_id(number as i32)
            .one(&self.db)
            .await?)
    }

    /// The latest round, if any was started.
    pub async fn last_round(&self) -> Result<Option<RoundRow>> {
        Ok(round::Entity::find()
            .order_by_desc(round::Column::Number)
            .one(&self.db)
            .await?)
    }

    /// Record that round `number` starts now. A second start of the same round (another ticker
    /// won the race) is a [`StoreError::Conflict`].
    pub async fn begin_round(&self, number: u32, at: i64) -> Result<RoundRow> {
        round::ActiveModel {
            number: Set(number as i32),
            started_at: Set(at),
            ended_at: Set(None),
            status: Set("running".into()),
        }
        .insert(self.w())
        .await
        .map_err(|e| self.failed(e))
    }

    /// Close a round as `done` or `interrupted`.
    pub async fn end_round(&self, number: u32, status: &str, at: i64) -> Result<RoundRow> {
        let row = self
            .round(number)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("round {number}")))?;
        let mut a = row.into_active_model();
        a.ended_at = Set(Some(at));
        a.status = Set(status.to_owned());
        a.update(self.w()).await.map_err(|e| self.failed(e))
    }

    /// Store a planted flag (a repeat of the same round, team, service and place replaces it).
    pub async fn save_flag(&self, f: &NewFlag) -> Result<()> {
        ad_flag::Entity::insert(ad_flag::ActiveModel {
            round: Set(f.round as i32),
            team: Set(f.team.clone()),
            service: Set(f.service.clone()),
            place: Set(f.place as i32),
            flag: Set(f.flag.clone()),
            flag_id: Set(f.flag_id.clone()),
            private_id: Set(f.private_id.clone()),
            planted: Set(f.planted),
            created_at: Set(f.at),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                ad_flag::Column::Round,
                ad_flag::Column::Team,
                ad_flag::Column::Service,
                ad_flag::Column::Place,
            ])
            .update_columns([
                ad_flag::Column::Flag,
                ad_flag::Column::FlagId,
                ad_flag::Column::PrivateId,
                ad_flag::Column::Planted,
                ad_flag::Column::CreatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(self.w())
        .await
        .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Flags of round `from` and later, by round.
    pub async fn flags_since(&self, from: u32) -> Result<Vec<FlagRow>> {
        Ok(ad_flag::Entity::find()
            .filter(ad_flag::Column::Round.gte(from as i32))
            .order_by_asc(ad_flag::Column::Round)
            .order_by_asc(ad_flag::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Store a round's verdicts (a verdict already stored for the same round, team and service
    /// is kept).
    pub async fn save_checks(&self, checks: &[NewCheck]) -> Result<()> {
        if checks.is_empty() {
            return Ok(());
        }
        let rows = checks.iter().map(|c| ad_check::ActiveModel {
            round: Set(c.round as i32),
            team: Set(c.team.clone()),
            service: Set(c.service.clone()),
            state: Set(c.state.clone()),
            public: Set(c.public.clone()),
            private: Set(c.private.clone()),
            at: Set(c.at),
            ..Default::default()
        });
        ad_check::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    ad_check::Column::Round,
                    ad_check::Column::Team,
                    ad_check::Column::Service,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(self.w())
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Verdicts of one round.
    pub async fn checks_in(&self, round: u32) -> Result<Vec<CheckRow>> {
        Ok(ad_check::Entity::find()
            .filter(ad_check::Column::Round.eq(round as i32))
            .order_by_asc(ad_check::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Verdicts of round `from` and later, oldest first.
    pub async fn checks_since(&self, from: u32) -> Result<Vec<CheckRow>> {
        Ok(ad_check::Entity::find()
            .filter(ad_check::Column::Round.gte(from as i32))
            .order_by_asc(ad_check::Column::Round)
            .order_by_asc(ad_check::Column::Id)
            .all(&self.db)
            .await?)
    }
}
