//! The append-only event log and the record of flag attempts.

use drillboard_scoring::{Event, EventKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

use crate::entity::{event, submission};
use crate::{Result, Store, StoreError};

/// Events written by one statement of [`Store::append_events`] (6 values each, well under
/// SQLite's and PostgreSQL's limits on bound parameters).
const APPEND_CHUNK: usize = 2000;

/// Plays inserted by one statement (6 values each).
const PLAY_CHUNK: usize = 500;

/// Events read in one JSON page from SQLite at start-up (a few MB of text at most).
const EVENT_PAGE: usize = 20_000;

/// An event to append; the store assigns its sequence number.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// When it happened.
    pub at: i64,
    /// Team slug.
    pub team: String,
    /// What happened.
    pub kind: EventKind,
    /// Who caused it (username), for the audit trail.
    pub actor: Option<String>,
}

/// A flag attempt to record.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    /// When.
    pub at: i64,
    /// Team slug.
    pub team: String,
    /// Challenge id.
    pub challenge: String,
    /// What was sent (the first 256 characters are kept).
    pub submitted: String,
    /// Whether it was right.
    pub correct: bool,
}

/// Every `kind` column value this version reads.
pub const KINDS: [&str; 10] = [
    "solve",
    "hint",
    "adjustment",
    "disqualify",
    "reinstate",
    "report_graded",
    "grades_released",
    "flag_captured",
    "service_checked",
    "round_voided",
];

/// The `kind` column value for an event kind.
pub fn event_kind(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Solve { .. } => "solve",
        EventKind::HintUnlock { .. } => "hint",
        EventKind::Adjustment { .. } => "adjustment",
        EventKind::Disqualify { .. } => "disqualify",
        EventKind::Reinstate => "reinstate",
        EventKind::ReportGraded { .. } => "report_graded",
        EventKind::GradesReleased { .. } => "grades_released",
        EventKind::FlagCaptured { .. } => "flag_captured",
        EventKind::ServiceChecked { .. } => "service_checked",
        EventKind::RoundVoided { .. } => "round_voided",
    }
}

/// What an attack/defend event is about, for the exactly-once index: the flag
/// (`service/victim/round/place`) of a capture, the `service/round` of a verdict or a void.
pub fn event_subject(kind: &EventKind) -> Option<String> {
    match kind {
        EventKind::FlagCaptured {
            service,
            victim,
            round,
            place,
        } => Some(format!("{service}/{victim}/{round}/{place}")),
        EventKind::ServiceChecked { service, round, .. }
        | EventKind::RoundVoided { service, round } => Some(format!("{service}/{round}")),
        _ => None,
    }
}

fn to_row(e: &NewEvent) -> event::ActiveModel {
    let (mut challenge, mut hint, mut points, mut reason, mut data) =
        (None, None, None, None, None);
    match &e.kind {
        EventKind::Solve { challenge: c } => challenge = Some(c.clone()),
        EventKind::HintUnlock {
            challenge: c,
            hint: h,
        } => {
            challenge = Some(c.clone());
            hint = Some(h.clone());
        }
        EventKind::Adjustment {
            points: p,
            reason: r,
        } => {
            points = Some(*p);
            reason = Some(r.clone());
        }
        EventKind::Disqualify { reason: r } => reason = Some(r.clone()),
        EventKind::Reinstate => {}
        EventKind::ReportGraded {
            inject,
            criteria,
            submitted_at,
        } => {
            data = Some(serde_json::json!({"inject": inject, "criteria": criteria, "submitted_at": submitted_at}).to_string());
            points = Some(criteria.iter().map(|c| c.1).sum());
        }
        EventKind::GradesReleased { inject } => {
            data = Some(serde_json::json!({"inject": inject}).to_string())
        }
        // Attack/defend kinds are stored whole, as the JSON of the event kind.
        EventKind::FlagCaptured { .. }
        | EventKind::ServiceChecked { .. }
        | EventKind::RoundVoided { .. } => {
            data = serde_json::to_string(&e.kind).ok();
        }
    }
    event::ActiveModel {
        at: Set(e.at),
        kind: Set(event_kind(&e.kind).to_owned()),
        team: Set(e.team.clone()),
        challenge: Set(challenge),
        hint: Set(hint),
        points: Set(points),
        reason: Set(reason),
        actor: Set(e.actor.clone()),
        data: Set(data),
        subject: Set(event_subject(&e.kind)),
        ..Default::default()
    }
}

