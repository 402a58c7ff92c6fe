//! Shared application state: the store, settings, the clock, and the live scoring state kept in
//! memory (the scenario, the team list and the scoring engine fed with every event).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use drillboard_scenario::Scenario;
use drillboard_scoring::{
    ChallengeRule, Config, Engine, Event, InjectRule, Standings, TeamInfo, ValueRule,
};
use drillboard_store::{ExerciseRow, Store, TeamRow};

use crate::auth::Keys;
use crate::changes::{Changes, Kind};
use crate::error::ApiResult;
use crate::follow::Follow;
use crate::limits::{LoginLimiter, TrustedProxies, WrongFlagLimiter};

/// Largest accepted request body (a scenario file is the largest thing anyone sends).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Milliseconds since the Unix epoch, from the real clock or a test's.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp_millis())
}

/// Settings the API needs (the binary fills them from flags and environment).
#[derive(Clone)]
pub struct Settings {
    /// Current JWT signing secret first, then older ones still accepted (rotation).
    pub jwt_secrets: Vec<Vec<u8>>,
    /// Session lifetime in seconds.
    pub session_seconds: u64,
    /// Failed logins allowed per client address per minute.
    pub login_failures_per_minute: usize,
    /// Secret behind the attack/defend flags' signatures (all replicas need the same).
    pub flag_secret: Vec<u8>,
    /// Checker runs at once in a round.
    pub checker_concurrency: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Where checker commands of a scenario loaded through the API must live (None: a scenario
    /// loaded through the API may not name checker commands at all).
    pub checkers_dir: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field(
                "jwt_secrets",
                &format_args!("[{} hidden]", self.jwt_secrets.len()),
            )
            .field("session_seconds", &self.session_seconds)
            .field("login_failures_per_minute", &self.login_failures_per_minute)
            .field("flag_secret", &"[hidden]")
            .field("checker_concurrency", &self.checker_concurrency)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("checkers_dir", &self.checkers_dir)
            .finish()
    }
}

/// Cheap to clone: everything is behind one `Arc`.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// What the state holds.
pub struct Inner {
    /// The database.
    pub store: Store,
    /// JWT keys.
    pub keys: Keys,
    /// Settings.
    pub settings: Settings,
    /// The clock.
    pub clock: Clock,
    /// Failed-login limiter.
    pub login_limiter: LoginLimiter,
    /// Known API tokens (a few seconds).
    pub tokens: crate::auth::TokenCache,
    /// Wrong jeopardy flags per team and minute.
    pub wrong_flags: WrongFlagLimiter,
    /// The live scoring state.
    pub live: RwLock<Live>,
    /// Serialises scenario loads and team changes (rare, and they rebuild the engine).
    pub reload_lock: tokio::sync::Mutex<()>,
    /// Stores flag captures in batches.
    pub writer: crate::game::submit::Writer,
    /// Stores jeopardy plays (attempts, solves, hint unlocks) in batches.
    pub plays: crate::plays::PlayWriter,
    /// Per-team flag submission rates.
    pub rate_limiter: crate::game::submit::RateLimiter,
    /// One score-history computation at a time: after a restart every open board asks at once,
    /// and all but the first then find the samples cached.
    pub history_lock: tokio::sync::Mutex<()>,
    /// The last readiness answer and when it was made: probes are shared for a second, so
    /// anonymous traffic to `/readyz` cannot queue writes behind it.
    pub ready: tokio::sync::Mutex<Option<(std::time::Instant, crate::routes::public::Readiness)>>,
    /// Where the TCP flag server listens (set once it is bound; shown to teams).
    pub flags_addr: std::sync::OnceLock<std::net::SocketAddr>,
    /// Per service, the checker problem last told to organisers (told again only when it
    /// changes).
    pub checker_problems: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Counters for `GET /metrics`.
    pub metrics: crate::metrics::Metrics,
}

/// The loaded exercise as the server holds it in memory.
#[derive(Default)]
pub struct Live {
    /// The exercise row (clock state).
    pub exercise: Option<ExerciseRow>,
    /// The scenario.
    pub scenario: Option<Arc<Scenario>>,
    /// Teams by id.
    pub teams: Vec<TeamRow>,
    /// The engine, fed with every event.
    pub engine: Option<Engine>,
    /// Attack/defend state (None: the scenario has no attack/defend part).
    pub ad: Option<crate::game::AdLive>,
    /// Tells open pages what changed.
    pub changes: Changes,
    /// The highest event sequence number fed to the engine.
    applied: i64,
    /// How many events were fed to the engine.
    applied_count: u64,
    /// Which events are fed, so that one written by another replica (or told twice) is fed
    /// exactly once.
    follow: Follow,
    /// When the latest event fed to the engine happened (0: none).
    changed_at: i64,
    /// Serialised boards, emptied at every change.
    pub served: crate::served::ServedCache,
    cache: Mutex<Cache>,
    /// Past samples of the score history (team, score in rank order), by time. Events are
    /// stamped when they happen, so a settled past moment never changes until a reload.
    history: Mutex<HashMap<i64, HistorySample>>,
}

