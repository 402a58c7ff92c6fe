//! `drillboard demo`: the demo drill, ready to open in a browser with printed logins.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use drillboard_api::AppState;
use drillboard_api::auth::{Role, hash_password, new_api_token, random_bytes};
use drillboard_api::ops::{self, ClockAction, Credential, Status};
use drillboard_api::routes::play::submit_flag;
use drillboard_scenario::{Flag, Scenario, load_str};

use crate::cli::{Args, write_private};

/// The demo scenario, compiled in so the demo runs from any folder.
pub const DEMO_SCENARIO: &str = include_str!("../../../scenarios/demo/scenario.yaml");

/// The demo's attack/defend programs (Python 3, standard library only), written into the data
/// folder at start.
const NOTES_SERVICE: &str = include_str!("../../../scenarios/demo/service/notes.py");
const NOTES_CHECKER: &str = include_str!("../../../scenarios/demo/checker/notes_checker.py");
const NOTES_EXPLOIT: &str = include_str!("../../../scenarios/demo/exploit/notes_exploit.py");

/// Demo teams whose bots attack, and how they submit.
const ATTACKERS: &[(&str, &str)] = &[
    ("hanoi", "tcp"),
    ("hcm", "http"),
    ("danang", "tcp"),
    ("hue", "http"),
];

/// The demo team whose service copy is never started (so the grid shows a DOWN service).
const OFFLINE_TEAM: &str = "bacninh";

