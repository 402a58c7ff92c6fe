//! Flag submission over TCP with FAUST/ENOWARS reply codes: one flag per line in,
//! `<flag> OK|DUP|OWN|OLD|INV|ERR <message>` per line out.
//!
//! The team is known from the connection's source address when the scenario gives each team a
//! `network` (FAUST, S4DFarm's `faust` module: flags follow the greeting at once), or else from a
//! token handshake (DestructiveFarm's `forcad_tcp`: the greeting says "Welcome", the first line is
//! the team token, the reply says "enter your flags"). Every connection is its own task with
//! its own buffers and time limits, so a slow or silent client holds up nobody else; lines that
//! arrive together are judged together (one database commit for a whole pipelined batch).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use drillboard_gameserver::replies::Reply;
use drillboard_store::TeamRow;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};

use crate::auth::token_owner;
use crate::conn::{ConnLimits, Refused, Slots, refuse};
use crate::state::AppState;

/// Longest line read; longer ones are answered INV and skipped.
pub const MAX_LINE: usize = 256;
/// Lines judged together at most.
const MAX_BATCH: usize = 1000;
/// A client that sends nothing for this long is disconnected.
const IDLE: Duration = Duration::from_secs(300);
/// A client that does not read its replies for this long is disconnected.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time to send the token after the greeting.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// Flag-server defaults: 2,048 connections, 64 per address (a team's farm needs a few).
pub fn default_limits() -> ConnLimits {
    ConnLimits {
        total: 2048,
        per_address: 64,
        header_timeout: HANDSHAKE,
        idle_timeout: IDLE,
    }
}

/// Accept connections until the listener fails; `slots` caps them per address and in total.
pub async fn serve(state: AppState, listener: TcpListener, slots: Slots) -> std::io::Result<()> {
    loop {
        let (sock, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "flag server cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = state.clone();
        match slots.admit(peer.ip()) {
            Ok(slot) => {
                tokio::spawn(async move {
                    if let Err(e) = handle(state, sock, peer).await {
                        tracing::debug!(error = %e, %peer, "flag connection closed");
                    }
                    drop(slot);
                });
            }
            Err(Refused::Full) => refuse(sock, b"too many connections, try again later\n"),
            Err(Refused::PerAddress) => refuse(
                sock,
                b"too many connections from your address, try again later\n",
            ),
        }
    }
}

/// The team whose source network holds `ip`, if the scenario gives networks.
fn team_by_network(state: &AppState, ip: IpAddr) -> Option<TeamRow> {
    let live = state.live();
    let scenario = live.scenario.as_ref()?;
    let t = scenario
        .teams
        .iter()
        .find(|t| t.networks.iter().any(|n| n.contains(ip)))?;
    live.team(&t.id).cloned()
}

/// Said to a disqualified team before the connection closes (no flag is judged).
const DISQUALIFIED: &str = "your team is disqualified: flags are refused, bye\n";

fn disqualified(state: &AppState, team: &TeamRow) -> bool {
    state
        .live()
        .engine
        .as_ref()
        .is_some_and(|e| e.is_disqualified(&team.slug))
}

async fn send(
    w: &mut BufWriter<tokio::net::tcp::OwnedWriteHalf>,
    text: &str,
) -> std::io::Result<()> {
    let write = async {
        w.write_all(text.as_bytes()).await?;
        w.flush().await
    };
    tokio::time::timeout(WRITE_TIMEOUT, write)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "client does not read"))?
}

