//! Accepting connections: HTTP/1.1 and HTTP/2 (h2 over TLS by ALPN, or cleartext with
//! prior knowledge) over TCP or TLS, with the connection-level limits (header buffer, time
//! to send headers, requests in flight per connection), and graceful shutdown. HTTP/1.1
//! serves one request at a time per connection (pipelined requests wait their turn,
//! unread); an HTTP/2 connection carries at most `--max-requests-per-connection` streams
//! at once, the limit it advertises in its SETTINGS (clients queue beyond it, and a
//! stream opened past it is refused). The server-wide cap (`--max-concurrent-requests`) is
//! enforced in the pipeline. On the signal: stop accepting, let every open connection
//! finish its requests in flight (bounded by `--shutdown-timeout-secs`), then return.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use super::pipeline::Connection;
use super::tls::Tls;
use super::App;

/// What to accept connections on.
pub struct Listeners {
    /// The AWS API listener (`--listen`).
    pub api: TcpListener,
    /// Its routes.
    pub api_router: Router,
    /// TLS for the API listener, when configured.
    pub tls: Option<Arc<Tls>>,
    /// Health and metrics (`--admin-listen`), when separate.
    pub admin: Option<(TcpListener, Router)>,
}

/// How connections are served.
#[derive(Clone)]
struct Limits {
    header_read_timeout: Duration,
    max_buf_size: usize,
    max_streams: u32,
}

/// Serves until `shutdown` completes, then drains open connections.
pub async fn run(app: &App, listeners: Listeners, shutdown: impl Future<Output = ()>) {
    let config = app.config();
    let limits = Limits {
        header_read_timeout: config.connection_timeout(),
        // hyper's floor is 8 KiB; leave room above the header limit so that a slightly
        // larger header section reaches the pipeline and gets an AWS-shaped 413.
        max_buf_size: (config.max_header().saturating_mul(2)).max(8192),
        max_streams: config.max_requests_per_connection,
    };
    let graceful = GracefulShutdown::new();
    let Listeners {
        api,
        api_router,
        tls,
        admin,
    } = listeners;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = api.accept() => match accepted {
                Ok((stream, peer)) => {
                    accept(stream, peer, &api_router, tls.as_ref(), &limits, graceful.watcher());
                }
                Err(error) => backoff(&error).await,
            },
            accepted = accept_admin(admin.as_ref()) => match accepted {
                Ok((stream, peer, router)) => {
                    accept(stream, peer, router, None, &limits, graceful.watcher());
                }
                Err(error) => backoff(&error).await,
            },
            () = &mut shutdown => break,
        }
    }
    drop(api);
    drop(admin);
    let grace = Duration::from_secs(config.shutdown_timeout_secs);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = config.shutdown_timeout_secs,
            "requests still in flight at the shutdown deadline were cut off"
        );
    }
}

async fn accept_admin(
    admin: Option<&(TcpListener, Router)>,
) -> std::io::Result<(TcpStream, SocketAddr, &Router)> {
    match admin {
        Some((listener, router)) => {
            let (stream, peer) = listener.accept().await?;
            Ok((stream, peer, router))
        }
        None => std::future::pending().await,
    }
}

/// Accept errors are mostly a full file-descriptor table: wait rather than spin.
async fn backoff(error: &std::io::Error) {
    tracing::warn!(%error, "accept failed");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

fn accept(
    stream: TcpStream,
    peer: SocketAddr,
    router: &Router,
    tls: Option<&Arc<Tls>>,
    limits: &Limits,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    let router = router.clone();
    let limits = limits.clone();
    match tls.and_then(|tls| tls.acceptor()) {
        None => {
            let connection = Connection { secure: false };
            tokio::spawn(serve_connection(
                stream, peer, router, connection, limits, watcher,
            ));
        }
        Some(acceptor) => {
            tokio::spawn(async move {
                let handshake =
                    tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream));
                let stream = match handshake.await {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(error)) => {
                        tracing::debug!(%error, %peer, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                };
                let connection = Connection { secure: true };
                serve_connection(stream, peer, router, connection, limits, watcher).await;
            });
        }
    }
}

async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    router: Router,
    connection: Connection,
    limits: Limits,
    watcher: Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(connection);
        router.clone().oneshot(request)
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_buf_size);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.max_streams)
        .max_header_list_size(u32::try_from(limits.max_buf_size).unwrap_or(u32::MAX))
        .keep_alive_interval(None);
    let served = builder.serve_connection(TokioIo::new(io), service);
    if let Err(error) = watcher.watch(served).await {
        tracing::debug!(%error, %peer, "connection ended with an error");
    }
}
