//! Running checkers the Hackerdom/ForcAD way: `CHECKER check HOST`,
//! `CHECKER put HOST FLAG_ID FLAG VULN`, `CHECKER get HOST FLAG_ID FLAG VULN`; the exit code is the
//! verdict (101 OK, 102 CORRUPT, 103 MUMBLE, 104 DOWN, 110 CHECKER_ERROR; any other exit, a
//! signal or a checker that cannot start is a *failure*, reported as such so that the service's
//! policy decides it),
//! a timeout is DOWN, the first line of stdout is the public message (at most
//! [`PUBLIC_CHARS`] characters; a put's first line may replace the flag id), the rest of stdout
//! and stderr are private. Output is read only up to a limit, so a checker printing megabytes costs
//! nothing; a checker that hangs is killed.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use drillboard_scenario::{Msg, msg};

/// A checker's verdict on a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 101: the service works.
    Ok,
    /// 102: the service answers, but a flag is missing or wrong.
    Corrupt,
    /// 103: the service answers wrongly.
    Mumble,
    /// 104, or the checker timed out: the service is unreachable.
    Down,
    /// 110 or anything unexpected: the checker itself failed; it never costs the team SLA.
    CheckerError,
}

impl Verdict {
    /// The verdict for a process exit code (`None`: killed by a signal).
    pub fn from_exit(code: Option<i32>) -> Self {
        match code {
            Some(101) => Verdict::Ok,
            Some(102) => Verdict::Corrupt,
            Some(103) => Verdict::Mumble,
            Some(104) => Verdict::Down,
            _ => Verdict::CheckerError,
        }
    }

    /// The usual name (OK, CORRUPT, MUMBLE, DOWN, CHECKER_ERROR).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::Corrupt => "CORRUPT",
            Verdict::Mumble => "MUMBLE",
            Verdict::Down => "DOWN",
            Verdict::CheckerError => "CHECKER_ERROR",
        }
    }
}

/// What to ask the checker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    /// Is the service up and behaving?
    Check,
    /// Plant a flag.
    Put {
        /// Where the flag is stored (the checker may answer with a new one).
        flag_id: String,
        /// The flag.
        flag: String,
        /// Flag place, from 1.
        vuln: u8,
    },
    /// Read a flag back.
    Get {
        /// As returned by the put.
        flag_id: String,
        /// The flag expected.
        flag: String,
        /// Flag place.
        vuln: u8,
    },
    /// ENOWARS: store noise (variant from 0); SLA only.
    PutNoise {
        /// Variant.
        variant: u8,
    },
    /// ENOWARS: read back this round's noise of a variant; SLA only.
    GetNoise {
        /// Variant.
        variant: u8,
    },
    /// ENOWARS: exercise the service in some other way; SLA only.
    Havoc {
        /// Variant.
        variant: u8,
    },
}

impl Action {
    /// The name in logs: check, put, get, putnoise, getnoise, havoc.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Check => "check",
            Action::Put { .. } => "put",
            Action::Get { .. } => "get",
            Action::PutNoise { .. } => "putnoise",
            Action::GetNoise { .. } => "getnoise",
            Action::Havoc { .. } => "havoc",
        }
    }
}

/// Who and when a run is for. The ENOWARS protocol sends it to the checker; the command line
/// does not need it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Task {
    /// The round now.
    pub round: u32,
    /// For a get: the round of the flag read back (else the round now).
    pub related_round: u32,
    /// The team's number.
    pub team_id: u32,
    /// The team's name.
    pub team_name: String,
    /// The service's position in the scenario, from 0.
    pub service: u32,
    /// Milliseconds a round lasts.
    pub round_ms: u64,
}

/// The outcome of one checker run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Stdout, truncated: shown to the team.
    pub public: String,
    /// Stderr (and runner notes), truncated: organisers and judges only.
    pub private: String,
    /// For a put: the checker's replacement flag id (first line of stdout), if any.
    pub flag_id: Option<String>,
    /// For an ENOWARS put: the public attack info, shown to attackers instead of the flag id.
    pub attack_info: Option<String>,
    /// Whether the checker was killed at the timeout.
    pub timed_out: bool,
    /// How long it ran.
    pub elapsed: Duration,
    /// Set when the checker itself failed rather than answer (it could not start, exited with a
    /// code outside the protocol, was killed by a signal, or answered something unreadable):
    /// what went wrong, in a few words. The verdict is then CHECKER_ERROR and the service's
    /// `on_checker_failure` policy decides the state. A checker that exits 110 has answered
    /// ("I failed"), so this stays `None`.
    pub failure: Option<Msg>,
}

