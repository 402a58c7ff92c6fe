//! What keeps open pages current: the change stream, the score history for the board's chart,
//! and the organisers' announcements.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{MaybeCaller, Organiser};
use crate::changes::Kind;
use crate::error::{ApiError, ApiResult};
use crate::json::{self, Query};
use crate::ops::frozen_at;
use crate::routes::public::{HISTORY_SETTLED_MS, board_time, iso};
use crate::served::Served;
use crate::state::{AppState, HistorySample, sample_of};

/// How long a stream waits after a change before telling it, so that a burst is one message.
const SETTLE: Duration = Duration::from_millis(100);

/// `GET /api/v1/stream`: server-sent events telling open pages what changed. Public: it carries
/// only the kinds of change, never data. While the board is frozen it does not tell about
/// scores (that would leak when teams score); staff pages poll the live board then.
pub async fn stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let sub = state.changes().subscribe();
    let hello = Event::default()
        .event("hello")
        .data(json!({"at": iso(state.now())}).to_string());
    let first = futures_util::stream::once(async move { Ok(hello) });
    let updates = futures_util::stream::unfold((state, sub), |(state, mut sub)| async move {
        loop {
            let mut kinds = sub.next(SETTLE).await?;
            let now = state.now();
            let frozen = state
                .live()
                .exercise
                .as_ref()
                .is_some_and(|row| frozen_at(row, now).is_some());
            if frozen {
                kinds.retain(|k| *k != Kind::Scoreboard);
            }
            if kinds.is_empty() {
                continue;
            }
            let what: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            let event = Event::default()
                .event("update")
                .data(json!({"what": what, "at": iso(now)}).to_string());
            return Some((Ok(event), (state, sub)));
        }
    });
    Sse::new(futures_util::StreamExt::chain(first, updates))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Query of the score history.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// How many of the top teams (1 to 20, default 10).
    pub top: Option<usize>,
}

/// `GET /api/v1/scoreboard/history?top=N`: the scores of the top teams over time, for the
/// board's chart. Follows the frozen board like the scoreboard: teams and the public see the
/// history up to the freeze. The last point is the moment the board shows (the last change, or
/// the freeze); the answer is served from bytes made once per change, like the board.
pub async fn history(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<HistoryQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let top = q.top.unwrap_or(10);
    if !(1..=20).contains(&top) {
        return Err(ApiError::field("top", "`top` must be between 1 and 20"));
    }
    let now = state.now();
    let (as_of, frozen, grid, key, generation) = {
        let live = state.live();
        let (as_of, frozen) = board_time(&live, caller.as_ref(), None, now)?;
        if live.exercise.is_none() || live.scenario.is_none() {
            return Err(ApiError::NotFound("no scenario is loaded yet".into()));
        }
        let as_of = as_of.unwrap_or(live.changed_at());
        let key = format!("history|{as_of}|{frozen}|{top}");
        if let Some(served) = live.served.get(&key) {
            return Ok(served.respond(&headers));
        }
        (
            as_of,
            frozen,
            live.chart_grid(),
            key,
            live.served.generation(),
        )
    };
    let Some((start, step, end)) = grid else {
        let value = json!({"frozen": frozen, "as_of": iso(as_of), "series": []});
        return Ok(Served::new(&value).respond(&headers));
    };
    // Fixed sample times from the start to the end (so that past samples can be cached), then
    // the moment shown: the last change, or the freeze (after the end, grades and adjustments
    // still count).
    let mut times: Vec<i64> = (0..)
        .map(|k| start + k * step)
        .take_while(|t| *t < as_of.min(end))
        .collect();
    times.push(as_of.max(start));
    let _one_at_a_time = state.0.history_lock.lock().await;
    // Built by the request this one waited for, and nothing changed since.
    let built = state.live().served.get(&key);
    if let Some(served) = built {
        return Ok(served.respond(&headers));
    }
    let mut samples: Vec<HistorySample> = Vec::with_capacity(times.len());
    for (i, &t) in times.iter().enumerate() {
        let last = i + 1 == times.len();
        // One sample per lock: a long history never holds up the flag writer for long.
        let sample = {
            let live = state.live();
            let sample = if last && !frozen {
                // The live board: the standings every request shares.
                live.standings(None).map(|st| sample_of(&st))
            } else {
                live.sample_at(t, t < now - HISTORY_SETTLED_MS)
            };
            sample.ok_or_else(|| ApiError::NotFound("no scenario is loaded yet".into()))?
        };
        samples.push(sample);
        tokio::task::yield_now().await;
    }
    let live = state.live();
    let latest = samples.last().cloned().unwrap_or_default();
    let shown: Vec<&Arc<str>> = latest.iter().take(top).map(|(team, _)| team).collect();
    // Each sample read once: the shown teams' scores by position (0 when not on the board).
    let index: std::collections::HashMap<&str, usize> =
        shown.iter().enumerate().map(|(i, t)| (&***t, i)).collect();
    let mut scores = vec![vec![0.0; samples.len()]; shown.len()];
    for (k, s) in samples.iter().enumerate() {
        for (team, score) in s.iter() {
            if let Some(&i) = index.get(&**team) {
                scores[i][k] = *score;
            }
        }
    }
    let series: Vec<Value> = shown
        .iter()
        .zip(&scores)
        .map(|(team, scores)| {
            let points: Vec<Value> = times
                .iter()
                .zip(scores)
                .map(|(t, score)| json!({"at": iso(*t), "score": score}))
                .collect();
            let name = live.team(team).map_or(team.to_string(), |t| t.name.clone());
            json!({"team": team, "name": name, "points": points})
        })
        .collect();
    let value = json!({"frozen": frozen, "as_of": iso(as_of), "series": series});
    let served = live
        .served
        .keep(generation, key, Arc::new(Served::new(&value)));
    Ok(served.respond(&headers))
}

