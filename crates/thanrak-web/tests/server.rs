//! The accept loop under connections that never finish their request: the server must go on
//! answering real users, say when it is full, and still stop cleanly.

use std::time::Duration;

use reqwest::StatusCode;
use thanrak_web::server::{raise_descriptor_limit, ServerLimits};
use thanrak_web::{AppState, WebConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

/// The failure bound of every wait below: generous, never a measure of speed.
const PATIENCE: Duration = Duration::from_secs(5);

/// Starts the app over a fresh database with these limits; returns its address and a sender
/// that stops it, and the server's task.
async fn start(
    limits: ServerLimits,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
    tempfile::TempDir,
) {
    let (store, dir) = common::sqlite_store().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = WebConfig {
        limits: Some(limits),
        ..WebConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(thanrak_web::serve(
        listener,
        AppState::new(store, config),
        async move {
            let _ = stopped.await;
        },
    ));
    (addr, stop, served, dir)
}

fn limits(max_connections: usize, header_read_timeout: Duration) -> ServerLimits {
    ServerLimits {
        header_read_timeout,
        idle_timeout: Duration::from_secs(30),
        max_connections,
    }
}

/// Reads what the server sends until it closes the connection or `PATIENCE` passes.
async fn read_all(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_unfinished_requests_do_not_lock_out_a_real_user() {
    // Both ends of every connection live in this process: make room for them.
    let limit = raise_descriptor_limit();
    let sockets = 3_000.min(usize::try_from(limit.saturating_sub(300) / 2).unwrap());
    let cap = sockets / 3;
    let (addr, _stop, _served, _dir) = start(limits(cap, Duration::from_secs(10))).await;
    let mut held = Vec::with_capacity(sockets);
    for _ in 0..sockets {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // A request line that never ends.
        s.write_all(b"GET /login HTTP/1.1\r\nHost: thanrak")
            .await
            .unwrap();
        held.push(s);
    }
    // A real user arrives while all of them are still open.
    let client = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let res = client
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .expect("the login page is answered");
    assert_eq!(res.status(), StatusCode::OK);
    drop(held);
}

#[tokio::test]
async fn a_server_full_of_real_requests_says_so_and_when_to_come_back() {
    let (addr, _stop, _served, _dir) = start(limits(4, Duration::from_secs(10))).await;
    // Four keep-alive connections that have each been served a request: not to be evicted.
    let mut kept = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /no/such/page HTTP/1.1\r\nHost: thanrak\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 12];
        tokio::time::timeout(PATIENCE, s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf, b"HTTP/1.1 404");
        kept.push(s);
    }
    let mut fifth = TcpStream::connect(addr).await.unwrap();
    let answer = read_all(&mut fifth).await;
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert!(answer.contains("\r\nRetry-After: 5\r\n"), "{answer}");
    // A slot frees as soon as one of them leaves.
    drop(kept.pop());
    let client = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap();
    let mut status = None;
    for _ in 0..50 {
        match client.get(format!("http://{addr}/login")).send().await {
            Ok(r) if r.status() == StatusCode::OK => {
                status = Some(r.status());
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(status, Some(StatusCode::OK));
}

#[tokio::test]
async fn unfinished_headers_are_given_up_on() {
    let (addr, _stop, _served, _dir) = start(limits(100, Duration::from_secs(1))).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: thanrak")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, s.read_to_end(&mut buf)).await;
    // Closed by the server (perhaps after a 408), long before the test's patience runs out.
    assert!(closed.is_ok(), "the connection is still open");
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[tokio::test]
async fn the_server_stops_when_asked_even_with_idle_connections() {
    let (addr, stop, served, _dir) = start(limits(100, Duration::from_secs(10))).await;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /login HTTP/1.1\r\nHost: thanrak\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 12];
    idle.read_exact(&mut buf).await.unwrap();
    stop.send(()).unwrap();
    let result = tokio::time::timeout(PATIENCE, served)
        .await
        .expect("the server stopped")
        .unwrap();
    assert!(result.is_ok());
}