/// Runs one checker: a program (the command line) or an ENOWARS checker service.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Runner {
    /// The program and any fixed leading arguments (e.g. `["python3", "checker.py"]`).
    pub command: Vec<String>,
    /// An ENOWARS checker's address (`http://host:port`); when set, `command` is not used.
    pub http: Option<String>,
    /// Per-action time limit.
    pub timeout: Duration,
    /// Bytes kept of stdout and of stderr.
    pub output_limit: usize,
}

impl Runner {
    /// Run `action` against `host`.
    pub async fn run(&self, host: &str, action: &Action) -> Outcome {
        self.run_task(host, action, &Task::default()).await
    }

    /// Run `action` against `host` for `task`.
    pub async fn run_task(&self, host: &str, action: &Action, task: &Task) -> Outcome {
        match &self.http {
            Some(base) => self.run_http(base, host, action, task).await,
            None => self.run_command(host, action).await,
        }
    }

    async fn run_http(&self, base: &str, host: &str, action: &Action, task: &Task) -> Outcome {
        use crate::enowars::{CallError, TaskMessage, call};
        let started = Instant::now();
        let (method, flag, variant, kind) = match action {
            Action::Put { flag, vuln, .. } => (
                "putflag",
                Some(flag.as_str()),
                vuln.saturating_sub(1),
                "flag",
            ),
            Action::Get { flag, vuln, .. } => (
                "getflag",
                Some(flag.as_str()),
                vuln.saturating_sub(1),
                "flag",
            ),
            Action::PutNoise { variant } => ("putnoise", None, *variant, "noise"),
            Action::GetNoise { variant } => ("getnoise", None, *variant, "noise"),
            Action::Havoc { variant } => ("havoc", None, *variant, "havoc"),
            Action::Check => {
                return error(
                    started,
                    msg!("enowars_no_check", "an ENOWARS checker has no `check`"),
                );
            }
        };
        let related = match action {
            Action::Get { .. } => task.related_round,
            _ => task.round,
        };
        let message = TaskMessage {
            method,
            address: crate::enowars::host_only(host),
            team_id: task.team_id,
            team_name: &task.team_name,
            current_round: task.round,
            related_round: related,
            flag,
            variant: variant as u32,
            timeout_ms: self.timeout.as_millis() as u64,
            round_ms: task.round_ms,
            chain: format!(
                "{kind}_s{}_r{related}_t{}_i{variant}",
                task.service, task.team_id
            ),
        };
        // A whole result is read even when its message is long (a traceback); the message is
        // cut afterwards.
        match call(base, &message, self.timeout, HTTP_BODY_LIMIT).await {
            Ok(r) => {
                let verdict = match (r.result.as_str(), action) {
                    ("OK", _) => Verdict::Ok,
                    // The protocol's getflag answers MUMBLE when the flag is not there.
                    ("MUMBLE", Action::Get { .. }) => Verdict::Corrupt,
                    ("MUMBLE", _) => Verdict::Mumble,
                    ("OFFLINE", _) => Verdict::Down,
                    _ => Verdict::CheckerError,
                };
                let text: String = r
                    .message
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                    .take(self.output_limit)
                    .collect();
                let (public, mut private) = if verdict == Verdict::CheckerError {
                    (String::new(), text.clone())
                } else {
                    let public = public_line(&text);
                    let rest = if public != text.trim() {
                        text.clone()
                    } else {
                        String::new()
                    };
                    (public, rest)
                };
                if !private.is_empty() {
                    private = format!("[{}] {private}", r.result);
                }
                Outcome {
                    verdict,
                    public,
                    private,
                    flag_id: None,
                    attack_info: match action {
                        Action::Put { .. } if verdict == Verdict::Ok => r
                            .attack_info
                            .filter(|a| !a.trim().is_empty())
                            .map(|a| a.chars().take(PUBLIC_CHARS).collect()),
                        _ => None,
                    },
                    timed_out: false,
                    elapsed: started.elapsed(),
                    failure: None,
                }
            }
            Err(CallError::Timeout) => Outcome {
                verdict: Verdict::Down,
                public: "timeout".into(),
                private: format!(
                    "[drillboard] no answer from {base} within {:?}",
                    self.timeout
                ),
                flag_id: None,
                attack_info: None,
                timed_out: true,
                elapsed: started.elapsed(),
                failure: None,
            },
            Err(CallError::Failed(why)) => error(started, why),
        }
    }