#[derive(serde::Deserialize)]
struct Payload {
    inject: String,
    #[serde(default)]
    criteria: Vec<(String, f64)>,
    #[serde(default)]
    submitted_at: i64,
}

fn from_row(m: event::Model) -> Option<(Event, Option<String>)> {
    let payload = || {
        m.data
            .as_deref()
            .and_then(|d| serde_json::from_str::<Payload>(d).ok())
    };
    let kind = match m.kind.as_str() {
        "solve" => EventKind::Solve {
            challenge: m.challenge?,
        },
        "hint" => EventKind::HintUnlock {
            challenge: m.challenge?,
            hint: m.hint?,
        },
        "adjustment" => EventKind::Adjustment {
            points: m.points?,
            reason: m.reason.unwrap_or_default(),
        },
        "disqualify" => EventKind::Disqualify {
            reason: m.reason.unwrap_or_default(),
        },
        "reinstate" => EventKind::Reinstate,
        "report_graded" => {
            let p = payload()?;
            EventKind::ReportGraded {
                inject: p.inject,
                criteria: p.criteria,
                submitted_at: p.submitted_at,
            }
        }
        "grades_released" => EventKind::GradesReleased {
            inject: payload()?.inject,
        },
        "flag_captured" | "service_checked" | "round_voided" => {
            serde_json::from_str(m.data.as_deref()?).ok()?
        }
        _ => return None,
    };
    Some((
        Event {
            seq: m.seq,
            at: m.at,
            team: m.team,
            kind,
        },
        m.actor,
    ))
}

impl Store {
    /// Append an event. A second solve of the same challenge by the same team (or a second
    /// unlock of the same hint) is refused by a unique index and comes back as
    /// [`StoreError::Conflict`], however many requests race.
    pub async fn append_event(&self, e: NewEvent) -> Result<Event> {
        let row = to_row(&e)
            .insert(self.w())
            .await
            .map_err(|e| self.failed(e))?;
        from_row(row)
            .map(|(e, _)| e)
            .ok_or_else(|| StoreError::NotFound("event kind".into()))
    }

