//! A fresh application per test, on SQLite (a temporary file) or PostgreSQL (a new database on
//! the server named by `DATABASE_URL`, default the local one), with a clock the test controls.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use drillboard_api::auth::Role;
use drillboard_api::ops::{self, Credential};
use drillboard_api::{AppState, Settings, router};
use drillboard_store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The flag secret of every test app.
pub const FLAG_SECRET: &[u8] = b"test flag secret, long enough";

/// 2026-12-01T01:00:00Z: the test exercise's planned start.
pub const T0: i64 = 1_796_086_800_000;

pub const SCENARIO: &str = r#"
version: 1
exercise:
  id: test-drill
  title: {vi: "Diễn tập thử", en: "Test drill"}
  timezone: Asia/Ho_Chi_Minh
  start: 2026-12-01T08:00:00+07:00
  duration: 2h
  freeze_before_end: 30m
scoring:
  wrong_flags_per_minute: 10
teams:
  - {id: alpha, name: "Zeta Alpha", organisation: "Sở A"}
  - {id: bravo, name: "Bravo", organisation: "Sở B"}
  - {id: charlie, name: "Charlie", organisation: "Sở C"}
challenges:
  - id: web
    title: Web
    category: web
    value: 100
    flags: ["FLAG{web}"]
    first_blood: [20]
    hints: [{content: "look closer", cost: 15}]
  - id: dyn
    title: Dynamic
    category: forensics
    value: {function: logarithmic, initial: 500, decay: 3, minimum: 100}
    flags: [{type: regex, content: "FLAG\\{dyn-[0-9]+\\}"}]
  - id: plain
    title: Plain
    value: 50
    flags: [{content: "flag{plain}", case_insensitive: true}]
  - id: late
    title: Late
    value: 10
    flags: ["FLAG{late}"]
    release_after: 1h
  - id: locked
    title: Locked
    value: 200
    flags: ["FLAG{locked-secret}"]
    requires: [web]
injects:
  - id: deface
    title: {vi: "Thay đổi giao diện", en: "Defacement"}
    body: "The provincial portal shows a defacement."
    release_after: 10m
    report:
      due_within: 45m
      late: {grace: 5m, penalty_per_minute: 0.02, cutoff: 30m}
      rubric:
        - {id: detect, title: Detection, max: 10, guidance: "Did they find the webshell?"}
        - {id: contain, title: Containment, max: 10}
      double_marking: true
      disagreement_threshold: 4
  - id: phish
    title: Phishing
    audience: [bravo]
    report:
      due_within: 30m
      rubric: [{id: ioc, title: IOCs, max: 5}]
  - id: notice
    title: Notice
    body: "No report needed."
"#;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    clock: Arc<AtomicI64>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

