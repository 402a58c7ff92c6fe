//! The exercise row: loaded scenario and clock state.

use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

use crate::entity::exercise;
use crate::{Result, Store, StoreError};

/// The exercise as stored.
pub type ExerciseRow = exercise::Model;

/// Changes to the clock state; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct ExerciseUpdate {
    /// New status.
    pub status: Option<String>,
    /// When it actually started.
    pub started_at: Option<Option<i64>>,
    /// When it ends.
    pub ends_at: Option<Option<i64>>,
    /// When the public board freezes.
    pub freeze_at: Option<Option<i64>>,
    /// The organiser lifted the freeze.
    pub freeze_released: Option<bool>,
    /// When it was paused.
    pub paused_at: Option<Option<i64>>,
    /// Injects released early (JSON map id → ms).
    pub inject_releases: Option<String>,
}

impl Store {
    /// The loaded exercise, if any.
    pub async fn exercise(&self) -> Result<Option<ExerciseRow>> {
        Ok(exercise::Entity::find().one(&self.db).await?)
    }

    /// Store a scenario. The database holds one exercise: loading another id is refused, the same
    /// id replaces the scenario and keeps the clock.
    pub async fn save_scenario(
        &self,
        id: &str,
        json: String,
        yaml: String,
        now: i64,
    ) -> Result<ExerciseRow> {
        match self.exercise().await? {
            Some(row) if row.id != id => Err(StoreError::Conflict(format!(
                "this database already holds exercise `{}`; use a new database for `{id}`",
                row.id
            ))),
            Some(row) => {
                let mut active = row.into_active_model();
                active.scenario_json = Set(json);
                active.scenario_yaml = Set(yaml);
                active.updated_at = Set(now);
                Ok(active.update(self.w()).await.map_err(|e| self.failed(e))?)
            }
            None => {
                let active = exercise::ActiveModel {
                    id: Set(id.to_owned()),
                    scenario_json: Set(json),
                    scenario_yaml: Set(yaml),
                    status: Set("not_started".into()),
                    started_at: Set(None),
                    ends_at: Set(None),
                    freeze_at: Set(None),
                    freeze_released: Set(false),
                    paused_at: Set(None),
                    updated_at: Set(now),
                    inject_releases: Set("{}".into()),
                };
                Ok(active.insert(self.w()).await.map_err(|e| self.failed(e))?)
            }
        }
    }

    /// Change the clock state of the exercise.
    pub async fn update_exercise(&self, update: ExerciseUpdate, now: i64) -> Result<ExerciseRow> {
        let row = self
            .exercise()
            .await?
            .ok_or_else(|| StoreError::NotFound("no scenario is loaded".into()))?;
        let mut a = row.into_active_model();
        if let Some(v) = update.status {
            a.status = Set(v);
        }
        if let Some(v) = update.started_at {
            a.started_at = Set(v);
        }
        if let Some(v) = update.ends_at {
            a.ends_at = Set(v);
        }
        if let Some(v) = update.freeze_at {
            a.freeze_at = Set(v);
        }
        if let Some(v) = update.freeze_released {
            a.freeze_released = Set(v);
        }
        if let Some(v) = update.inject_releases {
            a.inject_releases = Set(v);
        }
        if let Some(v) = update.paused_at {
            a.paused_at = Set(v);
        }
        a.updated_at = Set(now);
        a.update(self.w()).await.map_err(|e| self.failed(e))
    }
}
