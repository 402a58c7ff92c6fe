//! Black-box tests of the `drillboard` binary: the demo over real HTTP, `scenario validate`,
//! and the organiser's command line on SQLite and PostgreSQL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

mod support;

use support::{drillboard, http, http_json, start_demo};

#[test]
fn the_demo_serves_a_live_drill_with_working_logins() {
    let dir = tempfile::tempdir().unwrap();
    let (server, banner) = start_demo(dir.path());
    let addr = server.addr.clone();
    let banner = banner.join("\n");
    assert!(
        banner.contains("organiser") && banner.contains("judge"),
        "{banner}"
    );
    assert!(banner.contains(&format!("http://{addr}/")), "{banner}");

    let (status, body) = http(&addr, "GET", "/healthz", &[], None);
    assert_eq!(status, 200, "{body}");
    let logins: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("demo-logins.json")).unwrap(),
    )
    .unwrap();
    let role = |r: &str| logins.iter().filter(|l| l["role"] == r).count();
    assert_eq!(
        (role("organiser"), role("judge")),
        (1, 3),
        "two markers and a lead judge"
    );
    assert!(role("team") >= 8, "{logins:?}");
    for l in &logins {
        assert!(l["username"].is_string() && l["password"].as_str().unwrap().len() >= 10);
        if l["role"] == "team" {
            assert!(l["team"].is_string() && l["team_token"].as_str().unwrap().starts_with("dbt_"));
        }
    }

    let (_, ex) = http_json(&addr, "GET", "/api/v1/exercise", &[], None);
    assert_eq!(
        ex["status"], "running",
        "the demo starts the exercise: {ex}"
    );
    let (_, board) = http_json(&addr, "GET", "/api/v1/scoreboard", &[], None);
    assert_eq!(board["of"].as_u64().unwrap() as usize, role("team"));

    let team = logins.iter().find(|l| l["role"] == "team").unwrap();
    let bearer = support::bearer(&addr, team);
    let (status, challenges) = http_json(
        &addr,
        "GET",
        "/api/v1/challenges",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(status, 200);
    assert!(challenges.as_array().unwrap().len() >= 6, "{challenges}");

    // Solve one challenge with its flag from the demo scenario, through the team's API token.
    let scenario = drillboard_scenario::load_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml"),
    )
    .unwrap();
    let open: Vec<&str> = challenges
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let (id, flag) = scenario
        .challenges
        .iter()
        .filter(|c| open.contains(&c.id.as_str()))
        .find_map(|c| match &c.flags[0] {
            drillboard_scenario::Flag::Static { content, .. } => {
                Some((c.id.clone(), content.clone()))
            }
            _ => None,
        })
        .unwrap();
    let token = team["team_token"].as_str().unwrap();
    let path = format!("/api/v1/challenges/{id}/submit");
    let (status, wrong) = http_json(
        &addr,
        "POST",
        &path,
        &[("X-Team-Token", token)],
        Some(json!({"flag": "nope"})),
    );
    assert_eq!((status, wrong["status"].as_str()), (200, Some("incorrect")));
    let (status, right) = http_json(
        &addr,
        "POST",
        &path,
        &[("X-Team-Token", token)],
        Some(json!({"flag": flag})),
    );
    assert_eq!(
        (status, right["status"].as_str()),
        (200, Some("accepted")),
        "{right}"
    );
    let (_, board) = http_json(&addr, "GET", "/api/v1/scoreboard", &[], None);
    let rows = support::board_rows(&board);
    let row = rows
        .iter()
        .find(|s| s["team"]["id"] == team["username"])
        .unwrap();
    assert!(row["score"].as_f64().unwrap() > 0.0, "{row}");
    assert_eq!(row["rank"], 1, "the only team with points leads: {row}");

    // The team reports on an inject released at the start; a judge finds it in the blind queue.
    let (_, injects) = http_json(
        &addr,
        "GET",
        "/api/v1/injects",
        &[("Authorization", &bearer)],
        None,
    );
    let inject = injects
        .as_array()
        .unwrap()
        .iter()
        .find(|i| !i["report"].is_null())
        .expect("an inject asking for a report is open at the start");
    let path = format!("/api/v1/injects/{}/report", inject["id"].as_str().unwrap());
    let (status, sent) = http_json(
        &addr,
        "PUT",
        &path,
        &[("Authorization", &bearer)],
        Some(json!({"body": "## Summary\n\nWe found and removed the webshell."})),
    );
    assert_eq!(status, 200, "{sent}");
    let judge = logins.iter().find(|l| l["role"] == "judge").unwrap();
    let judge_bearer = support::bearer(&addr, judge);
    let (status, queue) = http_json(
        &addr,
        "GET",
        "/api/v1/marking",
        &[("Authorization", &judge_bearer)],
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert!(
        !queue
            .to_string()
            .contains(team["username"].as_str().unwrap()),
        "the queue is blind"
    );

    // Every page and asset is served by this server alone (air-gapped drill networks).
    let (status, index) = http(&addr, "GET", "/", &[], None);
    assert_eq!(status, 200);
    let mut assets: Vec<String> = vec![
        "/".into(),
        "/team".into(),
        "/judge".into(),
        "/organiser".into(),
        "/api/docs".into(),
    ];
    for cap in index.split("/static/").skip(1) {
        assets.push(format!(
            "/static/{}",
            cap.split(['"', '\'']).next().unwrap()
        ));
    }
    for a in [
        "app.css",
        "api.js",
        "i18n.js",
        "board.js",
        "team.js",
        "team-extra.js",
        "judge.js",
        "judge-extra.js",
        "judge-extra.css",
        "organiser.js",
        "organiser-texts.js",
        "organiser.css",
        "live.js",
        "projector.js",
        "signin.js",
        "breakdown.js",
        "api-docs.js",
    ] {
        assets.push(format!("/static/{a}"));
    }
    for a in &assets {
        let (status, text) = http(&addr, "GET", a, &[], None);
        assert_eq!(status, 200, "{a}");
        for external in ["http://", "https://", "//cdn", "@import"] {
            assert!(
                !text.contains(external),
                "{a} refers to something outside the server: {external}"
            );
        }
    }
    let (status, spec) = http_json(&addr, "GET", "/api/openapi.json", &[], None);
    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    drop(server);

    // A second run on the same folder keeps the drill and hands out fresh logins that work.
    let (server, _) = start_demo(dir.path());
    let logins2: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("demo-logins.json")).unwrap(),
    )
    .unwrap();
    let again = logins2
        .iter()
        .find(|l| l["username"] == team["username"])
        .unwrap();
    assert_ne!(again["password"], team["password"]);
    let (status, _) = http_json(
        &server.addr,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some(json!({"username": again["username"], "password": again["password"]})),
    );
    assert_eq!(status, 200);
    let (_, board) = http_json(&server.addr, "GET", "/api/v1/scoreboard", &[], None);
    assert_eq!(
        support::board_rows(&board)[0]["team"]["id"],
        team["username"],
        "scores survive a restart"
    );
}

fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap();
    if !out.status.success() {
        eprintln!(
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

#[test]
fn scenario_validate_lists_every_problem_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "version: 1\nexercise:\n  id: Bad Id\n  title: X\n  timezone: Asia/Ho_Chi_Minh\n  start: tomorrow\n  duration: 1h\nchallenges:\n  - id: a\n    title: A\n    value: 10\n    flags: [x]\n    requires: [zzz]\n    colour: red\n",
    )
    .unwrap();
    let out = run(drillboard(dir.path())
        .arg("scenario")
        .arg("validate")
        .arg(&bad));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let name = bad.display().to_string();
    for expected in [
        format!("{name}:3:7:"),
        format!("{name}:6:10:"),
        format!("{name}:14:5: unknown field `colour`"),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("hint:"), "{err}");
    assert!(err.contains("3 problem(s) found"), "{err}");

    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml");
    let out = run(drillboard(dir.path())
        .arg("scenario")
        .arg("validate")
        .arg(&demo));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
}

fn postgres_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => u,
        _ => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
    }
}

fn cli_round_trip(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let cmd = || {
        let mut c = drillboard(dir.path());
        if let Some(u) = &database_url {
            c.arg("--database-url").arg(u);
        }
        c
    };
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/scenario.yaml");
    let creds = dir.path().join("creds.csv");
    let out = run(cmd()
        .arg("scenario")
        .arg("load")
        .arg(&demo)
        .arg("--credentials")
        .arg(&creds));
    assert!(out.status.success());
    let text = std::fs::read_to_string(&creds).unwrap();
    assert!(text.starts_with("role,username,password,team,team_token\n"));
    assert!(text.lines().count() > 8);

    let out = run(cmd().args(["user", "add", "--role", "judge", "--username", "judge2"]));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("password: "));
    let out = run(cmd().args(["user", "add", "--role", "judge", "--username", "judge2"]));
    assert!(
        !out.status.success(),
        "a second login with the same name is refused"
    );
    let out = run(cmd().args(["user", "add", "--role", "emperor", "--username", "x"]));
    assert!(!out.status.success());
    // Disabling and enabling a login from the shell (a compromised organiser account).
    let out = run(cmd().args(["user", "disable", "judge2"]));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("disabled"));
    let out = run(cmd().args(["user", "enable", "judge2"]));
    assert!(out.status.success());
    let out = run(cmd().args(["user", "disable", "nobody"]));
    assert!(!out.status.success(), "an unknown login is an error");

    let roster = dir.path().join("teams.csv");
    std::fs::write(
        &roster,
        "name,organisation,members\nĐội Lào Cai,Sở TTTT Lào Cai,An;Bình\n",
    )
    .unwrap();
    let team_creds = dir.path().join("team-creds.csv");
    let out = run(cmd()
        .arg("team")
        .arg("import")
        .arg(&roster)
        .arg("--out")
        .arg(&team_creds));
    assert!(out.status.success());
    let text = std::fs::read_to_string(&team_creds).unwrap();
    assert!(text.contains("doi-lao-cai"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&team_creds).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "credential files are private");
    }

    let export = dir.path().join("export.json");
    let out = run(cmd().arg("export").arg("--out").arg(&export));
    assert!(out.status.success());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert_eq!(doc["format"], "drillboard-export/1");
    assert!(
        doc["teams"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "doi-lao-cai")
    );
    assert!(
        doc["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "judge2")
    );
    assert!(!doc.to_string().contains("$argon2"));

    let ctf = dir.path().join("ctf/warmup");
    std::fs::create_dir_all(&ctf).unwrap();
    std::fs::write(
        ctf.join("challenge.yml"),
        "name: Warm up\ncategory: misc\nvalue: 50\ntype: standard\nflags: [\"flag{w}\"]\n",
    )
    .unwrap();
    let out = run(cmd()
        .arg("scenario")
        .arg("import-ctfcli")
        .arg(dir.path().join("ctf")));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("id: \"warm-up\""));
}