fn postgres_admin_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => u,
        _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    }
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |s| s + 2) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl TestApp {
    /// A fresh application with the scenario `src` loaded, an organiser login (`org`), the
    /// clock at [`T0`] and the exercise started: the app, the organiser's session token and
    /// the credentials of the scenario's teams.
    pub async fn started_with(backend: Backend, src: &str) -> (TestApp, String, Vec<Credential>) {
        let app = TestApp::empty(backend).await;
        let s = drillboard_scenario::load_str(src, "scenario.yaml", None).unwrap();
        let creds = ops::load_scenario(&app.state, s, src.to_owned(), "test")
            .await
            .unwrap();
        ops::create_user(
            &app.state,
            "org",
            Role::Organiser,
            Some("organiser-password".into()),
            "test",
        )
        .await
        .unwrap();
        app.set_time(T0);
        let organiser = app.login("org", "organiser-password").await;
        ops::clock(&app.state, ops::ClockAction::Start, "test")
            .await
            .unwrap();
        (app, organiser, creds)
    }

    /// An empty application: migrated database, no scenario.
    pub async fn empty(backend: Backend) -> TestApp {
        TestApp::with(backend, None, |_| {}).await
    }

    /// An empty application whose SQLite file lies in `sqlite_in` (a folder of the test's), with
    /// settings changed by `tweak`.
    pub async fn with(
        backend: Backend,
        sqlite_in: Option<&std::path::Path>,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let (store, dir, pg) = match backend {
            Backend::Sqlite => {
                let dir = match sqlite_in {
                    Some(p) => tempfile::tempdir_in(p).unwrap(),
                    None => tempfile::tempdir().unwrap(),
                };
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                (Store::connect(&url).await.unwrap(), Some(dir), None)
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = Store::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is not reachable at {admin_url}: {e}. Start it (see README) or set DATABASE_URL.")
                });
                let name = format!(
                    "drillboard_test_{}",
                    hex(&drillboard_api::auth::random_bytes::<6>())
                );
                admin
                    .execute_admin(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                let store = Store::connect(&with_database(&admin_url, &name))
                    .await
                    .unwrap();
                (store, None, Some((admin_url, name)))
            }
        };
        store.migrate().await.unwrap();
        let clock = Arc::new(AtomicI64::new(T0 - 3_600_000));
        let c = clock.clone();
        let mut settings = Settings {
            jwt_secrets: vec![b"test-secret-test-secret-test-secret!".to_vec()],
            session_seconds: 86_400,
            login_failures_per_minute: 10,
            flag_secret: FLAG_SECRET.to_vec(),
            checker_concurrency: 8,
            trusted_proxies: Default::default(),
            checkers_dir: None,
        };
        tweak(&mut settings);
        let state = AppState::new(store, settings, Arc::new(move || c.load(Ordering::SeqCst)))
            .await
            .unwrap();
        TestApp {
            router: router(state.clone()),
            state,
            clock,
            _dir: dir,
            pg,
        }
    }

    /// Another server on the same PostgreSQL database, with the same settings and clock, as a
    /// replica started beside this one. Finishing it leaves the database to this one.
    pub async fn replica(&self) -> TestApp {
        let (admin_url, name) = self.pg.as_ref().expect("replicas need PostgreSQL");
        let store = Store::connect(&with_database(admin_url, name))
            .await
            .unwrap();
        let c = self.clock.clone();
        let state = AppState::new(
            store,
            self.state.0.settings.clone(),
            Arc::new(move || c.load(Ordering::SeqCst)),
        )
        .await
        .unwrap();
        TestApp {
            router: router(state.clone()),
            state,
            clock: self.clock.clone(),
            _dir: None,
            pg: None,
        }
    }

    /// Drop the PostgreSQL database (SQLite's folder goes with the value).
    pub async fn finish(self) {
        let TestApp {
            state, router, pg, ..
        } = self;
        drop(router);
        let store = state.store().clone();
        drop(state);
        store.close().await.ok();
        if let Some((admin_url, name)) = pg {
            let admin = Store::connect(&admin_url).await.unwrap();
            admin
                .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
            admin.close().await.ok();
        }
    }

    pub fn set_time(&self, ms: i64) {
        self.clock.store(ms, Ordering::SeqCst);
    }

    pub fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    /// Send a request; returns status and the body parsed as JSON (Null when empty or not JSON).
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        send_to(self.router.clone(), req).await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.send(json_request(method, path, token, body)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn submit(&self, token: &str, challenge: &str, flag: &str) -> (StatusCode, Value) {
        self.post(
            &format!("/api/v1/challenges/{challenge}/submit"),
            Some(token),
            json!({"flag": flag}),
        )
        .await
    }

    /// The scoreboard as `token` sees it: team id -> score, in rank order.
    pub async fn board(&self, token: Option<&str>) -> (bool, Vec<(String, f64)>) {
        let (status, body) = self.get("/api/v1/scoreboard", token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows = board_rows(&body)
            .iter()
            .map(|s| {
                (
                    s["team"]["id"].as_str().unwrap().to_owned(),
                    s["score"].as_f64().unwrap(),
                )
            })
            .collect();
        (body["frozen"].as_bool().unwrap(), rows)
    }
}

/// Logged-in people of a drill that has been loaded and started at [`T0`].
pub struct Drill {
    pub app: TestApp,
    pub organiser: String,
    pub judge: String,
    /// A second judge, and a lead judge who moderates.
    pub judge2: String,
    pub lead: String,
    /// Team id -> session token.
    pub teams: Vec<(String, String)>,
    pub creds: Vec<Credential>,
}

impl Drill {
    pub async fn started(backend: Backend) -> Drill {
        Drill::started_on(TestApp::empty(backend).await).await
    }

    /// [`Drill::started`] on an application made by the test.
    pub async fn started_on(app: TestApp) -> Drill {
        let d = Drill::loaded_on(app).await;
        d.app.set_time(T0);
        let (status, body) = d
            .app
            .post("/api/v1/exercise/start", Some(&d.organiser), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        d
    }

    pub async fn loaded(backend: Backend) -> Drill {
        Drill::loaded_on(TestApp::empty(backend).await).await
    }

    /// [`Drill::loaded`] on an application made by the test.
    pub async fn loaded_on(app: TestApp) -> Drill {
        let scenario = drillboard_scenario::load_str(SCENARIO, "test.yaml", None).unwrap();
        let creds = ops::load_scenario(&app.state, scenario, SCENARIO.to_owned(), "test")
            .await
            .unwrap();
        assert_eq!(creds.len(), 3);
        ops::create_user(
            &app.state,
            "org",
            Role::Organiser,
            Some("organiser-password".into()),
            "test",
        )
        .await
        .unwrap();
        ops::create_user(
            &app.state,
            "judy",
            Role::Judge,
            Some("judge-password-1".into()),
            "test",
        )
        .await
        .unwrap();
        ops::create_user(
            &app.state,
            "jack",
            Role::Judge,
            Some("judge-password-2".into()),
            "test",
        )
        .await
        .unwrap();
        ops::create_user(
            &app.state,
            "lead",
            Role::Judge,
            Some("judge-password-3".into()),
            "test",
        )
        .await
        .unwrap();
        ops::set_lead(&app.state, "lead", true, "test")
            .await
            .unwrap();
        let organiser = app.login("org", "organiser-password").await;
        let judge = app.login("judy", "judge-password-1").await;
        let judge2 = app.login("jack", "judge-password-2").await;
        let lead = app.login("lead", "judge-password-3").await;
        let mut teams = Vec::new();
        for c in &creds {
            teams.push((
                c.username.clone(),
                app.login(&c.username, &c.password).await,
            ));
        }
        Drill {
            app,
            organiser,
            judge,
            judge2,
            lead,
            teams,
            creds,
        }
    }

    pub fn team(&self, id: &str) -> &str {
        &self.teams.iter().find(|(t, _)| t == id).unwrap().1
    }

    pub fn token_of(&self, id: &str) -> &str {
        self.creds
            .iter()
            .find(|c| c.username == id)
            .unwrap()
            .team_token
            .as_deref()
            .unwrap()
    }

    pub async fn finish(self) {
        self.app.finish().await
    }
}

/// Send `req` to `router` (a clone, so spawned tasks can send too); returns status and the body
/// parsed as JSON (Null when empty or not JSON).
pub async fn send_to(router: Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = router.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A request with a bearer token and a JSON body, either optional.
pub fn json_request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Run a test body on both backends, as `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

/// The rows of a compact board (`columns` + `rows`) as objects: `rank`, `of`, `team` {`id`,
/// `name`, `organisation`}, `score`, `components` {…}, `solves`, `reached_at`, `movement`.
pub fn board_rows(board: &Value) -> Vec<Value> {
    let columns: Vec<&str> = board["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("a board has columns: {board}"))
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let parts = [
        "tasks",
        "reports",
        "attack",
        "defense",
        "sla",
        "adjustments",
    ];
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row.as_array().unwrap().len(), columns.len(), "{row}");
            let cell = |name: &str| row[columns.iter().position(|c| *c == name).unwrap()].clone();
            let components: serde_json::Map<String, Value> =
                parts.iter().map(|p| (p.to_string(), cell(p))).collect();
            json!({
                "rank": cell("rank"),
                "of": board["of"],
                "team": {"id": cell("team"), "name": cell("name"), "organisation": cell("organisation")},
                "score": cell("score"),
                "components": components,
                "solves": cell("solves"),
                "reached_at": cell("reached_at"),
                "movement": cell("movement"),
            })
        })
        .collect()
}