    async fn run_command(&self, host: &str, action: &Action) -> Outcome {
        let started = Instant::now();
        let Some((program, fixed)) = self.command.split_first() else {
            return error(
                started,
                msg!("no_checker_command", "no checker command is configured"),
            );
        };
        let mut cmd = Command::new(program);
        cmd.args(fixed);
        match action {
            Action::Check => cmd.arg("check").arg(host),
            Action::Put {
                flag_id,
                flag,
                vuln,
            } => cmd
                .arg("put")
                .arg(host)
                .arg(flag_id)
                .arg(flag)
                .arg(vuln.to_string()),
            Action::Get {
                flag_id,
                flag,
                vuln,
            } => cmd
                .arg("get")
                .arg(host)
                .arg(flag_id)
                .arg(flag)
                .arg(vuln.to_string()),
            Action::PutNoise { .. } | Action::GetNoise { .. } | Action::Havoc { .. } => {
                return error(
                    started,
                    msg!(
                        "cli_no_action",
                        "the command-line protocol has no `{action}` (an ENOWARS checker has)",
                        action = action.name()
                    ),
                );
            }
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                return error(
                    started,
                    msg!(
                        "checker_cannot_start",
                        "cannot start the checker `{program}`: {detail}",
                        program = program,
                        detail = e
                    ),
                );
            }
        };
        let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
            return error(
                started,
                msg!(
                    "checker_output_lost",
                    "the checker's output could not be captured"
                ),
            );
        };
        let limit = self.output_limit;
        let work = async {
            let (o, e, status) = tokio::join!(
                read_capped(out, limit),
                read_capped(err, limit),
                child.wait()
            );
            (o, e, status)
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok((stdout, stderr, status)) => {
                let code = status.as_ref().ok().and_then(|s| s.code());
                let verdict = Verdict::from_exit(code);
                let all = text(&stdout);
                let public = public_line(&all);
                let mut private = text(&stderr);
                // A checker that prints a whole page keeps it for the organisers only.
                if public != all.trim() {
                    private = format!("[stdout] {all}\n{private}");
                }
                let failure = match (code, status.as_ref().ok()) {
                    (Some(101..=104 | 110), _) => None,
                    (Some(c), _) => Some(msg!(
                        "checker_exit_code",
                        "exit code {code}, which is not a checker verdict",
                        code = c
                    )),
                    (None, Some(s)) => Some(match signal_of(s) {
                        Some(sig) => {
                            msg!("checker_signal", "killed by signal {signal}", signal = sig)
                        }
                        None => msg!("checker_no_exit_code", "ended without an exit code"),
                    }),
                    (None, None) => Some(msg!("checker_exit_unread", "its exit could not be read")),
                };
                if let Some(f) = &failure {
                    private.push_str(&format!("\n[drillboard] the checker failed: {}", f.text));
                }
                let flag_id = match action {
                    Action::Put { .. } if verdict == Verdict::Ok => all
                        .lines()
                        .next()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned),
                    _ => None,
                };
                Outcome {
                    verdict,
                    public,
                    private,
                    flag_id,
                    attack_info: None,
                    timed_out: false,
                    elapsed: started.elapsed(),
                    failure,
                }
            }
            Err(_) => {
                let _ = child.start_kill();
                let _ = child.wait().await;
                Outcome {
                    verdict: Verdict::Down,
                    public: "timeout".into(),
                    private: format!("[drillboard] killed after {:?}", self.timeout),
                    flag_id: None,
                    attack_info: None,
                    timed_out: true,
                    elapsed: started.elapsed(),
                    failure: None,
                }
            }
        }
    }
}

/// The checker could not be run at all: a failure, decided by the service's policy.
fn error(started: Instant, message: Msg) -> Outcome {
    Outcome {
        verdict: Verdict::CheckerError,
        public: String::new(),
        private: format!("[drillboard] {}", message.text),
        flag_id: None,
        attack_info: None,
        timed_out: false,
        elapsed: started.elapsed(),
        failure: Some(message),
    }
}

#[cfg(unix)]
fn signal_of(s: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(s)
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// Bytes read of an ENOWARS checker's answer.
const HTTP_BODY_LIMIT: usize = 256 * 1024;

/// Longest public message: the grid shows it to everyone, so a checker printing an HTML page
/// (seen with a real checker) must not become a 700-character cell.
pub const PUBLIC_CHARS: usize = 160;

/// The public part of a checker's stdout: its first non-empty line, trimmed, cut at
/// [`PUBLIC_CHARS`] characters (marked with `…` when anything was left out).
fn public_line(stdout: &str) -> String {
    let mut lines = stdout.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return String::new();
    };
    let mut out: String = first.chars().take(PUBLIC_CHARS).collect();
    if out.len() < first.len() || lines.next().is_some() {
        out.push('…');
    }
    out
}

/// Read everything, keeping at most `limit` bytes (the rest is drained so the writer never blocks).
async fn read_capped(mut r: impl AsyncRead + Unpin, limit: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut truncated = false;
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = limit.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

/// Bytes as text: invalid UTF-8 replaced, control characters other than newline and tab dropped.
fn text((bytes, truncated): &(Vec<u8>, bool)) -> String {
    let mut s: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    if *truncated {
        s.push_str(" [truncated]");
    }
    s
}