/// Load the demo (or reuse a previous demo's database), make logins, start it and serve.
pub async fn run(
    args: &Args,
    mut opts: crate::serve::Options,
    service_port: u16,
    bots: bool,
) -> anyhow::Result<()> {
    let mut scenario = load_str(DEMO_SCENARIO, "scenarios/demo/scenario.yaml", None)
        .map_err(|p| anyhow::anyhow!("the built-in demo scenario is invalid: {}", p[0]))?;
    let ad_dir = std::fs::canonicalize(&args.data_dir)
        .unwrap_or_else(|_| args.data_dir.clone())
        .join("demo-ad");
    let programs = write_programs(&ad_dir)?;
    let ports = service_ports(scenario.teams.len(), service_port)?;
    localise_services(&mut scenario, &programs.checker, &ports);
    let state = args.state().await?;
    let existing = state.live().exercise.as_ref().map(|e| e.id.clone());
    let mut creds = match existing {
        Some(id) if id != scenario.exercise.id => bail!(
            "{} already holds exercise `{id}`; run the demo with another --data-dir",
            args.data_dir.display()
        ),
        Some(_) => {
            // Reload: the service addresses and checker path may have moved since last time.
            ops::load_scenario(&state, scenario.clone(), DEMO_SCENARIO.to_owned(), "demo")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            renew_team_logins(&state, &scenario).await?
        }
        None => ops::load_scenario(&state, scenario.clone(), DEMO_SCENARIO.to_owned(), "demo")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    // One organiser; two judges for double marking and a lead judge who moderates when they
    // disagree (a moderator must be a third person).
    for (name, role) in [
        ("organiser", Role::Organiser),
        ("judge", Role::Judge),
        ("judge2", Role::Judge),
        ("lead", Role::Judge),
    ] {
        let c = if state.store().user_by_name(name).await?.is_some() {
            ops::reset_password(&state, name, "demo").await
        } else {
            ops::create_user(&state, name, role, None, "demo").await
        };
        creds.push(c.map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    ops::set_lead(&state, "lead", true, "demo")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    creds.sort_by_key(|c| match c.role {
        Role::Organiser => 0,
        Role::Judge => 1,
        Role::Team => 2,
    });
    let status = state
        .live()
        .exercise
        .as_ref()
        .map(|row| ops::status(row, state.now()));
    if status == Some(Status::NotStarted) {
        ops::clock(&state, ClockAction::Start, "demo")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let logins_path = args.data_dir.join("demo-logins.json");
    write_private(
        &logins_path,
        serde_json::to_string_pretty(&creds)?.as_bytes(),
    )?;
    // The service copies and the exploit bots live as long as the demo (killed on drop).
    let children = Arc::new(Mutex::new(start_services(
        &scenario, &programs, &ad_dir, &ports,
    )?));
    if bots {
        tokio::spawn(run_bots(state.clone(), scenario.clone()));
        // The exploits need the addresses actually bound (the port may be 0).
        let (tx, rx) = tokio::sync::oneshot::channel();
        opts.ready = Some(tx);
        let tokens: Vec<(String, String)> = creds
            .iter()
            .filter_map(|c| Some((c.username.clone(), c.team_token.clone()?)))
            .collect();
        let children = children.clone();
        let exploit = programs.exploit.clone();
        tokio::spawn(async move {
            let Ok((http, flags)) = rx.await else { return };
            let flags = flags.map(|f| f.to_string()).unwrap_or_default();
            for (team, how) in ATTACKERS {
                let Some((_, token)) = tokens.iter().find(|(t, _)| t == team) else {
                    continue;
                };
                let board = format!("http://{http}");
                match start_exploit(&exploit, &board, &flags, team, how, token) {
                    Ok(c) => children.lock().unwrap_or_else(|e| e.into_inner()).push(c),
                    Err(e) => eprintln!("warning: {e:#}"),
                }
            }
        });
    }
    opts.banner = Some(banner(&creds, &logins_path.display().to_string()));
    let served = crate::serve::serve(state, opts).await;
    children.lock().unwrap_or_else(|e| e.into_inner()).clear();
    served
}

/// One loopback port per team from `first`, or free ones when `first` is 0.
fn service_ports(teams: usize, first: u16) -> anyhow::Result<Vec<u16>> {
    if first != 0 {
        return Ok((0..teams).map(|i| first.saturating_add(i as u16)).collect());
    }
    let mut held = Vec::new();
    for _ in 0..teams {
        held.push(std::net::TcpListener::bind("127.0.0.1:0").context("no free loopback port")?);
    }
    held.iter().map(|l| Ok(l.local_addr()?.port())).collect()
}

/// Where the demo's programs were written.
struct Programs {
    service: PathBuf,
    checker: PathBuf,
    exploit: PathBuf,
}

fn write_programs(dir: &Path) -> anyhow::Result<Programs> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, text: &str| -> anyhow::Result<PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    };
    Ok(Programs {
        service: write("notes.py", NOTES_SERVICE)?,
        checker: write("notes_checker.py", NOTES_CHECKER)?,
        exploit: write("notes_exploit.py", NOTES_EXPLOIT)?,
    })
}

/// Point every demo service at a loopback port per team and at the checker just written.
fn localise_services(scenario: &mut Scenario, checker: &Path, ports: &[u16]) {
    let teams: Vec<String> = scenario.teams.iter().map(|t| t.id.clone()).collect();
    for svc in &mut scenario.services {
        svc.checker = vec!["python3".into(), checker.display().to_string()];
        svc.hosts = teams
            .iter()
            .enumerate()
            .zip(ports)
            .map(|((_, t), p)| (t.clone(), format!("127.0.0.1:{p}")))
            .collect();
    }
}

/// One copy of the service per team (except [`OFFLINE_TEAM`]), each with its own data folder.
fn start_services(
    scenario: &Scenario,
    programs: &Programs,
    dir: &Path,
    ports: &[u16],
) -> anyhow::Result<Vec<tokio::process::Child>> {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "warning: python3 is not installed: the attack/defend services and checkers of the demo cannot run"
        );
        return Ok(Vec::new());
    }
    let mut children = Vec::new();
    for (team, port) in scenario.teams.iter().zip(ports) {
        if team.id == OFFLINE_TEAM {
            continue;
        }
        let port = port.to_string();
        let child = tokio::process::Command::new("python3")
            .arg(&programs.service)
            .args(["--host", "127.0.0.1", "--port", &port, "--data"])
            .arg(dir.join("data").join(&team.id))
            // Stop with the demo even when it is killed outright (no Drop runs then).
            .args(["--parent", &std::process::id().to_string()])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start the demo service for {}", team.id))?;
        children.push(child);
    }
    Ok(children)
}

fn start_exploit(
    exploit: &Path,
    board: &str,
    flags: &str,
    team: &str,
    how: &str,
    token: &str,
) -> anyhow::Result<tokio::process::Child> {
    tokio::process::Command::new("python3")
        .arg(exploit)
        .args(["--board", board, "--team", team, "--submit", how])
        .args(["--tcp", flags, "--interval", "10", "--token", token])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start the exploit bot of {team}"))
}

/// On a second run the old passwords are unknown (only hashes are kept): give every demo team
/// login a new password and a new API token.
async fn renew_team_logins(
    state: &AppState,
    scenario: &Scenario,
) -> anyhow::Result<Vec<Credential>> {
    let mut creds = Vec::new();
    for t in &scenario.teams {
        let team = state
            .store()
            .team_by_slug(&t.id)
            .await?
            .with_context(|| format!("demo team `{}` is missing", t.id))?;
        let user = state
            .store()
            .user_by_name(&t.id)
            .await?
            .with_context(|| format!("demo login `{}` is missing", t.id))?;
        let password = drillboard_api::auth::new_password();
        state
            .store()
            .set_password(
                user.id,
                &hash_password(password.clone())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            )
            .await?;
        let (token, hash, prefix) = new_api_token();
        state
            .store()
            .create_token(team.id, &hash, &prefix, "demo", state.now())
            .await?;
        creds.push(Credential {
            role: Role::Team,
            username: t.id.clone(),
            password,
            team: Some(team.name),
            team_token: Some(token),
        });
    }
    Ok(creds)
}