async fn handle(state: AppState, sock: TcpStream, peer: SocketAddr) -> std::io::Result<()> {
    let _ = sock.set_nodelay(true);
    let (rd, wr) = sock.into_split();
    let mut r = BufReader::with_capacity(64 * 1024, rd);
    let mut w = BufWriter::with_capacity(64 * 1024, wr);
    let mut lines = Vec::new();
    let by_network = team_by_network(&state, peer.ip());
    let prefix = state
        .live()
        .scenario
        .as_ref()
        .and_then(|s| s.attack_defense.as_ref().map(|a| a.flag_prefix.clone()))
        .unwrap_or_default();
    let team = match by_network {
        Some(team) if disqualified(&state, &team) => {
            send(&mut w, DISQUALIFIED).await?;
            return Ok(());
        }
        Some(team) => {
            send(
                &mut w,
                &format!(
                    "Welcome to the drillboard flag submission, {}. One flag per line please! Enter your flags, one per line.\n",
                    team.name
                ),
            )
            .await?;
            team
        }
        None => {
            send(
                &mut w,
                "Welcome to the drillboard flag submission. Send your team token on the first line.\n",
            )
            .await?;
            let eof = tokio::time::timeout(HANDSHAKE, read_batch(&mut r, &mut lines, 1))
                .await
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no token"))??;
            let token = match lines.pop() {
                Some(Line::Text(t)) => t,
                _ if eof => return Ok(()),
                _ => String::new(),
            };
            match token_owner(&state, &token).await {
                Ok(Some((_, team))) if disqualified(&state, &team) => {
                    send(&mut w, DISQUALIFIED).await?;
                    return Ok(());
                }
                Ok(Some((_, team))) => {
                    send(
                        &mut w,
                        &format!("{}: enter your flags, one per line\n", team.name),
                    )
                    .await?;
                    team
                }
                Ok(None) => {
                    send(&mut w, "unknown team token, bye\n").await?;
                    return Ok(());
                }
                Err(e) => {
                    tracing::error!(error = %e, "token lookup failed");
                    send(&mut w, "server busy, try again later\n").await?;
                    return Ok(());
                }
            }
        }
    };
    let mut first = true;
    loop {
        lines.clear();
        let eof = match tokio::time::timeout(IDLE, read_batch(&mut r, &mut lines, MAX_BATCH)).await
        {
            Ok(res) => res?,
            Err(_) => {
                let _ = send(&mut w, "idle for too long, bye\n").await;
                return Ok(());
            }
        };
        // A farm that always sends its token (forcad_tcp) may also come from a team network.
        if first
            && let Some(Line::Text(t)) = lines.first()
            && !t.starts_with(&prefix)
            && let Ok(Some((_, owner))) = token_owner(&state, t).await
            && owner.id == team.id
        {
            lines.remove(0);
            send(
                &mut w,
                &format!("{}: enter your flags, one per line\n", team.name),
            )
            .await?;
        }
        first = false;
        let flags: Vec<String> = lines
            .iter()
            .map(|l| match l {
                Line::Text(t) => t.clone(),
                Line::TooLong => String::new(),
            })
            .collect();
        // Disqualified while connected: no flag of this batch is judged.
        if !flags.is_empty() && disqualified(&state, &team) {
            send(&mut w, DISQUALIFIED).await?;
            return Ok(());
        }
        if !flags.is_empty() {
            let replies = crate::game::submit::submit(&state, &team, &flags).await;
            state
                .0
                .metrics
                .submissions("tcp", replies.iter().map(|r| r.name()));
            let mut out = String::with_capacity(flags.len() * 80);
            for ((line, flag), reply) in lines.iter().zip(&flags).zip(replies) {
                let shown = match line {
                    Line::Text(_) => flag.as_str(),
                    Line::TooLong => "(line too long)",
                };
                let reply = if matches!(line, Line::TooLong) {
                    Reply::Invalid
                } else {
                    reply
                };
                out.push_str(&reply.tcp_line(shown));
                out.push('\n');
            }
            send(&mut w, &out).await?;
        }
        if eof {
            return Ok(());
        }
    }
}

/// One line read from a client.
#[derive(Debug, PartialEq)]
enum Line {
    Text(String),
    TooLong,
}

/// Wait for at least one line, then take every further complete line already received (up to
/// `max`). Empty lines are skipped. Returns whether the client closed its side.
async fn read_batch(
    r: &mut BufReader<OwnedReadHalf>,
    out: &mut Vec<Line>,
    max: usize,
) -> std::io::Result<bool> {
    let mut partial: Vec<u8> = Vec::new();
    let mut too_long = false;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            push(out, &partial, too_long);
            return Ok(true);
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => {
                if partial.len() + i > MAX_LINE {
                    too_long = true;
                } else {
                    partial.extend_from_slice(&buf[..i]);
                }
                r.consume(i + 1);
                push(out, &partial, too_long);
                partial.clear();
                too_long = false;
                if out.len() >= max || !r.buffer().contains(&b'\n') {
                    // A partial line left in the buffer is read on the next call.
                    if !out.is_empty() {
                        return Ok(false);
                    }
                }
            }
            None => {
                let n = buf.len();
                if partial.len() + n > MAX_LINE {
                    too_long = true;
                } else {
                    partial.extend_from_slice(buf);
                }
                r.consume(n);
            }
        }
    }
}

fn push(out: &mut Vec<Line>, bytes: &[u8], too_long: bool) {
    if too_long {
        out.push(Line::TooLong);
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if !text.is_empty() {
        out.push(Line::Text(text.to_owned()));
    }
}
