//! The HTTP server, and only HTTP: the routers, the listeners, start and stop. The
//! request path itself lives in `server/pipeline.rs`; health, metrics and dev mode's
//! endpoints in `server/admin.rs`; TLS in `server/tls.rs`; connections and shutdown in
//! `server/listener.rs`. Nothing outside this module imports it but the binary's wiring.

mod admin;
mod discovery;
mod listener;
mod pipeline;
mod tls;

use std::sync::Arc;

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;

use crate::app::App;

/// The API router: dev admin endpoints and every AWS request on any other path; with
/// `admin` also health and metrics (when no `--admin-listen` takes them elsewhere).
pub fn router(app: App, admin: bool) -> Router {
    let mut router = Router::new()
        .route("/moto-api/reset", post(admin::reset))
        .route("/moto-api/reset-auth", post(admin::reset_auth))
        .route("/_gatehouse/reset", post(admin::reset))
        .route(
            "/oidc/{account}/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/oidc/{account}/.well-known/jwks.json",
            get(discovery::jwks),
        );
    if admin {
        router = admin_routes(router);
    }
    router.fallback(pipeline::handle).with_state(app)
}

/// The router of `--admin-listen`: health and metrics only.
pub fn admin_router(app: App) -> Router {
    admin_routes(Router::new()).with_state(app)
}

fn admin_routes(router: Router<App>) -> Router<App> {
    router
        .route("/health", get(admin::live))
        .route("/health/live", get(admin::live))
        .route("/health/ready", get(admin::ready))
        .route("/metrics", get(admin::metrics))
}

/// Binds the listeners and serves until SIGTERM or Ctrl-C, then lets in-flight requests
/// finish (for at most `--shutdown-timeout-secs`) and writes what is still queued.
pub async fn serve(app: App) -> anyhow::Result<()> {
    let config = app.config();
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(Arc::new(tls::Tls::load(cert, key)?)),
        _ => None,
    };
    let listen = config.listen;
    let api = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding --listen {listen}"))?;
    let admin = match config.admin_listen {
        Some(address) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("binding --admin-listen {address}"))?,
        ),
        None => None,
    };
    let local = api.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(address = %local, tls = tls.is_some(), dev = app.dev().is_some(), "gatehouse listening");
    println!("gatehouse listening on {scheme}://{local}");
    app.set_listening_url(format!("{scheme}://{local}"));
    if let Some(admin) = &admin {
        let address = admin.local_addr()?;
        tracing::info!(address = %address, "admin endpoints listening");
        println!("gatehouse admin listening on http://{address}");
    }
    if let Some(tls) = &tls {
        tokio::spawn(tls::reload_on_sighup(tls.clone()));
    }
    let flusher = tokio::spawn(app.clone().flush_every_second());
    let api_router = router(app.clone(), admin.is_none());
    let admin_router = admin.as_ref().map(|_| admin_router(app.clone()));
    listener::run(
        &app,
        listener::Listeners {
            api,
            api_router,
            tls,
            admin: admin.zip(admin_router),
        },
        shutdown_signal(),
    )
    .await;
    flusher.abort();
    app.flush().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