/// Standings as a chart sample: (team, score) in rank order.
pub fn sample_of(st: &Standings) -> HistorySample {
    Arc::new(
        st.standings
            .iter()
            .map(|x| (x.team.clone(), x.score))
            .collect(),
    )
}

/// Points of the score chart at most over the exercise's length.
pub const CHART_SAMPLES: i64 = 60;

/// The board at one moment, for the history chart: (team id, score) in rank order.
pub type HistorySample = Arc<Vec<(Arc<str>, f64)>>;

#[derive(Default)]
struct Cache {
    live: Option<Arc<Standings>>,
    at: Option<(i64, Arc<Standings>)>,
}

impl Live {
    /// Standings at `as_of` (None: now), cached until the next event.
    pub fn standings(&self, as_of: Option<i64>) -> Option<Arc<Standings>> {
        let engine = self.engine.as_ref()?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        match as_of {
            None => Some(
                cache
                    .live
                    .get_or_insert_with(|| Arc::new(engine.standings(None)))
                    .clone(),
            ),
            Some(t) => {
                if let Some((ct, s)) = &cache.at
                    && *ct == t
                {
                    return Some(s.clone());
                }
                let s = Arc::new(engine.standings(Some(t)));
                cache.at = Some((t, s.clone()));
                Some(s)
            }
        }
    }

    /// The highest event sequence number fed to the engine (0: none).
    pub fn applied_seq(&self) -> i64 {
        self.applied
    }

    /// How many events were fed to the engine.
    pub fn applied_count(&self) -> u64 {
        self.applied_count
    }

    /// The moment the live standings last changed: the latest event's time, or, before any
    /// event, when the exercise was last updated (0: nothing loaded).
    pub fn changed_at(&self) -> i64 {
        let updated = self.exercise.as_ref().map_or(0, |e| e.updated_at);
        if self.changed_at > 0 {
            self.changed_at
        } else {
            updated
        }
    }

    /// An inject was released early: its report's deadline moves, late factors and every
    /// served answer with them (no replay: events keep flowing meanwhile).
    pub fn inject_released(&mut self, inject: &str, now: i64) {
        let (Some(row), Some(scenario)) = (self.exercise.as_ref(), self.scenario.as_ref()) else {
            return;
        };
        let Some(i) = scenario.inject(inject) else {
            return;
        };
        let due = i
            .report
            .as_ref()
            .and_then(|r| release_of(row, i).map(|t| t + r.due_within_seconds * 1000));
        if let Some(engine) = &mut self.engine {
            engine.set_inject_due(inject, due);
        }
        // A deadline moves every late factor of the inject, at any time: the whole history.
        self.scores_changed(now, i64::MIN);
    }

    /// Feed one new event to the engine, unless it was fed already (this process stored it and
    /// the change feed told it too, or the other way round). Whether it was new.
    pub fn apply(&mut self, e: &Event) -> bool {
        if self.follow.seen(e.seq) {
            return false;
        }
        self.follow.mark(e.seq);
        if let Some(engine) = &mut self.engine {
            engine.apply(e);
        }
        self.applied = self.applied.max(e.seq);
        self.applied_count += 1;
        // An event stored late (a busy writer) changes the history from its time on.
        self.scores_changed(e.at, e.at);
        true
    }

    /// A stored event this version does not read (a newer kind): seen, nothing to feed.
    pub fn skip(&mut self, seq: i64) {
        self.follow.mark(seq);
    }

    /// What to read to catch up with the log: events above this sequence number, and those
    /// numbered in the list (gaps below it, not committed when last read).
    pub fn catch_up_from(&mut self) -> (i64, Vec<i64>) {
        self.follow.advance();
        self.follow.query()
    }

