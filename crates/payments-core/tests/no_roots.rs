//! A machine without CA certificates (a bare container): building a client fails at once with
//! an error that says what to do, instead of every call failing its TLS handshake later.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]
#![cfg(not(feature = "webpki-roots"))]

use payments_core::ErrorKind;
use payments_core::http::{HttpClient, HttpConfig};

const CHILD: &str = "PAYMENTS_CORE_NO_ROOTS_CHILD";

#[test]
fn without_any_root_certificate_the_error_names_the_webpki_roots_feature() {
    if std::env::var_os(CHILD).is_some() {
        let err = HttpClient::new(&HttpConfig::new("no-roots-test", "0")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        let shown = err.to_string();
        assert!(shown.contains("http.tls_roots"), "{shown}");
        assert!(shown.contains("`webpki-roots` feature"), "{shown}");
        // Roots added by the caller are enough on their own.
        let pem = include_str!("data/test-root.pem");
        let config = HttpConfig::new("no-roots-test", "0")
            .add_root_certificate_pem(pem.as_bytes())
            .unwrap();
        assert!(HttpClient::new(&config).is_ok());
        return;
    }
    // The system's store, emptied for one process: rustls-native-certs reads only these two
    // variables when they are set.
    let empty = std::env::temp_dir().join(format!("payments-no-roots-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "without_any_root_certificate_the_error_names_the_webpki_roots_feature",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("SSL_CERT_FILE", empty.join("none.pem"))
        .env("SSL_CERT_DIR", &empty)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&empty);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}
