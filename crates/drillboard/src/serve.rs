//! Serving HTTP and the TCP flag server, running the round ticker, with graceful shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use drillboard_api::conn::{ConnLimits, HttpListener, Peer, Slots};
use drillboard_api::game::{tcp, ticker};
use drillboard_api::{AppState, router};
use tokio::net::TcpListener;

/// What to serve.
#[derive(Debug)]
pub struct Options {
    /// HTTP address.
    pub listen: String,
    /// TCP flag submission address (None: no TCP server).
    pub flags_listen: Option<String>,
    /// Run the round ticker here (exactly one replica should).
    pub ticker: bool,
    /// Printed once the ports are bound; `{addr}` and `{flags}` are replaced by the addresses.
    pub banner: Option<String>,
    /// Told the bound HTTP and TCP flag addresses once they are bound.
    pub ready: Option<tokio::sync::oneshot::Sender<(SocketAddr, Option<SocketAddr>)>>,
    /// HTTP connections allowed from one address.
    pub http_per_address: usize,
    /// TCP flag connections allowed from one address.
    pub flags_per_address: usize,
}

/// File descriptors kept free for the database, checkers, files and the accept loops.
const FD_RESERVE: u64 = 256;

/// Raise the soft limit on open files to the hard limit (the common default of 1,024 runs out
/// long before a drill's connections do) and return the limit in force.
pub fn raise_fd_limit() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut lim = getrlimit(Resource::Nofile);
    let before = lim.current;
    // `None` is "unlimited", which the kernel does not allow for open files: aim at its
    // default ceiling (`fs.nr_open`) then.
    let target = lim.maximum.or(Some(1 << 20));
    if lim.current.is_some() && lim.current < target {
        lim.current = target;
        if let Err(e) = setrlimit(Resource::Nofile, lim) {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            lim.current = before;
        }
    }
    lim.current.unwrap_or(1 << 20)
}

/// Connections the kernel may hold waiting to be accepted (it caps this at `somaxconn`). The
/// usual 128 overflows in a burst of thousands of connections, and a client whose connection is
/// dropped from the queue waits for a greeting that never comes.
const BACKLOG: u32 = 4096;

/// Listen on `addr` with a deep accept queue.
async fn bind(addr: &str) -> std::io::Result<TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|()| socket.listen(BACKLOG)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the address resolves to nothing",
        )
    }))
}

/// Connection totals that fit under `fds` open files: HTTP and TCP flags share what is left
/// after [`FD_RESERVE`], at most their own defaults.
fn totals(fds: u64, http: &ConnLimits, flags: &ConnLimits) -> (usize, usize) {
    let room = fds.saturating_sub(FD_RESERVE) / 2;
    let room = usize::try_from(room).unwrap_or(usize::MAX).max(16);
    (http.total.min(room), flags.total.min(room))
}

/// Serve until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, opts: Options) -> anyhow::Result<()> {
    let fds = raise_fd_limit();
    let mut http_limits = ConnLimits::http();
    let mut flag_limits = tcp::default_limits();
    (http_limits.total, flag_limits.total) = totals(fds, &http_limits, &flag_limits);
    http_limits.per_address = opts.http_per_address.max(1);
    flag_limits.per_address = opts.flags_per_address.max(1);
    tracing::info!(
        open_files = fds,
        http = http_limits.total,
        flags = flag_limits.total,
        "connection limits"
    );
    let proxies = state.0.settings.trusted_proxies.clone();
    let listener = bind(&opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let listener = HttpListener::new(listener, Slots::new(http_limits, proxies.clone()));
    println!("drillboard is listening on http://{addr}");
    let mut flags_addr = String::from("(off)");
    let mut flags_bound = None;
    if let Some(f) = &opts.flags_listen {
        let flags = bind(f)
            .await
            .with_context(|| format!("cannot listen for flags on {f}"))?;
        flags_bound = Some(flags.local_addr()?);
        let _ = state.0.flags_addr.set(flags.local_addr()?);
        flags_addr = flags.local_addr()?.to_string();
        println!("flag submission over TCP on {flags_addr}");
        let state = state.clone();
        let slots = Slots::new(flag_limits, proxies);
        tokio::spawn(async move {
            if let Err(e) = tcp::serve(state, flags, slots).await {
                tracing::error!(error = %e, "the TCP flag server stopped");
            }
        });
    }
    let clock = tokio::spawn(drillboard_api::changes::watch_clock(state.clone()));
    let housekeeping = tokio::spawn(drillboard_api::housekeeping::run(state.clone()));
    // On PostgreSQL, what other replicas write reaches this one's board and streams.
    let follower = tokio::spawn(drillboard_api::follow::run(state.clone()));
    let background = if opts.ticker {
        tokio::spawn(ticker::run(state.clone()))
    } else {
        tokio::spawn(ticker::follow(state.clone()))
    };
    if let Some(ready) = opts.ready {
        let _ = ready.send((addr, flags_bound));
    }
    if let Some(b) = &opts.banner {
        println!(
            "{}",
            b.replace("{addr}", &addr.to_string())
                .replace("{flags}", &flags_addr)
        );
    }
    let changes = state.changes();
    let app = router(state).into_make_service_with_connect_info::<Peer>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown().await;
            // Open pages' event streams end, so the graceful shutdown does not wait for them.
            changes.close();
        })
        .await?;
    background.abort();
    clock.abort();
    housekeeping.abort();
    follower.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_totals_fit_under_the_open_file_limit() {
        let http = ConnLimits::http();
        let flags = tcp::default_limits();
        assert_eq!(totals(1024, &http, &flags), (384, 384));
        assert_eq!(totals(1 << 20, &http, &flags), (4096, 2048));
        assert_eq!(totals(100, &http, &flags), (16, 16));
    }

    #[test]
    fn the_open_file_limit_is_raised_to_the_hard_limit() {
        use rustix::process::{Resource, getrlimit};
        let got = raise_fd_limit();
        let lim = getrlimit(Resource::Nofile);
        assert_eq!(lim.current, lim.maximum);
        assert_eq!(Some(got), lim.current.or(Some(1 << 20)));
    }
}
