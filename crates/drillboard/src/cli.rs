//! The command line: settings (flags < environment < defaults) and the subcommands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use drillboard_api::auth::Role;
use drillboard_api::limits::TrustedProxies;
use drillboard_api::ops::{self, Credential};
use drillboard_api::{AppState, Settings, system_clock};
use drillboard_scenario::{Network, Problem, ctfcli, load_file, parse_teams_csv};
use drillboard_store::Store;

/// The log's format (`--log-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object per line.
    Json,
}

/// Run and score live cyber-drill exercises.
#[derive(Debug, Parser)]
#[command(name = "drillboard", version, about)]
pub struct Args {
    /// Folder for the SQLite database, the session key and demo files.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_DATA_DIR",
        default_value = "./drillboard-data"
    )]
    pub data_dir: PathBuf,
    /// Database URL (`sqlite://FILE?mode=rwc` or `postgres://...`); default: SQLite in the data folder.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Session signing secrets, comma-separated, current first (older ones still verify).
    /// Default: a random key kept in `<data-dir>/session.key`.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// How long a sign-in lasts, in hours.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_SESSION_HOURS",
        default_value_t = 12
    )]
    pub session_hours: u64,
    /// How the log on standard error is written: `text` for people, `json` (one object per
    /// line) for a log collector.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// Secret that signs attack/defend flags; every replica needs the same one.
    /// Default: a random key kept in `<data-dir>/flag.key`.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_FLAG_SECRET",
        hide_env_values = true
    )]
    pub flag_secret: Option<String>,
    /// Checker runs at once during an attack/defend round.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_CHECKER_CONCURRENCY",
        default_value_t = 16
    )]
    pub checker_concurrency: usize,
    /// Reverse proxies (addresses or CIDR networks, comma-separated) whose `X-Forwarded-For`
    /// names the client; their own connections are not capped per address.
    #[arg(
        long = "trusted-proxy",
        global = true,
        env = "DRILLBOARD_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Folder that holds the checker programs of scenarios loaded through the web API (their
    /// `checker:` commands must resolve inside it). Default: the `checkers` folder in the data
    /// folder. Scenarios loaded with `drillboard scenario load` may run any command.
    #[arg(long, global = true, env = "DRILLBOARD_CHECKERS_DIR")]
    pub checkers_dir: Option<PathBuf>,
    /// Open HTTP connections allowed from one client address (trusted proxies excepted).
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub max_connections_per_address: usize,
    /// Open TCP flag-submission connections allowed from one client address.
    #[arg(
        long,
        global = true,
        env = "DRILLBOARD_MAX_FLAG_CONNECTIONS_PER_ADDRESS",
        default_value_t = 64
    )]
    pub max_flag_connections_per_address: usize,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and web pages.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "DRILLBOARD_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Address of the TCP flag submission server (attack/defend); `off` for none.
        #[arg(
            long,
            env = "DRILLBOARD_FLAGS_LISTEN",
            default_value = "127.0.0.1:31337"
        )]
        flags_listen: String,
        /// Do not run the round ticker here (another replica runs it).
        #[arg(long, env = "DRILLBOARD_NO_TICKER")]
        no_ticker: bool,
    },
    /// Run attack/defend checker jobs for the servers (any number of workers, on any machine that
    /// reaches the database and the teams' network). Needs the servers' database.
    Worker {
        /// Jobs run at once at most (default: the number of cores).
        #[arg(long, env = "DRILLBOARD_WORKER_CAPACITY")]
        capacity: Option<usize>,
        /// The name this worker is shown under (default: host name and process id).
        #[arg(long, env = "DRILLBOARD_WORKER_NAME")]
        name: Option<String>,
    },
    /// Create or update the database schema.
    Migrate,
    /// Scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Organiser and judge logins.
    #[command(subcommand)]
    User(UserCommand),
    /// Teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Write the whole exercise as JSON.
    Export {
        /// File to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the demo drill: load it, create demo logins, start it and serve.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Address of the TCP flag submission server.
        #[arg(long, default_value = "127.0.0.1:31337")]
        flags_listen: String,
        /// First loopback port of the demo teams' service instances (one per team);
        /// 0 picks free ports.
        #[arg(long, default_value_t = 24101)]
        service_port: u16,
        /// Do not run the demo bots that submit flags.
        #[arg(long)]
        no_bots: bool,
    },
}

