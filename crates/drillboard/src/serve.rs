//! Serving HTTP and the TCP flag server, running the round ticker, with graceful shutdown.

use std::net::SocketAddr;

use anyhow::Context;
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
}

/// Serve until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, opts: Options) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    println!("drillboard is listening on http://{addr}");
    let mut flags_addr = String::from("(off)");
    let mut flags_bound = None;
    if let Some(f) = &opts.flags_listen {
        let flags = TcpListener::bind(f)
            .await
            .with_context(|| format!("cannot listen for flags on {f}"))?;
        flags_bound = Some(flags.local_addr()?);
        let _ = state.0.flags_addr.set(flags.local_addr()?);
        flags_addr = flags.local_addr()?.to_string();
        println!("flag submission over TCP on {flags_addr}");
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = tcp::serve(state, flags).await {
                tracing::error!(error = %e, "the TCP flag server stopped");
            }
        });
    }
    let clock = tokio::spawn(drillboard_api::changes::watch_clock(state.clone()));
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
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown().await;
            // Open pages' event streams end, so the graceful shutdown does not wait for them.
            changes.close();
        })
        .await?;
    background.abort();
    clock.abort();
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
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
