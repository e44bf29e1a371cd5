//! The accept loop: connections served by hyper with limits that a server facing the network
//! needs and `axum::serve` does not set.
//!
//! - **Unfinished request headers** are given [`ServerLimits::header_read_timeout`] (10 s);
//!   then the connection is closed.
//! - **Idle connections** (no byte read or written for [`ServerLimits::idle_timeout`], 30 s)
//!   are shut down gracefully: a request under way still finishes.
//! - **At most [`ServerLimits::max_connections`]** are open at once, sized from the process's
//!   file-descriptor limit (raised to its hard limit at start-up) less room for the database
//!   and files, so that accepting never fails for want of descriptors. When the server is full,
//!   a new connection takes the place of the oldest connection that has not yet sent a whole
//!   request (the pattern of a slow-headers attack); when every connection has sent one, the new
//!   connection is answered `503 Service Unavailable` with `Retry-After` and closed.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tower_service::Service;

/// Descriptors kept out of the connection cap for the database pool, uploads being staged,
/// exports being written, the listener and the standard streams: at least this many, or a tenth
/// of the limit when that is more.
const RESERVED_DESCRIPTORS: u64 = 256;

/// The limits of the accept loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long a connection may stay without a byte read or written.
    pub idle_timeout: Duration,
    /// The most connections open at once.
    pub max_connections: usize,
}

impl ServerLimits {
    /// 10 s for headers, 30 s idle, and a connection cap sized from the file-descriptor limit
    /// (see [`raise_descriptor_limit`]).
    pub fn from_descriptor_limit(limit: u64) -> ServerLimits {
        let reserved = RESERVED_DESCRIPTORS.max(limit / 10);
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: limit.saturating_sub(reserved).clamp(16, 1 << 20) as usize,
        }
    }
}

/// Raises the soft limit on open file descriptors to the hard limit and returns the limit now
/// in force (a server holds one per connection; the usual soft limit of 1,024 is far below what
/// the system allows). Where the limit cannot be read, 1,024 is assumed.
pub fn raise_descriptor_limit() -> u64 {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(limit) => limit,
            Err(e) => {
                tracing::warn!(error = %e, "cannot raise the limit of open files");
                rlimit::getrlimit(rlimit::Resource::NOFILE)
                    .map(|(soft, _)| soft)
                    .unwrap_or(1024)
            }
        }
    }
    #[cfg(not(unix))]
    {
        1024
    }
}

/// What the accept loop knows of one connection.
struct Conn {
    /// Requests whose headers have been read on it.
    requests: AtomicU64,
    /// Told to close the connection at once (to make room for a new one).
    evict: Notify,
}

/// The open connections, oldest first, and the cap on them.
struct Registry {
    next_id: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
    permits: Arc<Semaphore>,
}

impl Registry {
    fn open(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Conn>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the oldest connection that has not sent a whole request to close; false when every
    /// connection has sent one.
    fn evict_one(&self) -> bool {
        let mut open = self.open();
        let victim = open
            .iter()
            .find(|(_, c)| c.requests.load(Ordering::Relaxed) == 0)
            .map(|(id, _)| *id);
        match victim.and_then(|id| open.remove(&id)) {
            Some(conn) => {
                conn.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// The answer to a connection the server has no room for; written without waiting (the
/// socket's send buffer is empty) and the connection closed.
const FULL_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Retry-After: 5\r\n\
    Content-Type: text/plain; charset=utf-8\r\n\
    Content-Length: 54\r\n\
    Connection: close\r\n\
    \r\n\
    the server is busy: try again in a few seconds, please";

/// Serves `app` on `listener` within `limits` until `shutdown` completes; then stops accepting,
/// lets every connection finish its request under way, and returns once all are closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let registry = Arc::new(Registry {
        next_id: AtomicU64::new(0),
        open: Mutex::new(BTreeMap::new()),
        permits: Arc::new(Semaphore::new(limits.max_connections)),
    });
    tracing::info!(
        max_connections = limits.max_connections,
        header_read_timeout_secs = limits.header_read_timeout.as_secs(),
        idle_timeout_secs = limits.idle_timeout.as_secs(),
        "accepting connections"
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was accepted: wait a
                    // little rather than spin.
                    tracing::error!(error = %e, "accept error");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let permit = match registry.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) if registry.evict_one() => {
                match registry.permits.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                }
            }
            Err(_) => {
                let _ = stream.try_write(FULL_RESPONSE);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let id = registry.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            requests: AtomicU64::new(0),
            evict: Notify::new(),
        });
        registry.open().insert(id, conn.clone());
        let registry = registry.clone();
        let builder = builder.clone();
        let app = app.clone();
        let mut stop_rx = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let last = Arc::new(AtomicU64::new(0));
            let started = Instant::now();
            let io = TokioIo::new(Watched {
                io: stream,
                started,
                last: last.clone(),
            });
            let counted = conn.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                counted.requests.fetch_add(1, Ordering::Relaxed);
                req.extensions_mut().insert(ConnectInfo(remote));
                app.clone().call(req)
            });
            let served = builder.serve_connection(io, service);
            let mut served = pin!(served);
            let mut closing = false;
            loop {
                let idle_at =
                    Duration::from_millis(last.load(Ordering::Relaxed)) + limits.idle_timeout;
                tokio::select! {
                    _ = served.as_mut() => break,
                    () = conn.evict.notified() => break,
                    changed = stop_rx.changed(), if !closing => {
                        if changed.is_ok() {
                            closing = true;
                            served.as_mut().graceful_shutdown();
                        }
                    }
                    () = tokio::time::sleep_until((started + idle_at).into()), if !closing => {
                        if started.elapsed() >= idle_at {
                            closing = true;
                            served.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            registry.open().remove(&id);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a permit until it is closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = registry.permits.acquire_many(all).await;
    Ok(())
}

/// A connection that notes when it last read or wrote a byte (milliseconds since `started`).
struct Watched {
    io: TcpStream,
    started: Instant,
    last: Arc<AtomicU64>,
}

impl Watched {
    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// The limits for a server of this process: the descriptor limit is raised the first time
/// (tests start many servers).
pub fn default_limits() -> ServerLimits {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    ServerLimits::from_descriptor_limit(*LIMIT.get_or_init(raise_descriptor_limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_answer_is_well_formed() {
        let text = std::str::from_utf8(FULL_RESPONSE).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap();
        assert_eq!(length.parse::<usize>().unwrap(), body.len());
    }

    #[test]
    fn the_cap_leaves_room_for_the_database_and_files() {
        assert_eq!(
            ServerLimits::from_descriptor_limit(1024).max_connections,
            768
        );
        assert_eq!(
            ServerLimits::from_descriptor_limit(20_000).max_connections,
            18_000
        );
        assert_eq!(ServerLimits::from_descriptor_limit(100).max_connections, 16);
    }
}