    /// The standings changed at `at`, and the score history from `from` on: forget every
    /// answer built from them and tell open pages.
    fn scores_changed(&mut self, at: i64, from: i64) {
        self.changed_at = self.changed_at.max(at);
        self.served.clear();
        *self.cache.get_mut().unwrap_or_else(|e| e.into_inner()) = Cache::default();
        self.history
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|t, _| *t < from);
        self.changes.notify(Kind::Scoreboard);
    }

    /// A cached history sample.
    pub fn history_sample(&self, t: i64) -> Option<HistorySample> {
        let h = self.history.lock().unwrap_or_else(|e| e.into_inner());
        h.get(&t).cloned()
    }

    /// Keep a settled history sample.
    pub fn keep_history_sample(&self, t: i64, sample: HistorySample) {
        let mut h = self.history.lock().unwrap_or_else(|e| e.into_inner());
        h.insert(t, sample);
    }

    /// The chart's fixed sample grid: (start, step, end). Samples fall at `start + k × step`, the
    /// step being the exercise's actual length (an extension included) over [`CHART_SAMPLES`],
    /// at least a minute; `end` is the planned end (`i64::MAX` when none is set). None before
    /// the start.
    pub fn chart_grid(&self) -> Option<(i64, i64, i64)> {
        let (row, s) = (self.exercise.as_ref()?, self.scenario.as_ref()?);
        let start = row.started_at?;
        let duration = match row.ends_at {
            Some(b) if b > start => b - start,
            _ => s.exercise.duration_seconds * 1000,
        };
        Some((
            start,
            (duration / CHART_SAMPLES).max(60_000),
            row.ends_at.unwrap_or(i64::MAX),
        ))
    }

    /// The board at past moment `t` as a chart sample (team, score in rank order), from the
    /// sample cache or computed (and kept when `keep`: the moment is settled).
    pub fn sample_at(&self, t: i64, keep: bool) -> Option<HistorySample> {
        if let Some(s) = self.history_sample(t) {
            return Some(s);
        }
        let s = sample_of(&self.engine.as_ref()?.standings(Some(t)));
        if keep {
            self.keep_history_sample(t, s.clone());
        }
        Some(s)
    }

    /// A team by slug.
    pub fn team(&self, slug: &str) -> Option<&TeamRow> {
        self.teams.iter().find(|t| t.slug == slug)
    }
}

/// Scoring rules for the engine, from the scenario and the teams.
/// Absolute due times need the actual start, so the config is rebuilt when the exercise starts.
pub fn scoring_config(s: &Scenario, teams: &[TeamRow], exercise: Option<&ExerciseRow>) -> Config {
    Config {
        teams: teams
            .iter()
            .filter(|t| !t.hidden)
            .map(|t| TeamInfo {
                id: t.slug.clone(),
                name: t.name.clone(),
            })
            .collect(),
        challenges: s
            .challenges
            .iter()
            .map(|c| ChallengeRule {
                id: c.id.clone(),
                value: match c.value {
                    drillboard_scenario::ValueRule::Static { points } => ValueRule::Static(points),
                    drillboard_scenario::ValueRule::Dynamic {
                        function,
                        initial,
                        decay,
                        minimum,
                    } => ValueRule::Dynamic {
                        function: match function {
                            drillboard_scenario::Decay::Logarithmic => {
                                drillboard_scoring::Decay::Logarithmic
                            }
                            drillboard_scenario::Decay::Linear => drillboard_scoring::Decay::Linear,
                        },
                        initial,
                        decay,
                        minimum,
                    },
                },
                first_blood: c.first_blood.clone(),
                hints: c.hints.iter().map(|h| (h.id.clone(), h.cost)).collect(),
            })
            .collect(),
        tasks_weight: s.scoring.tasks_weight,
        reports_weight: s.scoring.reports_weight,
        attack_defense: match &s.attack_defense {
            Some(ad) => drillboard_scoring::AttackDefense {
                services: s
                    .services
                    .iter()
                    .map(|svc| (svc.id.clone(), svc.weight))
                    .collect(),
                formula: drillboard_scoring::AdFormula::Faust,
                attack_weight: ad.attack_weight,
                defense_weight: ad.defense_weight,
                sla_weight: ad.sla_weight,
            },
            None => Default::default(),
        },
        injects: s
            .injects
            .iter()
            .filter_map(|i| {
                let r = i.report.as_ref()?;
                Some(InjectRule {
                    id: i.id.clone(),
                    weight: r.weight,
                    due_at: exercise
                        .and_then(|row| release_of(row, i))
                        .map(|t| t + r.due_within_seconds * 1000),
                    grace_ms: r.grace_seconds * 1000,
                    penalty_per_minute: r.penalty_per_minute,
                    cutoff_ms: r.cutoff_seconds.map(|c| c * 1000),
                })
            })
            .collect(),
    }
}

/// Injects an organiser released early: id → when (from the exercise row).
pub fn early_releases(row: &ExerciseRow) -> std::collections::HashMap<String, i64> {
    serde_json::from_str(&row.inject_releases).unwrap_or_default()
}