/// `scenario ...`
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Check a scenario file and list every problem (exit 1 if there is any).
    Validate {
        /// The YAML file.
        path: PathBuf,
    },
    /// Validate and load a scenario into the database; prints new team logins.
    Load {
        /// The YAML file.
        path: PathBuf,
        /// Write the new team credentials to this CSV file.
        #[arg(long)]
        credentials: Option<PathBuf>,
    },
    /// Turn a folder of ctfcli `challenge.yml` files into a scenario `challenges:` section.
    ImportCtfcli {
        /// Folder holding one sub-folder per challenge.
        dir: PathBuf,
        /// File to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Import the good files and list the bad ones, instead of refusing them all.
        #[arg(long)]
        skip_invalid: bool,
    },
}

/// `user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an organiser or judge login; prints the password.
    Add {
        /// organiser or judge.
        #[arg(long)]
        role: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Password (generated when absent).
        #[arg(long, env = "DRILLBOARD_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Make the judge a lead judge (moderates when two markers disagree).
        #[arg(long)]
        lead: bool,
    },
    /// Give a login a new random password (its sessions end); prints it.
    ResetPassword {
        /// Login name.
        username: String,
    },
    /// Stop a login signing in and end its sessions at once.
    Disable {
        /// Login name.
        username: String,
    },
    /// Let a disabled login sign in again.
    Enable {
        /// Login name.
        username: String,
    },
}

/// `team ...`
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create teams from a CSV file (`name,organisation,members[,id]`), each with a login and an
    /// API token, and write the credentials to hand out.
    Import {
        /// The CSV file.
        csv: PathBuf,
        /// Where to write the credentials (CSV).
        #[arg(long, default_value = "team-credentials.csv")]
        out: PathBuf,
    },
}

impl Args {
    /// The database URL in force.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            // A SQLite file named here is made private too (`sqlite://PATH?…`, not in memory).
            if let Some(rest) = url.strip_prefix("sqlite://") {
                let path = rest.split('?').next().unwrap_or("");
                if !path.is_empty() && !path.starts_with(':') && url.contains("mode=rwc") {
                    private_database(Path::new(path))?;
                }
            }
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!("cannot create the data folder {}", self.data_dir.display())
        })?;
        let db = self.data_dir.join("drillboard.db");
        private_database(&db)?;
        Ok(format!("sqlite://{}?mode=rwc", db.display()))
    }

    /// API settings, with the session secret from the flag, the environment or the key file.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let secrets = match &self.jwt_secret {
            Some(s) => s
                .split(',')
                .map(|p| p.trim().as_bytes().to_vec())
                .filter(|p| !p.is_empty())
                .collect(),
            None => vec![secret_file(&self.data_dir, "session.key")?],
        };
        Ok(Settings {
            jwt_secrets: secrets,
            session_seconds: self.session_hours.clamp(1, 24 * 14) * 3600,
            login_failures_per_minute: 10,
            flag_secret: match &self.flag_secret {
                Some(s) => s.trim().as_bytes().to_vec(),
                None => secret_file(&self.data_dir, "flag.key")?,
            },
            checker_concurrency: self.checker_concurrency.clamp(1, 1024),
            trusted_proxies: TrustedProxies(
                self.trusted_proxies
                    .iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| {
                        p.parse::<Network>()
                            .map_err(|e| anyhow::anyhow!("--trusted-proxy {p}: {e}"))
                    })
                    .collect::<anyhow::Result<_>>()?,
            ),
            checkers_dir: Some(
                self.checkers_dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("checkers")),
            ),
        })
    }

    /// Connect, migrate and load the state.
    pub async fn state(&self) -> anyhow::Result<AppState> {
        let url = self.database_url()?;
        let store = Store::connect(&url)
            .await
            .with_context(|| format!("cannot open the database {}", redact(&url)))?;
        store
            .migrate()
            .await
            .context("cannot bring the database schema up to date")?;
        AppState::new(store, self.settings()?, system_clock())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Hide a password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// A secret key kept in the data folder (`session.key`, `flag.key`), created on first use.
fn secret_file(dir: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(name);
    if let Ok(s) = std::fs::read_to_string(&path) {
        let key = s.trim().as_bytes().to_vec();
        if key.len() >= 32 {
            return Ok(key);
        }
        bail!(
            "{} holds a key shorter than 32 bytes; delete it to make a new one",
            path.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let key: String = drillboard_api::auth::random_bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    write_private(&path, key.as_bytes())?;
    Ok(key.into_bytes())
}

/// The SQLite database holds flags and password hashes: create it readable by its owner only
/// (SQLite gives its `-wal` and `-shm` files the database's permissions), and tighten the
/// files of an older data folder.
pub fn private_database(db: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(false);
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(db)
            .with_context(|| format!("cannot create the database {}", db.display()))?;
        for suffix in ["", "-wal", "-shm"] {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("cannot make {} private", path.display()))?;
            }
        }
    }
    Ok(())
}