    /// Store a batch of jeopardy plays in one transaction (one commit for many requests):
    /// `attempts` into the attempt log, and `events` (solves, hint unlocks) each with
    /// `ON CONFLICT DO NOTHING`, so a repeat — of a row stored before or earlier in the batch —
    /// is skipped by the unique indexes. Returns, for each event in order, the stored event or
    /// `None` for a repeat.
    pub async fn commit_plays(
        &self,
        attempts: &[NewAttempt],
        events: &[NewEvent],
    ) -> Result<Vec<Option<Event>>> {
        let txn = self.write_txn().await?;
        let backend = txn.get_database_backend();
        // One statement for all attempts (each statement is a round trip to SQLite's thread).
        for chunk in attempts.chunks(APPEND_CHUNK) {
            let rows = chunk.iter().map(|a| submission::ActiveModel {
                at: Set(a.at),
                team: Set(a.team.clone()),
                challenge: Set(a.challenge.clone()),
                submitted: Set(a.submitted.chars().take(256).collect()),
                correct: Set(a.correct),
                ..Default::default()
            });
            submission::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await
                .map_err(|e| self.failed(e))?;
        }
        // Solves and unlocks: one statement per chunk; of repeats, in the batch or stored
        // before, only the first in the batch's order is stored. SQLite stores them in arrival
        // order (sequence numbers, which break ties between equal times, follow arrival). On
        // PostgreSQL, in key order: two replicas' writers then take the unique indexes' keys
        // in the same order and cannot deadlock.
        let mut keys = Vec::with_capacity(events.len());
        for e in events {
            let key = match &e.kind {
                EventKind::Solve { challenge } => {
                    (event_kind(&e.kind), e.team.as_str(), challenge.as_str(), "")
                }
                EventKind::HintUnlock { challenge, hint } => (
                    event_kind(&e.kind),
                    e.team.as_str(),
                    challenge.as_str(),
                    hint.as_str(),
                ),
                _ => {
                    return Err(StoreError::NotFound(
                        "only solves and hint unlocks are plays".into(),
                    ));
                }
            };
            keys.push(key);
        }
        let mut order: Vec<usize> = (0..events.len()).collect();
        if backend == DbBackend::Postgres {
            order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
        }
        let mut out = vec![None; events.len()];
        for chunk in order.chunks(PLAY_CHUNK) {
            let mut sql = format!(
                "INSERT INTO events (at, kind, team, challenge, hint, actor) VALUES {}",
                values_list(backend, chunk.len(), 6)
            );
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 6);
            for &i in chunk {
                let e = &events[i];
                let (kind, _, challenge, hint) = keys[i];
                values.extend([
                    e.at.into(),
                    kind.into(),
                    e.team.clone().into(),
                    Some(challenge.to_owned()).into(),
                    (!hint.is_empty()).then(|| hint.to_owned()).into(),
                    e.actor.clone().into(),
                ]);
            }
            sql.push_str(" ON CONFLICT DO NOTHING RETURNING seq, kind, team, challenge, hint");
            let rows = txn
                .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await
                .map_err(|e| self.failed(e))?;
            let mut stored: std::collections::HashMap<(String, String, String, String), i64> =
                std::collections::HashMap::with_capacity(rows.len());
            for r in rows {
                let get = |c: &str| r.try_get::<Option<String>>("", c);
                let seq: i64 = r.try_get("", "seq").map_err(|e| self.failed(e))?;
                let key = (
                    get("kind").map_err(|e| self.failed(e))?.unwrap_or_default(),
                    get("team").map_err(|e| self.failed(e))?.unwrap_or_default(),
                    get("challenge")
                        .map_err(|e| self.failed(e))?
                        .unwrap_or_default(),
                    get("hint").map_err(|e| self.failed(e))?.unwrap_or_default(),
                );
                stored.insert(key, seq);
            }
            for &i in chunk {
                let (kind, team, challenge, hint) = keys[i];
                let key = (
                    kind.to_owned(),
                    team.to_owned(),
                    challenge.to_owned(),
                    hint.to_owned(),
                );
                // The first of repeats takes the stored row; the others find it gone.
                if let Some(seq) = stored.remove(&key) {
                    let e = &events[i];
                    out[i] = Some(Event {
                        seq,
                        at: e.at,
                        team: e.team.clone(),
                        kind: e.kind.clone(),
                    });
                }
            }
        }
        txn.commit().await.map_err(|e| self.failed(e))?;
        Ok(out)
    }

    /// Append many events in one statement and one transaction; an event that repeats a capture,
    /// verdict or void already stored (or earlier in the batch) is skipped. Returns, for each
    /// input in order, the stored event or `None` for a repeat. This is how flag submission
    /// reaches thousands of durable captures a second: one commit for a whole batch.
    pub async fn append_events(&self, batch: &[NewEvent]) -> Result<Vec<Option<Event>>> {
        let mut out = vec![None; batch.len()];
        // In key order: two replicas' writers then take the unique index's keys in the same
        // order, so their transactions cannot deadlock on each other. Stable, so the first of
        // repeats within the batch stays first.
        let keys: Vec<_> = batch
            .iter()
            .map(|e| (event_kind(&e.kind), e.team.as_str(), event_subject(&e.kind)))
            .collect();
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
        // One transaction: one commit (one fsync) however many statements the batch needs.
        let txn = self.write_txn().await?;
        for chunk in order.chunks(APPEND_CHUNK) {
            let events: Vec<&NewEvent> = chunk.iter().map(|i| &batch[*i]).collect();
            let mut stored = insert_chunk(&txn, &events)
                .await
                .map_err(|e| self.failed_store(e))?;
            for &i in chunk {
                let (kind, team, subject) = &keys[i];
                // A repeat within the batch was not stored: only its first occurrence was.
                let key = ((*kind).to_owned(), (*team).to_owned(), subject.clone());
                if let Some(seq) = stored.remove(&key) {
                    let e = &batch[i];
                    out[i] = Some(Event {
                        seq,
                        at: e.at,
                        team: e.team.clone(),
                        kind: e.kind.clone(),
                    });
                }
            }
        }
        txn.commit().await.map_err(|e| self.failed(e))?;
        Ok(out)
    }

    /// How many events of the kinds this version reads are stored.
    pub async fn event_count(&self) -> Result<u64> {
        use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
        Ok(event::Entity::find()
            .filter(event::Column::Kind.is_in(KINDS))
            .count(&self.db)
            .await?)
    }

    /// The highest event sequence number stored (0: none).
    pub async fn last_event_seq(&self) -> Result<i64> {
        let last = event::Entity::find()
            .order_by_desc(event::Column::Seq)
            .one(&self.db)
            .await?;
        Ok(last.map_or(0, |e| e.seq))
    }

    /// The events stored with a sequence number above `seq`, in log order, at most `limit`:
    /// each sequence number, with its event when this version reads its kind (a replica
    /// following the log must know every number it has seen, read or not).
    /// Also those numbered in `also` (gaps below `seq` that may have been filled since).
    pub async fn events_after(
        &self,
        seq: i64,
        also: &[i64],
        limit: u64,
    ) -> Result<Vec<(i64, Option<(Event, Option<String>)>)>> {
        let mut which = sea_orm::Condition::any().add(event::Column::Seq.gt(seq));
        if !also.is_empty() {
            which = which.add(event::Column::Seq.is_in(also.iter().copied()));
        }
        let rows = event::Entity::find()
            .filter(which)
            .order_by_asc(event::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|m| (m.seq, from_row(m))).collect())
    }

    /// Every event in log order, with the actor of each.
    pub async fn events(&self) -> Result<Vec<(Event, Option<String>)>> {
        if self.db.get_database_backend() == DbBackend::Sqlite {
            return self.events_sqlite().await;
        }
        self.events_by_rows().await
    }

    /// One page of the log, newest first: at most `limit` events with a sequence number below
    /// `before` (all when None), of one `team` and one `kind` when given, never of `not_kind`.
    pub async fn events_page(
        &self,
        before: Option<i64>,
        limit: u64,
        team: Option<&str>,
        kind: Option<&str>,
        not_kind: Option<&str>,
    ) -> Result<Vec<(Event, Option<String>)>> {
        let mut q = event::Entity::find();
        if let Some(k) = not_kind {
            q = q.filter(event::Column::Kind.ne(k));
        }
        if let Some(b) = before {
            q = q.filter(event::Column::Seq.lt(b));
        }
        if let Some(t) = team {
            q = q.filter(event::Column::Team.eq(t));
        }
        if let Some(k) = kind {
            q = q.filter(event::Column::Kind.eq(k));
        }
        let rows = q
            .order_by_desc(event::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }

    /// SQLite: rows reach us from SQLite's thread one at a time, about 10 µs each (a second for
    /// 100,000 events at every start), so the log is read as JSON arrays of [`EVENT_PAGE`]
    /// events, one row each. `points` (a float) is read apart, as a number, so that its bits
    /// are exactly the stored ones; only adjustments have it.
    /// Every event read row by row (the general path; SQLite's paged read must equal it).
    async fn events_by_rows(&self) -> Result<Vec<(Event, Option<String>)>> {
        let rows = event::Entity::find()
            .order_by_asc(event::Column::Seq)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }

    async fn events_sqlite(&self) -> Result<Vec<(Event, Option<String>)>> {
        type Cells = (
            i64,
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let page_sql = format!(
            "SELECT json_group_array(json_array(seq, at, kind, team, challenge, hint, reason, \
             actor, data, subject)) AS page, count(*) AS n, max(seq) AS last \
             FROM (SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT {EVENT_PAGE})"
        );
        let points_sql = "SELECT seq, points FROM events \
            WHERE points IS NOT NULL AND seq > ? AND seq <= ?";
        let mut out = Vec::new();
        let mut after = 0i64;
        loop {
            let row = self
                .db
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    page_sql.clone(),
                    [after.into()],
                ))
                .await?
                .ok_or_else(|| StoreError::NotFound("event page".into()))?;
            let n: i64 = row.try_get("", "n")?;
            if n == 0 {
                break;
            }
            let last: i64 = row.try_get("", "last")?;
            let page: String = row.try_get("", "page")?;
            let mut cells: Vec<Cells> = serde_json::from_str(&page)
                .map_err(|e| StoreError::NotFound(format!("event page unreadable: {e}")))?;
            cells.sort_unstable_by_key(|c| c.0);
            let points: std::collections::HashMap<i64, f64> = self
                .db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    points_sql,
                    [after.into(), last.into()],
                ))
                .await?
                .iter()
                .map(|r| Ok((r.try_get("", "seq")?, r.try_get("", "points")?)))
                .collect::<Result<_>>()?;
            out.extend(cells.into_iter().filter_map(|c| {
                from_row(event::Model {
                    seq: c.0,
                    at: c.1,
                    kind: c.2,
                    team: c.3,
                    challenge: c.4,
                    hint: c.5,
                    points: points.get(&c.0).copied(),
                    reason: c.6,
                    actor: c.7,
                    data: c.8,
                    subject: c.9,
                })
            }));
            after = last;
        }
        Ok(out)
    }

    /// Wrong flags `team` has submitted, per challenge (for `max_attempts`).
    pub async fn wrong_attempts(&self, team: &str) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = submission::Entity::find()
            .select_only()
            .column(submission::Column::Challenge)
            .column_as(submission::Column::Id.count(), "n")
            .filter(submission::Column::Team.eq(team))
            .filter(submission::Column::Correct.eq(false))
            .group_by(submission::Column::Challenge)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows)
    }

    /// Every flag attempt, oldest first (organisers' export).
    pub async fn submissions(&self) -> Result<Vec<submission::Model>> {
        Ok(submission::Entity::find()
            .order_by_asc(submission::Column::Id)
            .all(&self.db)
            .await?)
    }
}

