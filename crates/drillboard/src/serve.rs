//! Serving HTTP with graceful shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use drillboard_api::{AppState, router};
use tokio::net::TcpListener;

/// Serve until Ctrl-C or SIGTERM. `banner` is printed once the port is bound.
pub async fn serve(state: AppState, listen: &str, banner: Option<String>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("drillboard is listening on http://{addr}");
    if let Some(b) = banner {
        println!("{}", b.replace("{addr}", &addr.to_string()));
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
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
