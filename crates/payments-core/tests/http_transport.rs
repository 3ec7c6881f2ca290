//! The shared HTTP client against servers started on 127.0.0.1: how each failure is classified,
//! and that nothing secret leaks into errors or logs.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use payments_core::http::{Endpoint, HttpClient, HttpConfig};
use payments_core::retry::{Idempotency, RetryPolicy};
use payments_core::{Error, ErrorKind, SendPhase};
use payments_test_support::httpmock::prelude::*;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

const PROVIDER: &str = "test-provider";
const SECRET: &str = "sk_live_TOPSECRET_0123456789";

fn client(timeout: Duration) -> HttpClient {
    let config = HttpConfig::new("payments-core-tests", "0.0.0").request_timeout(timeout);
    HttpClient::new(&config)
        .unwrap()
        .with_known_secrets([payments_core::Secret::new(SECRET)])
}

/// Reads up to the end of a request's head (or of the connection).
async fn read_request_head(socket: &mut tokio::net::TcpStream) {
    let mut buf = vec![0u8; 8192];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// A server that accepts connections, reads the whole request head, then drops the connection
/// without answering: the request reached the "provider", the answer was lost.
async fn drop_after_reading() -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let received = Arc::new(AtomicU32::new(0));
    let counter = received.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            read_request_head(&mut socket).await;
            counter.fetch_add(1, Ordering::SeqCst);
            // Reset rather than close cleanly, like a crashed upstream.
            let _ = socket.set_zero_linger();
            drop(socket);
        }
    });
    (format!("http://{address}/pay"), received)
}

#[tokio::test]
async fn success_reads_status_body_and_sends_the_user_agent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/ecapi")
                .header_matches("user-agent", "^payments-core-tests/0.0.0 payments-core/");
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"success":1,"return":{}}"#);
        })
        .await;
    let http = client(Duration::from_secs(5));
    let response = http
        .send(
            PROVIDER,
            http.reqwest().post(server.url("/ecapi")).body("x"),
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(response.is_success());
    let value: serde_json::Value = response.json(PROVIDER).unwrap();
    assert_eq!(value["success"], 1);
}

#[tokio::test]
async fn connection_refused_is_known_not_sent() {
    // Bind, learn the port, close: nothing listens there now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let http = client(Duration::from_secs(5));
    let err = http
        .send(
            PROVIDER,
            http.reqwest().post(format!("http://127.0.0.1:{port}/pay")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                phase: SendPhase::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.outcome_unknown());
    assert!(err.nothing_happened_and_retryable());
}

#[tokio::test]
async fn a_timeout_after_sending_leaves_the_outcome_unknown() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/slow");
            then.status(200)
                .delay(Duration::from_millis(1500))
                .body("{}");
        })
        .await;
    let http = client(Duration::from_millis(200));
    let err = http
        .send(PROVIDER, http.reqwest().post(server.url("/slow")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: SendPhase::MaybeSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn a_dropped_answer_is_outcome_unknown_and_never_resent_for_money() {
    let (url, received) = drop_after_reading().await;
    let http = client(Duration::from_secs(5));
    let policy = RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5));
    let err = policy
        .run(Idempotency::NonIdempotent, |_| {
            let request = http
                .reqwest()
                .post(format!("{url}?signature={SECRET}"))
                .body("amount=1000");
            http.send(PROVIDER, request)
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(
        received.load(Ordering::SeqCst),
        1,
        "a purchase is sent once"
    );
    // The URL (and its signed query) is dropped from transport errors.
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains("signature="), "{shown}");

    // The same failure on an idempotent read is retried up to the policy's limit.
    let received_before = received.load(Ordering::SeqCst);
    let _ = policy
        .run(Idempotency::Idempotent, |_| {
            http.send(PROVIDER, http.reqwest().get(url.clone()))
        })
        .await
        .unwrap_err();
    assert_eq!(
        received.load(Ordering::SeqCst) - received_before,
        policy.attempts()
    );
}

#[tokio::test]
async fn html_5xx_truncated_and_oversized_answers_are_typed_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/html");
            then.status(502)
                .header("content-type", "text/html")
                .body("<html><body><h1>502 Bad Gateway</h1></body></html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/truncated");
            then.status(200)
                .body(r#"{"success":1,"return":{"invoiceId":"d7"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/huge");
            then.status(200).body("x".repeat(64 * 1024));
        })
        .await;
    let http = client(Duration::from_secs(5));

    let html = http
        .send(PROVIDER, http.reqwest().get(server.url("/html")))
        .await
        .unwrap()
        .error_for_status(PROVIDER)
        .unwrap_err();
    assert!(
        matches!(&html, Error::HttpStatus { status: 502, excerpt, .. } if excerpt.contains("502 Bad Gateway")),
        "{html:?}"
    );
    assert!(html.outcome_unknown());

    let truncated = http
        .send(PROVIDER, http.reqwest().get(server.url("/truncated")))
        .await
        .unwrap()
        .json::<serde_json::Value>(PROVIDER)
        .unwrap_err();
    assert!(
        matches!(&truncated, Error::Decode { status: 200, .. }),
        "{truncated:?}"
    );

    let small =
        HttpClient::new(&HttpConfig::new("payments-core-tests", "0.0.0").max_body_bytes(1024))
            .unwrap();
    let huge = small
        .send(PROVIDER, small.reqwest().get(server.url("/huge")))
        .await
        .unwrap_err();
    assert!(
        matches!(&huge, Error::Decode { reason, .. } if reason.contains("larger than 1024")),
        "{huge:?}"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start_async().await;
    let target = server
        .mock_async(|when, then| {
            when.path("/elsewhere");
            then.status(200).body("{}");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/pay");
            then.status(307)
                .header("location", server.url("/elsewhere"));
        })
        .await;
    let http = client(Duration::from_secs(5));
    let response = http
        .send(
            PROVIDER,
            http.reqwest().post(server.url("/pay")).body("amount=1"),
        )
        .await
        .unwrap();
    assert_eq!(response.status, 307);
    assert_eq!(target.calls_async().await, 0);

    // A caller's own client that follows redirects: the answer from elsewhere is refused, and
    // the outcome is unknown (the payment may have been sent twice).
    let following = HttpClient::from_reqwest(payments_test_support::raw_reqwest().build().unwrap());
    let err = following
        .send(
            PROVIDER,
            following
                .reqwest()
                .post(server.url("/pay"))
                .body("amount=1"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        target.calls_async().await,
        1,
        "the caller's client followed it"
    );
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("followed a redirect"), "{err}");
}

