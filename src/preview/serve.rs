//! The preview server's connection hygiene (issue: a preview that never
//! freezes): hyper's own settings, not hand-made timers: a header read
//! timeout (a client that never sends or never finishes its request is
//! dropped, idle keep-alive connections too), and caps: at most
//! `max_connections` being served, and at most `max_waiting` accepted that
//! have not sent a byte yet (or wait for a slot). A silent connection
//! takes no serving slot, so a thousand idle connections do not delay a
//! browser's request; at the caps, new connections wait in the kernel's
//! queue until the timeout frees a place.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The limits of one server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client may take to send a request's headers (also how
    /// long an idle keep-alive connection waits for its next request).
    pub header_read_timeout: Duration,
    /// Connections being served at once.
    pub max_connections: usize,
    /// Connections accepted that have not sent their first byte, or wait
    /// for a serving slot.
    pub max_waiting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 256,
            max_waiting: 4096,
        }
    }
}

/// Serves `app` on `listener` with the preview's limits.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    serve_with(listener, app, Limits::default()).await
}

/// Serves `app` within `limits`.
pub async fn serve_with(listener: TcpListener, app: Router, limits: Limits) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let waiting = Arc::new(Semaphore::new(limits.max_waiting));
    let timeout = limits.header_read_timeout;
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    loop {
        let (stream, remote) = match listener.accept().await {
            Ok(c) => c,
            // A transient accept error (too many open files) must not stop
            // the server.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // At the cap, wait for a waiting connection to end (silent ones end
        // at the header read timeout) rather than refuse the browser.
        let Ok(wait_permit) = waiting.clone().acquire_owned().await else {
            return Ok(());
        };
        // Handlers that care see who asked (`ConnectInfo`).
        let service = TowerToHyperService::new(
            app.clone()
                .layer(axum::Extension(axum::extract::ConnectInfo(remote))),
        );
        let builder = builder.clone();
        let slots = slots.clone();
        tokio::spawn(async move {
            // hyper's timer starts with the first request: a connection
            // that sends nothing is dropped after the same timeout, and
            // takes no serving slot meanwhile.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(timeout, stream.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let Ok(permit) = slots.acquire_owned().await else {
                return;
            };
            drop(wait_permit);
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}