fn banner(creds: &[Credential], file: &str) -> String {
    let mut out = String::from(
        "\n  Diễn tập demo đang chạy / The demo drill is running\n\n    Bảng xếp hạng / Leaderboard:  http://{addr}/\n    Trang đội / Team page:        http://{addr}/team\n    API docs:                     http://{addr}/api/docs\n    Attack data (A/D):            http://{addr}/api/v1/attack-data\n    Nộp cờ / Flags:               PUT http://{addr}/flags, or TCP {flags}\n\n  Tài khoản demo / Demo logins:\n",
    );
    for c in creds.iter().take(6) {
        out.push_str(&format!(
            "    {:<10} {:<14} {}\n",
            c.role.as_str(),
            c.username,
            c.password
        ));
    }
    if creds.len() > 6 {
        out.push_str(&format!(
            "    ... and {} more team logins\n",
            creds.len() - 6
        ));
    }
    out.push_str(&format!(
        "\n  All logins and team API tokens: {file}\n  Stop with Ctrl-C.\n"
    ));
    out
}

/// Bots: a first burst of solves so the board has a shape, then one attempt every few seconds,
/// stronger teams (earlier in the list) more often, with the odd wrong flag.
async fn run_bots(state: AppState, scenario: Scenario) {
    let teams: Vec<String> = scenario.teams.iter().map(|t| t.id.clone()).collect();
    if teams.is_empty() {
        return;
    }
    let mut rounds = 0u32;
    loop {
        let burst = if rounds == 0 { 12 } else { 1 };
        for _ in 0..burst {
            bot_attempt(&state, &scenario, &teams).await;
        }
        if rounds.is_multiple_of(2) {
            bot_report(&state, &scenario, &teams).await;
        }
        rounds += 1;
        if state
            .live()
            .exercise
            .as_ref()
            .is_some_and(|row| ops::status(row, state.now()) == Status::Ended)
        {
            return;
        }
        tokio::time::sleep(Duration::from_secs(8)).await;
    }
}

/// A bot team that has not yet reported on a released inject writes a short report.
async fn bot_report(state: &AppState, scenario: &Scenario, teams: &[String]) {
    let [a, b] = random_bytes::<2>();
    let team = &teams[a as usize % teams.len()];
    let with_report: Vec<_> = scenario
        .injects
        .iter()
        .filter(|i| i.report.is_some())
        .collect();
    if with_report.is_empty() {
        return;
    }
    let inject = with_report[b as usize % with_report.len()];
    if state
        .store()
        .find_report(team, &inject.id)
        .await
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let body = format!(
        "## Tóm tắt / Summary\n\nĐội đã tiếp nhận tình huống \"{}\" và xác minh các dấu hiệu ban đầu.\n\
         The team received \"{}\" and verified the first indicators.\n\n\
         ## Dòng thời gian / Timeline\n\n- T+5: phát hiện / detection\n- T+15: cô lập máy chủ / host isolated\n- T+30: báo cáo / reported\n\n\
         ## Biện pháp / Actions\n\n1. Thu thập nhật ký / collect logs\n2. Chặn IP nguồn / block the source IP\n3. Khôi phục từ bản sao lưu / restore from backup\n",
        inject.title.vi, inject.title.en
    );
    let report = drillboard_api::routes::reports::ReportBody {
        body,
        attachments: Vec::new(),
    };
    // Not released yet, not in the audience, closed: a bot just moves on.
    let _ =
        drillboard_api::routes::reports::submit_report(state, team, "demo-bot", &inject.id, report)
            .await;
}

async fn bot_attempt(state: &AppState, scenario: &Scenario, teams: &[String]) {
    let [a, b, c] = random_bytes::<3>();
    // Team i is picked with weight (n - i): a skewed but moving ranking.
    let n = teams.len();
    let total = n * (n + 1) / 2;
    let mut pick = (u16::from_le_bytes([a, b]) as usize) % total;
    let mut team = &teams[0];
    for (i, t) in teams.iter().enumerate() {
        let w = n - i;
        if pick < w {
            team = t;
            break;
        }
        pick -= w;
    }
    let challenge = &scenario.challenges[c as usize % scenario.challenges.len()];
    let Some(flag) = challenge.flags.iter().find_map(|f| match f {
        Flag::Static { content, .. } => Some(content.clone()),
        Flag::Regex { .. } => None,
    }) else {
        return;
    };
    let guess = if c % 7 == 0 {
        format!("{flag}-wrong")
    } else {
        flag
    };
    // Closed challenges, rate limits and repeats are expected: a bot just moves on.
    let _ = submit_flag(state, team, &challenge.id, &guess, "demo-bot").await;
}