/// Stored rows of one insert: (kind, team, subject) → seq.
type StoredKeys = std::collections::HashMap<(String, String, Option<String>), i64>;

/// Insert one chunk of a batch on `txn`; returns the stored rows' seq by (kind, team, subject).
async fn insert_chunk(
    txn: &sea_orm::DatabaseTransaction,
    chunk: &[&NewEvent],
) -> Result<StoredKeys> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        return insert_chunk_postgres(txn, chunk).await;
    }
    let mut sql = format!(
        "INSERT INTO events (at, kind, team, actor, data, subject) VALUES {}",
        values_list(backend, chunk.len(), 6)
    );
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 6);
    for e in chunk {
        // Only attack/defend events have a subject; they are stored whole, as in `to_row`.
        let Some(subject) = event_subject(&e.kind) else {
            return Err(StoreError::NotFound(
                "batched events are attack/defend events only".into(),
            ));
        };
        let data = serde_json::to_string(&e.kind).ok();
        values.extend([
            e.at.into(),
            event_kind(&e.kind).into(),
            e.team.clone().into(),
            e.actor.clone().into(),
            data.into(),
            Some(subject).into(),
        ]);
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING seq, kind, team, subject");
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    stored_keys(rows)
}

/// `(?, …), (?, …)`: `rows` groups of `width` placeholders for a multi-row `VALUES`, numbered
/// `$1, $2, …` on PostgreSQL.
pub(crate) fn values_list(backend: DbBackend, rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * (width * 4 + 3));
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// PostgreSQL: the whole chunk as one JSON parameter, unpacked by `json_to_recordset`. Binding
/// 12,000 parameters costs PostgreSQL more than the insert itself; one text does not.
async fn insert_chunk_postgres(
    txn: &sea_orm::DatabaseTransaction,
    chunk: &[&NewEvent],
) -> Result<StoredKeys> {
    let mut rows = Vec::with_capacity(chunk.len());
    for e in chunk {
        let Some(subject) = event_subject(&e.kind) else {
            return Err(StoreError::NotFound(
                "batched events are attack/defend events only".into(),
            ));
        };
        rows.push(serde_json::json!({
            "at": e.at,
            "kind": event_kind(&e.kind),
            "team": e.team,
            "actor": e.actor,
            "data": serde_json::to_string(&e.kind).ok(),
            "subject": subject,
        }));
    }
    // In array order (WITH ORDINALITY), so that of repeats within the batch the first is stored.
    let sql = "INSERT INTO events (at, kind, team, actor, data, subject) \
        SELECT at, kind, team, actor, data, subject FROM ROWS FROM (json_to_recordset($1::json) \
        AS (at bigint, kind text, team text, actor text, data text, subject text)) \
        WITH ORDINALITY AS x(at, kind, team, actor, data, subject, n) ORDER BY n \
        ON CONFLICT DO NOTHING RETURNING seq, kind, team, subject";
    let param = serde_json::Value::Array(rows).to_string();
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [param.into()],
        ))
        .await?;
    stored_keys(rows)
}