/// Body of `POST /api/v1/announcements`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAnnouncement {
    /// The text in Vietnamese and English (one may be empty).
    pub text: Bilingual,
}

/// A text in both languages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    /// Vietnamese.
    #[serde(default)]
    pub vi: String,
    /// English.
    #[serde(default)]
    pub en: String,
}

/// Longest announcement, per language.
const MAX_ANNOUNCEMENT_CHARS: usize = 2000;

fn announcement_json(a: &drillboard_store::AnnouncementRow) -> Value {
    json!({"id": a.id, "at": iso(a.at), "text": {"vi": a.text_vi, "en": a.text_en}})
}

/// `GET /api/v1/announcements`: every announcement, newest first. Public.
pub async fn announcements(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let rows = state.store().announcements().await?;
    Ok(Json(json!({
        "announcements": rows.iter().map(announcement_json).collect::<Vec<_>>()
    })))
}

/// `POST /api/v1/announcements`: tell every team something. Organisers; audited.
pub async fn announce(
    State(state): State<AppState>,
    Organiser(caller): Organiser,
    json::Json(body): json::Json<NewAnnouncement>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let vi = body.text.vi.trim();
    let en = body.text.en.trim();
    for (field, t) in [("text.vi", vi), ("text.en", en)] {
        if t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(ApiError::field(
                field,
                format!(
                    "`{field}` holds a control character; write plain text (line breaks are fine)"
                ),
            ));
        }
    }
    if vi.is_empty() && en.is_empty() {
        return Err(ApiError::field(
            "text",
            "write the announcement in Vietnamese (`text.vi`), English (`text.en`) or both",
        ));
    }
    for (field, t) in [("text.vi", vi), ("text.en", en)] {
        if t.chars().count() > MAX_ANNOUNCEMENT_CHARS {
            return Err(ApiError::field(
                field,
                format!("`{field}` is longer than {MAX_ANNOUNCEMENT_CHARS} characters"),
            ));
        }
    }
    let now = state.now();
    let row = state
        .store()
        .add_announcement(vi, en, &caller.name, now)
        .await?;
    state
        .store()
        .audit(
            &caller.name,
            "announcement.create",
            json!({"id": row.id, "vi": vi, "en": en}),
            now,
        )
        .await?;
    state.changes().notify(Kind::Announcements);
    Ok((StatusCode::CREATED, Json(announcement_json(&row))))
}
