//! One Zaif client over several API keys: concurrent calls spread over the keys, each key keeps
//! its own strictly increasing nonces (the sandbox refuses any other), and the configuration is
//! checked before anything is sent.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use futures_util::future::join_all;
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments::{Classify, ErrorKind};
use payments_sandbox::{FaultKind, FaultRule, Provider, Sandbox, SandboxConfig};

/// The sandbox's variables, with `ZAIF_ADDITIONAL_KEYS` when given.
fn env_with(sandbox: &Sandbox, additional: Option<&str>) -> Vec<(&'static str, String)> {
    let mut env = sandbox.env();
    if let Some(list) = additional {
        env.push(("ZAIF_ADDITIONAL_KEYS", list.into()));
    }
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_spread_over_the_keys_without_a_nonce_refusal() {
    let mut config = SandboxConfig::default();
    config.zaif.additional_keys = vec![
        ("pool-key-2".into(), "pool-secret-2".into()),
        ("pool-key-3".into(), "pool-secret-3".into()),
        ("pool-key-4".into(), "pool-secret-4".into()),
    ];
    // Answers take 20-50 ms, so a key stays busy while the others are free.
    config.faults = vec![FaultRule {
        provider: Provider::Zaif,
        route: None,
        kind: FaultKind::Latency,
        status: None,
        latency_ms: 20,
        jitter_ms: 30,
        times: None,
        chance_percent: None,
    }];
    let sandbox = Sandbox::start(config).await.unwrap();
    let env = env_with(
        &sandbox,
        Some("pool-key-2:pool-secret-2, pool-key-3:pool-secret-3,pool-key-4:pool-secret-4"),
    );
    let zaif = ZaifClient::from_env_with(&env).unwrap();
    assert_eq!(zaif.key_count(), 4);
    let debug = format!("{zaif:?}");
    assert!(
        !debug.contains("pool-secret") && !debug.contains("pool-key"),
        "{debug}"
    );

    let created = zaif
        .create_invoice(
            &CreateInvoice::builder(CryptoCurrency::Btc, 1000)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let reads = join_all((0..40).map(|_| zaif.get_invoice(&created.invoice_id))).await;
    for read in reads {
        // Any key reads what another created.
        assert_eq!(read.unwrap().invoice_id, created.invoice_id);
    }
    assert_eq!(sandbox.zaif_nonce_rejections(), 0);
    let calls = sandbox.zaif_calls_by_key();
    assert_eq!(calls.len(), 4, "every key carried calls: {calls:?}");
    assert_eq!(calls.values().sum::<u64>(), 41);
    sandbox.stop().await;
}

#[tokio::test]
async fn the_pool_configuration_is_checked_before_sending() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    for (list, expected) in [
        ("pool-key-2", "key:secret"),
        ("pool-key-2:pool-secret-2,pool-key-2:other", "repeats a key"),
        ("sandbox-zaif-key:x", "repeats a key"),
        (":secret", "is empty"),
    ] {
        let err = ZaifClient::from_env_with(&env_with(&sandbox, Some(list))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{list}");
        let text = err.to_string();
        assert!(text.contains("ZAIF_ADDITIONAL_KEYS"), "{text}");
        assert!(text.contains(expected), "{list}: {text}");
        assert!(
            !text.contains("secret-2") && !text.contains("other"),
            "{text}"
        );
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn a_nonce_file_per_key_named_by_a_hash_of_the_key() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zaif.nonce");
    let mut config = SandboxConfig::default();
    config.zaif.additional_keys = vec![("pool-key-2".into(), "pool-secret-2".into())];
    sandbox.stop().await;
    let sandbox = Sandbox::start(config).await.unwrap();
    let zaif = ZaifClient::builder_from_env(&env_with(&sandbox, None))
        .unwrap()
        .additional_key("pool-key-2", "pool-secret-2")
        .nonce_file(&path)
        .build()
        .unwrap();
    join_all((0..6).map(|_| zaif.supported_currencies()))
        .await
        .into_iter()
        .for_each(|r| {
            r.unwrap();
        });
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0], "zaif.nonce");
    assert!(files[1].starts_with("zaif.nonce.") && files[1].len() == "zaif.nonce.".len() + 12);
    assert!(!files[1].contains("pool-key"));
    assert_eq!(sandbox.zaif_calls_by_key().len(), 2);
    sandbox.stop().await;
}
