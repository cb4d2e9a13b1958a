//! The preview server's connection hygiene (issue: a preview that never
//! freezes): hyper's own settings, not hand-made timers: a header read
//! timeout (a client that never sends or never finishes its request is
//! dropped, idle keep-alive connections too), and a cap on open
//! connections; at the cap, new ones wait for a slot, which the timeout
//! frees, so idle connections delay a browser by at most the timeout.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a client may take to send a request's headers (also how long
/// an idle keep-alive connection waits for its next request).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections at most; more are closed at once.
pub const MAX_CONNECTIONS: usize = 256;

/// Serves `app` on `listener` with the preview's limits.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    serve_with(listener, app, HEADER_READ_TIMEOUT, MAX_CONNECTIONS).await
}

/// Serves `app` with a header read timeout and a connection cap.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    max_connections: usize,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
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
        // At the cap, wait for a connection to end (idle ones end at the
        // header read timeout) rather than refuse the browser.
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        // Handlers that care see who asked (`ConnectInfo`).
        let service = TowerToHyperService::new(
            app.clone()
                .layer(axum::Extension(axum::extract::ConnectInfo(remote))),
        );
        let builder = builder.clone();
        tokio::spawn(async move {
            // hyper's timer starts at the first byte: a connection that
            // sends nothing is dropped after the same timeout.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(header_read_timeout, stream.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}