/// (kind, team, subject) → seq of the rows an insert returned.
fn stored_keys(rows: Vec<sea_orm::QueryResult>) -> Result<StoredKeys> {
    let mut stored = std::collections::HashMap::with_capacity(rows.len());
    for r in rows {
        let seq: i64 = r.try_get("", "seq")?;
        let kind: String = r.try_get("", "kind")?;
        let team: String = r.try_get("", "team")?;
        let subject: Option<String> = r.try_get("", "subject")?;
        stored.insert((kind, team, subject), seq);
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's paged JSON read gives exactly the events the row-by-row read gives: every
    /// kind, every field, floats to the last bit, across page boundaries.
    #[tokio::test]
    async fn the_paged_sqlite_read_equals_the_row_read() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let ev = |at: i64, team: &str, kind: EventKind, actor: Option<&str>| NewEvent {
            at,
            team: team.into(),
            kind,
            actor: actor.map(str::to_owned),
        };
        // Floats whose shortest decimal needs 17 digits, and text that JSON must escape.
        for (i, points) in [0.1 + 0.2, -1e-300, 1.0 / 3.0, 5.0, -15.5]
            .into_iter()
            .enumerate()
        {
            let reason = format!("lý do \"{i}\"\n\t\\ {}", char::from_u32(0x1F600).unwrap());
            store
                .append_event(ev(
                    i as i64,
                    "đội-a",
                    EventKind::Adjustment { points, reason },
                    Some("org"),
                ))
                .await
                .unwrap();
        }
        store
            .append_event(ev(
                9,
                "b",
                EventKind::Disqualify { reason: "x".into() },
                None,
            ))
            .await
            .unwrap();
        store
            .append_event(ev(
                10,
                "b",
                EventKind::ReportGraded {
                    inject: "i".into(),
                    criteria: vec![("c".into(), 0.1 + 0.7), ("d".into(), 2.5)],
                    submitted_at: 7,
                },
                Some("judge"),
            ))
            .await
            .unwrap();
        // Over two pages of plays and captures.
        let plays: Vec<NewEvent> = (0..EVENT_PAGE + 500)
            .map(|k| {
                let kind = if k % 2 == 0 {
                    EventKind::Solve {
                        challenge: format!("c{k}"),
                    }
                } else {
                    EventKind::HintUnlock {
                        challenge: format!("c{k}"),
                        hint: "1".into(),
                    }
                };
                ev(100 + k as i64, "a", kind, Some("team"))
            })
            .collect();
        store.commit_plays(&[], &plays).await.unwrap();
        let captures: Vec<NewEvent> = (0..300)
            .map(|k| {
                ev(
                    50_000 + k,
                    "a",
                    EventKind::FlagCaptured {
                        service: "s".into(),
                        victim: "b".into(),
                        round: k as u32,
                        place: 1,
                    },
                    None,
                )
            })
            .collect();
        store.append_events(&captures).await.unwrap();
        let paged = store.events().await.unwrap();
        let rows = store.events_by_rows().await.unwrap();
        assert_eq!(paged.len(), EVENT_PAGE + 500 + 300 + 7);
        assert_eq!(paged, rows);
        for ((a, _), (b, _)) in paged.iter().zip(&rows) {
            if let (
                EventKind::Adjustment { points: x, .. },
                EventKind::Adjustment { points: y, .. },
            ) = (&a.kind, &b.kind)
            {
                assert_eq!(x.to_bits(), y.to_bits());
            }
        }
    }

    /// One batch of plays with repeats inside it (also across statement chunks) and of plays
    /// stored before: only the first of each is stored and reported, in the batch's order.
    #[tokio::test]
    async fn repeats_in_a_play_batch_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let solve = |team: &str, c: usize| NewEvent {
            at: c as i64,
            team: team.into(),
            kind: EventKind::Solve {
                challenge: format!("c{c}"),
            },
            actor: None,
        };
        let hint = |team: &str, c: usize| NewEvent {
            at: c as i64,
            team: team.into(),
            kind: EventKind::HintUnlock {
                challenge: format!("c{c}"),
                hint: "1".into(),
            },
            actor: None,
        };
        let before = store.commit_plays(&[], &[solve("a", 7)]).await.unwrap();
        assert!(before[0].is_some());
        let mut batch = Vec::new();
        for c in 0..PLAY_CHUNK + 100 {
            batch.push(solve("a", c));
            batch.push(hint("a", c));
        }
        // Repeats: at once, a whole chunk later, and of the solve stored before.
        batch.push(solve("a", 3));
        batch.insert(5, solve("a", 1));
        batch.push(hint("a", 2));
        let out = store.commit_plays(&[], &batch).await.unwrap();
        let mut seen = std::collections::HashSet::new();
        for (e, stored) in batch.iter().zip(&out) {
            let key = format!("{:?}{}", e.kind, e.team);
            let first = seen.insert(key) && !(e.kind == solve("a", 7).kind);
            assert_eq!(stored.is_some(), first, "{e:?}");
            if let Some(s) = stored {
                assert_eq!((&s.kind, &s.team, s.at), (&e.kind, &e.team, e.at));
            }
        }
        let count = store.events().await.unwrap().len();
        assert_eq!(count, 1 + 2 * (PLAY_CHUNK + 100) - 1);
        // Sequence numbers follow the batch's order on SQLite.
        let seqs: Vec<i64> = out.iter().flatten().map(|e| e.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    }
}
