//! Production transport against the sandbox: TLS with a private root certificate, an HTTP
//! proxy, and the SDK's rules kept when a caller brings their own `reqwest::Client`.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments::http::HttpConfig;
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{ErrorKind, SendPhase};
use payments_sandbox::{FaultKind, FaultRule, Provider, Sandbox, SandboxConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A private CA, and a certificate for `localhost` it signed.
struct PrivateCa {
    root_pem: String,
    server_cert: rustls::pki_types::CertificateDer<'static>,
    server_key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn private_ca() -> PrivateCa {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "payments-sdk test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    PrivateCa {
        root_pem: ca.pem(),
        server_cert: server.der().clone(),
        server_key: rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
    }
}

/// The protocols each TLS connection negotiated (ALPN), in order.
type Negotiated = Arc<Mutex<Vec<Option<Vec<u8>>>>>;

/// Terminates TLS on a free port and pipes each connection to `backend` (the sandbox, which
/// speaks HTTP/1.1 only). Like most production fronts it offers HTTP/2 first.
async fn tls_front(ca: &PrivateCa, backend: SocketAddr) -> (u16, Negotiated) {
    let provider = payments_core::http::crypto_provider();
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ca.server_cert.clone()], ca.server_key.clone_key())
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let negotiated = Negotiated::default();
    let seen = negotiated.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let protocol = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                seen.lock().unwrap().push(protocol);
                let mut upstream = TcpStream::connect(backend).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    (port, negotiated)
}

fn invoice() -> CreateInvoice {
    CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .order_number("TLS-1")
        .build()
        .unwrap()
}

fn zaif(endpoint: String, http: HttpConfig) -> ZaifClient {
    let config = SandboxConfig::default();
    ZaifClient::builder()
        .api_key(config.zaif.api_key)
        .api_secret(config.zaif.api_secret)
        .endpoint(endpoint)
        .http_config(http)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_sandbox_over_tls_with_a_private_root_certificate() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let ca = private_ca();
    let (port, negotiated) = tls_front(&ca, sandbox.address()).await;
    let endpoint = format!("https://localhost:{port}/ecapi");

    let trusted = HttpConfig::new("transport-test", "0")
        .add_root_certificate_pem(ca.root_pem.as_bytes())
        .unwrap();
    let created = zaif(endpoint.clone(), trusted)
        .create_invoice(&invoice())
        .await
        .unwrap();
    assert_eq!(created.btc.unwrap().to_string(), "0.359856");
    // Without the `http2` feature (off in this workspace) the client offers HTTP/1.1 alone, so a
    // front preferring h2 still answers in HTTP/1.1: offering h2 without speaking it would
    // break the connection.
    assert_eq!(
        negotiated.lock().unwrap().first().cloned().flatten(),
        Some(b"http/1.1".to_vec())
    );

    // Without the root the certificate is refused, and nothing was sent.
    let untrusted = zaif(endpoint, HttpConfig::new("transport-test", "0"))
        .create_invoice(&invoice())
        .await
        .unwrap_err();
    let core: payments::Error = untrusted.into();
    assert_eq!(core.kind(), ErrorKind::Transport, "{core}");
    assert!(matches!(
        core,
        payments::Error::Transport {
            phase: SendPhase::NotSent,
            ..
        }
    ));
    sandbox.stop().await;
}

#[test]
fn root_certificates_that_do_not_parse_are_configuration_errors() {
    let config = HttpConfig::new("transport-test", "0");
    for bad in [
        &b"no pem here"[..],
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        let err = config.clone().add_root_certificate_pem(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.to_string().contains("http.root_certificate"), "{err}");
    }
}

/// An HTTP forward proxy that records each request line and pipes the connection to the
/// origin named in it.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://proxyuser:hunter2proxy@{}",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match client.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let line = text.lines().next().unwrap_or_default().to_owned();
                record.lock().unwrap().push(text);
                // `POST http://127.0.0.1:PORT/ecapi HTTP/1.1`: forward to that origin as is
                // (an HTTP/1.1 server accepts the absolute form).
                let authority = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|uri| uri.strip_prefix("http://"))
                    .and_then(|rest| rest.split('/').next())
                    .unwrap_or_default()
                    .to_owned();
                let Ok(mut origin) = TcpStream::connect(authority).await else {
                    return;
                };
                origin.write_all(&head).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut origin).await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy_whose_credentials_never_show() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (proxy_url, seen) = recording_proxy().await;
    let endpoint = format!("{}/ecapi", sandbox.url());
    let http = HttpConfig::new("transport-test", "0")
        .proxy(&proxy_url)
        .unwrap();
    assert!(!format!("{http:?}").contains("hunter2proxy"), "{http:?}");
    zaif(endpoint.clone(), http)
        .create_invoice(&invoice())
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with(&format!("POST {endpoint} HTTP/1.1")),
        "{}",
        seen[0]
    );
    // The proxy's credentials go to the proxy (Basic), never into the request line.
    assert!(
        seen[0]
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic"),
        "{}",
        seen[0]
    );

    // A proxy that is down: a transport error that names neither its password nor its user.
    let dead = HttpConfig::new("transport-test", "0")
        .proxy("http://proxyuser:hunter2proxy@127.0.0.1:9")
        .unwrap();
    let err: payments::Error = zaif(endpoint, dead)
        .create_invoice(&invoice())
        .await
        .unwrap_err()
        .into();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2proxy"), "{shown}");
    assert_eq!(err.kind(), ErrorKind::Transport);

    for bad in ["socks5://127.0.0.1:1080", "not a url", "http://"] {
        let err = HttpConfig::new("t", "0").proxy(bad).unwrap_err();
        assert!(err.to_string().contains("http.proxy"), "{bad}: {err}");
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn a_callers_own_client_keeps_the_request_timeout() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    sandbox.set_faults(vec![FaultRule {
        provider: Provider::Zaif,
        route: None,
        kind: FaultKind::Latency,
        status: None,
        latency_ms: 600,
        jitter_ms: 0,
        times: None,
        chance_percent: None,
    }]);
    let config = SandboxConfig::default();
    // A client of the caller's with no timeout at all.
    let own = payments_sandbox::loopback_http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = ZaifClient::builder()
        .api_key(config.zaif.api_key)
        .api_secret(config.zaif.api_secret)
        .endpoint(format!("{}/ecapi", sandbox.url()))
        .http_client(own)
        .http_config(
            HttpConfig::new("transport-test", "0").request_timeout(Duration::from_millis(150)),
        )
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err: payments::Error = client.create_invoice(&invoice()).await.unwrap_err().into();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.outcome_unknown());
    assert!(
        started.elapsed() < Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
    sandbox.stop().await;
}