/// Write a file only the owner can read (secrets, credentials).
pub fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(data)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
    eprintln!("{} problem(s) found", problems.len());
}

/// Credentials as CSV: role,username,password,team,team_token.
pub fn credentials_csv(creds: &[Credential]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["role", "username", "password", "team", "team_token"])?;
    for c in creds {
        w.write_record([
            c.role.as_str(),
            &c.username,
            &c.password,
            c.team.as_deref().unwrap_or(""),
            c.team_token.as_deref().unwrap_or(""),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Run a command.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Command::Serve {
            listen,
            flags_listen,
            no_ticker,
        } => {
            let state = args.state().await?;
            let opts = crate::serve::Options {
                listen: listen.clone(),
                flags_listen: (flags_listen != "off").then(|| flags_listen.clone()),
                ticker: !no_ticker,
                banner: None,
                ready: None,
                http_per_address: args.max_connections_per_address,
                flags_per_address: args.max_flag_connections_per_address,
            };
            crate::serve::serve(state, opts).await?;
        }
        Command::Worker { capacity, name } => {
            let url = args.database_url()?;
            let store = Store::connect(&url)
                .await
                .with_context(|| format!("cannot open the database {}", redact(&url)))?;
            let capacity = capacity
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
                .max(1);
            let name = name.clone().unwrap_or_else(|| {
                let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
                format!("{}-{}", host.trim(), std::process::id())
            });
            println!(
                "drillboard worker {name}: running up to {capacity} checker jobs at once for {}",
                redact(&url)
            );
            drillboard_api::game::workers::work(store, name, capacity, crate::serve::shutdown())
                .await;
            println!("drillboard worker stopped; its running jobs go to other workers");
        }
        Command::Migrate => {
            let url = args.database_url()?;
            Store::connect(&url).await?.migrate().await?;
            println!("database schema is up to date ({})", redact(&url));
        }
        Command::Scenario(ScenarioCommand::Validate { path }) => match load_file(path) {
            Ok(s) => println!(
                "{}: valid — exercise `{}`, {} team(s), {} challenge(s)",
                path.display(),
                s.exercise.id,
                s.teams.len(),
                s.challenges.len()
            ),
            Err(problems) => {
                print_problems(&problems);
                return Ok(ExitCode::FAILURE);
            }
        },
        Command::Scenario(ScenarioCommand::Load { path, credentials }) => {
            let mut scenario = match load_file(path) {
                Ok(s) => s,
                Err(problems) => {
                    print_problems(&problems);
                    return Ok(ExitCode::FAILURE);
                }
            };
            // Checker paths are relative to the scenario file, not to where the server runs.
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            drillboard_api::checkers::anchor(&mut scenario, folder.unwrap_or(Path::new(".")));
            let yaml = std::fs::read_to_string(path)?;
            let state = args.state().await?;
            let id = scenario.exercise.id.clone();
            let creds = ops::load_scenario(&state, scenario, yaml, "cli")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("loaded exercise `{id}`; {} new team login(s)", creds.len());
            if !creds.is_empty() {
                let out = credentials
                    .clone()
                    .unwrap_or_else(|| args.data_dir.join("team-credentials.csv"));
                write_private(&out, &credentials_csv(&creds)?)?;
                println!(
                    "team credentials written to {} (hand them out, then delete the file)",
                    out.display()
                );
            }
        }
        Command::Scenario(ScenarioCommand::ImportCtfcli {
            dir,
            out,
            skip_invalid,
        }) => match ctfcli::import_dir(dir, *skip_invalid) {
            Ok(import) => {
                for w in &import.warnings {
                    eprintln!("warning: {w}");
                }
                if !import.skipped.is_empty() {
                    let files: std::collections::BTreeSet<&str> =
                        import.skipped.iter().map(|p| p.file.as_str()).collect();
                    eprintln!("left out {} file(s) with problems:", files.len());
                    print_problems(&import.skipped);
                }
                let challenges = import.challenges;
                let yaml = ctfcli::challenges_to_yaml(&challenges);
                match out {
                    Some(p) => {
                        std::fs::write(p, yaml)
                            .with_context(|| format!("cannot write {}", p.display()))?;
                        eprintln!(
                            "{} challenge(s) written to {}",
                            challenges.len(),
                            p.display()
                        );
                    }
                    None => print!("{yaml}"),
                }
            }
            Err(problems) => {
                print_problems(&problems);
                return Ok(ExitCode::FAILURE);
            }
        },
        Command::User(UserCommand::Add {
            role,
            username,
            password,
            lead,
        }) => {
            let role = Role::parse(role).filter(|r| *r != Role::Team).ok_or_else(|| {
                anyhow::anyhow!("--role must be `organiser` or `judge` (team logins come with `team import`)")
            })?;
            if *lead && role != Role::Judge {
                anyhow::bail!("--lead is for judges only");
            }
            let state = args.state().await?;
            let c = ops::create_user(&state, username, role, password.clone(), "cli")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if *lead {
                ops::set_lead(&state, username, true, "cli")
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            println!(
                "created {} login `{}` with password: {}",
                c.role.as_str(),
                c.username,
                c.password
            );
        }
        Command::User(UserCommand::ResetPassword { username }) => {
            let state = args.state().await?;
            let c = ops::reset_password(&state, username, "cli")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("new password for `{}`: {}", c.username, c.password);
        }
        Command::User(UserCommand::Disable { username } | UserCommand::Enable { username }) => {
            let disable = matches!(&args.command, Command::User(UserCommand::Disable { .. }));
            let state = args.state().await?;
            ops::set_disabled(&state, username, disable, "cli")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let what = if disable {
                "disabled; its sessions have ended"
            } else {
                "enabled"
            };
            println!("login `{username}` {what}");
        }
        Command::Team(TeamCommand::Import { csv, out }) => {
            let text = std::fs::read_to_string(csv)
                .with_context(|| format!("cannot read {}", csv.display()))?;
            let teams = match parse_teams_csv(&text, &csv.display().to_string()) {
                Ok(t) => t,
                Err(problems) => {
                    print_problems(&problems);
                    return Ok(ExitCode::FAILURE);
                }
            };
            let state = args.state().await?;
            let creds = ops::create_teams(&state, &teams, "cli")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            write_private(out, &credentials_csv(&creds)?)?;
            println!(
                "{} team(s) in the file, {} new login(s); credentials written to {}",
                teams.len(),
                creds.len(),
                out.display()
            );
        }
        Command::Export { out } => {
            let state = args.state().await?;
            let doc = drillboard_api::export::export(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = serde_json::to_string_pretty(&doc)?;
            match out {
                Some(p) => std::fs::write(p, text)
                    .with_context(|| format!("cannot write {}", p.display()))?,
                None => println!("{text}"),
            }
        }
        Command::Demo {
            listen,
            flags_listen,
            service_port,
            no_bots,
        } => {
            let opts = crate::serve::Options {
                listen: listen.clone(),
                flags_listen: Some(flags_listen.clone()),
                ticker: true,
                banner: None,
                ready: None,
                http_per_address: args.max_connections_per_address,
                flags_per_address: args.max_flag_connections_per_address,
            };
            crate::demo::run(&args, opts, *service_port, !no_bots).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}