#[test]
fn organiser_command_line_on_sqlite() {
    cli_round_trip(None);
}

#[test]
fn organiser_command_line_on_postgres() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let admin_url = postgres_url();
    let name = format!("drillboard_e2e_{}", std::process::id());
    let url = rt.block_on(async {
        let admin = drillboard_store::Store::connect(&admin_url)
            .await
            .expect("PostgreSQL must be reachable (see README)");
        admin
            .execute_admin(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        admin
            .execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        format!("{base}/{name}")
    });
    cli_round_trip(Some(url));
    rt.block_on(async {
        let admin = drillboard_store::Store::connect(&admin_url).await.unwrap();
        admin
            .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    });
}

/// `--log-format json` writes one JSON object per log line, and `/metrics` answers a scraper
/// over HTTP with an organiser's token (and nobody else).
#[test]
fn the_server_logs_json_and_serves_metrics_to_an_organiser() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(support::drillboard(dir.path())
        .args(["user", "add", "--role", "organiser", "--username", "org"])
        .args(["--password", "organiser-password"]));
    assert!(out.status.success());
    let mut child = support::drillboard(dir.path())
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .args(["--flags-listen", "off"])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = stdout.next().expect("the server exited").unwrap();
        if let Some(rest) = line.strip_prefix("drillboard is listening on http://") {
            break rest.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in stdout {});
    let stderr = child.stderr.take().unwrap();
    let server = support::Server { child, addr };
    let (status, _) = support::http(&server.addr, "GET", "/metrics", &[], None);
    assert_eq!(status, 401);
    let token = support::bearer(
        &server.addr,
        &json!({"username": "org", "password": "organiser-password"}),
    );
    let (status, text) = support::http(
        &server.addr,
        "GET",
        "/metrics",
        &[("Authorization", &token)],
        None,
    );
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(
            "drillboard_http_requests_total{route=\"/api/v1/auth/login\",method=\"POST\",status=\"200\"} 1"
        ),
        "{text}"
    );
    drop(server);
    let lines: Vec<String> = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert!(
        lines.iter().any(|l| l.contains("exercise state loaded")),
        "{lines:?}"
    );
}