/// When an inject is (or will be) released: its scheduled time after the actual start, or an
/// earlier release by an organiser. None before the start.
pub fn release_of(row: &ExerciseRow, inject: &drillboard_scenario::Inject) -> Option<i64> {
    let scheduled = row.started_at? + inject.release_after_seconds * 1000;
    Some(match early_releases(row).get(&inject.id) {
        Some(&early) => early.min(scheduled),
        None => scheduled,
    })
}

impl AppState {
    /// Build the state and load what the database holds.
    pub async fn new(store: Store, settings: Settings, clock: Clock) -> ApiResult<Self> {
        let keys = Keys::new(&settings.jwt_secrets)?;
        let state = AppState(Arc::new_cyclic(|weak| Inner {
            keys,
            login_limiter: LoginLimiter::new(settings.login_failures_per_minute),
            wrong_flags: WrongFlagLimiter::default(),
            tokens: Default::default(),
            writer: crate::game::submit::spawn_writer(store.clone(), weak.clone()),
            plays: crate::plays::spawn(store.clone(), weak.clone()),
            rate_limiter: Default::default(),
            flags_addr: std::sync::OnceLock::new(),
            history_lock: tokio::sync::Mutex::new(()),
            checker_problems: Default::default(),
            metrics: Default::default(),
            ready: tokio::sync::Mutex::new(None),
            store,
            settings,
            clock,
            live: RwLock::new(Live::default()),
            reload_lock: tokio::sync::Mutex::new(()),
        }));
        state.reload().await?;
        Ok(state)
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// Now, in milliseconds since the epoch.
    pub fn now(&self) -> i64 {
        (self.0.clock)()
    }

    /// Read the live state.
    pub fn live(&self) -> std::sync::RwLockReadGuard<'_, Live> {
        self.0.live.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells open pages what changed.
    pub fn changes(&self) -> Changes {
        self.live().changes.clone()
    }

    /// Write the live state.
    pub fn live_mut(&self) -> std::sync::RwLockWriteGuard<'_, Live> {
        self.0.live.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Rebuild the in-memory state from the database: exercise, teams, and a full replay of the
    /// event log into a fresh engine.
    pub async fn reload(&self) -> ApiResult<()> {
        self.0.tokens.clear();
        let began = std::time::Instant::now();
        let store = self.store();
        let exercise = store.exercise().await?;
        let teams = store.teams().await?;
        let events = store.events().await?;
        let read = began.elapsed();
        let round = store.last_round().await?;
        let scenario = match &exercise {
            Some(row) => Some(Arc::new(
                serde_json::from_str::<Scenario>(&row.scenario_json)
                    .map_err(|e| anyhow::anyhow!("stored scenario cannot be read: {e}"))?,
            )),
            None => None,
        };
        let engine = scenario.as_ref().map(|s| {
            Engine::replay(
                scoring_config(s, &teams, exercise.as_ref()),
                events.iter().map(|(e, _)| e),
            )
        });
        let ad = scenario.as_ref().and_then(|s| {
            crate::game::AdLive::build(
                &self.0.settings.flag_secret,
                s,
                &teams,
                round,
                events.iter().map(|(e, _)| e),
            )
        });
        let mut live = self.live_mut();
        // The answer cache goes on counting its generations (see `ServedCache::keep`).
        let mut served = std::mem::take(&mut live.served);
        served.clear();
        *live = Live {
            exercise,
            scenario,
            teams,
            engine,
            ad,
            changes: live.changes.clone(),
            applied: events.iter().map(|(e, _)| e.seq).max().unwrap_or(0),
            follow: Follow::from(events.iter().map(|(e, _)| e.seq).max().unwrap_or(0)),
            applied_count: events.len() as u64,
            changed_at: events.iter().map(|(e, _)| e.at).max().unwrap_or(0),
            served,
            cache: Mutex::new(Cache::default()),
            history: Mutex::new(HashMap::new()),
        };
        live.changes.notify_all();
        tracing::info!(
            events = live.applied_count,
            teams = live.teams.len(),
            read_ms = read.as_millis() as u64,
            total_ms = began.elapsed().as_millis() as u64,
            "exercise state loaded"
        );
        Ok(())
    }

    /// Refresh only the exercise row (clock changes do not touch scores).
    pub async fn reload_exercise(&self) -> ApiResult<()> {
        let exercise = self.store().exercise().await?;
        let mut live = self.live_mut();
        live.exercise = exercise;
        live.served.clear();
        live.changes.notify(Kind::Exercise);
        Ok(())
    }
}