#[tokio::test]
async fn a_caller_supplied_client_is_used() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.header("user-agent", "merchant-app/1.0");
            then.status(204);
        })
        .await;
    let own = payments_test_support::raw_reqwest()
        .user_agent("merchant-app/1.0")
        .build()
        .unwrap();
    let http = HttpClient::from_reqwest(own);
    let response = http
        .send(PROVIDER, http.reqwest().get(server.url("/")))
        .await
        .unwrap();
    assert_eq!(response.status, 204);
    mock.assert_async().await;
}

#[tokio::test]
async fn endpoints_point_clients_at_local_servers() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/api/v1/server-to-server-interface/payment");
            then.status(201).body("{}");
        })
        .await;
    let base = Endpoint::parse("BASE_URL", &server.url("/api/v1")).unwrap();
    let http = client(Duration::from_secs(5));
    let url = base.join("server-to-server-interface/payment");
    http.send(PROVIDER, http.reqwest().post(url)).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn logs_at_trace_level_carry_no_secret_and_no_card_number() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pay");
            then.status(500).body(
                r#"{"card":{"number":"5200000000001005"},"echo":"sk_live_TOPSECRET_0123456789"}"#,
            );
        })
        .await;
    let logs = payments_test_support::CapturedLogs::start();

    let http = client(Duration::from_secs(5));
    let err = payments_core::telemetry::instrument(PROVIDER, "purchase", async {
        let request = http
            .reqwest()
            .post(format!("{}?signature={SECRET}", server.url("/pay")))
            .header("x-api-key", SECRET)
            .body(format!("number=5200000000001005&secret={SECRET}"));
        http.send(PROVIDER, request)
            .await?
            .error_for_status(PROVIDER)
    })
    .await
    .unwrap_err();

    let logs = logs.text();
    assert!(logs.contains("payment_provider_call"), "{logs}");
    assert!(logs.contains("outcome_unknown=true"), "{logs}");
    assert!(logs.contains("error.kind=http_status"), "{logs}");
    for leaked in [SECRET, "5200000000001005", "TOPSECRET"] {
        assert!(!logs.contains(leaked), "{leaked} leaked into logs:\n{logs}");
        assert!(!format!("{err:?}").contains(leaked));
    }
}

/// A server answering one chunked body, written in `chunks` with pauses between them so each
/// arrives on its own.
async fn chunked_server(chunks: &'static [&'static str]) -> String {
    use tokio::io::AsyncWriteExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            read_request_head(&mut socket).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            socket.write_all(head.as_bytes()).await.unwrap();
            for chunk in chunks {
                let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                socket.write_all(frame.as_bytes()).await.unwrap();
                socket.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            socket.write_all(b"0\r\n\r\n").await.unwrap();
        }
    });
    format!("http://{address}/")
}

#[tokio::test]
async fn an_answer_in_several_chunks_is_read_whole_and_still_bounded() {
    const CHUNKS: &[&str] = &[r#"{"a":"#, r#""0123456789","#, r#""b":[1,2,3]}"#];
    let url = chunked_server(CHUNKS).await;
    let http = client(Duration::from_secs(5));
    let answer = http.send(PROVIDER, http.reqwest().get(&url)).await.unwrap();
    assert_eq!(&answer.body[..], CHUNKS.concat().as_bytes());
    let value: serde_json::Value = answer.json(PROVIDER).unwrap();
    assert_eq!(value["b"][2], 3);

    // The limit counts every chunk: the first two fit in 20 bytes, the third does not.
    let small =
        HttpClient::new(&HttpConfig::new("payments-core-tests", "0.0.0").max_body_bytes(20))
            .unwrap();
    let err = small
        .send(PROVIDER, small.reqwest().get(&url))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { reason, excerpt, .. }
            if reason.contains("larger than 20") && excerpt.contains("0123456789")),
        "{err:?}"
    );
}
