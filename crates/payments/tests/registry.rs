//! The facade with every feature: the re-exports mirror the provider crates, and `Providers`
//! builds what the environment configures.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use payments::{ErrorKind, PaymentMethodKind, PaymentProvider, Providers};

const ALL: [(&str, &str); 8] = [
    ("ZAIF_API_KEY", "490f983a-5fab-49b2-b789-9d1f130874d3"),
    ("ZAIF_API_SECRET", "zaif-secret"),
    ("PAYMENTOPTIONS_API_KEY", "pk_test"),
    ("PAYMENTOPTIONS_MERCHANT_ID", "M-1"),
    ("PAYMENTOPTIONS_ENV", "test"),
    ("INTERSTREAM_API_URL", "https://tv.example/api.php"),
    ("INTERSTREAM_KEY_ID", "1b323a1cb879fd4e66530fbad07a32ee"),
    ("INTERSTREAM_SHARED_SECRET", "interstream-secret"),
];

#[test]
fn every_configured_provider_is_built() {
    let providers = Providers::from_env_with(&ALL).unwrap();
    assert_eq!(
        providers.names().collect::<Vec<_>>(),
        ["interstream", "paymentoptions", "zaif"]
    );
    let zaif = providers.require("zaif").unwrap();
    assert!(
        zaif.capabilities()
            .methods
            .contains(&PaymentMethodKind::Crypto)
    );
    let cards = providers.get("paymentoptions").unwrap();
    assert!(
        cards
            .capabilities()
            .methods
            .contains(&PaymentMethodKind::Card)
    );
    assert!(
        !providers
            .get("interstream")
            .unwrap()
            .capabilities()
            .get_payment
    );
    // No credential shows through the registry either.
    let shown = format!("{providers:?}");
    for (_, value) in ALL
        .iter()
        .filter(|(k, _)| k.contains("SECRET") || k.contains("API_KEY"))
    {
        assert!(!shown.contains(value), "{value} in {shown}");
    }
}

#[test]
fn unconfigured_providers_are_skipped_and_partial_ones_refused() {
    assert!(
        Providers::from_env_with(&[("UNRELATED", "x")])
            .unwrap()
            .is_empty()
    );
    let only_interstream = Providers::from_env_with(&[ALL[5], ALL[6], ALL[7]]).unwrap();
    assert_eq!(only_interstream.len(), 1);
    let err = Providers::from_env_with(&[("ZAIF_API_KEY", "k")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: ZAIF_API_SECRET: is not set or is empty"
    );
    let err = Providers::from_env_with(&[("PAYMENTOPTIONS_MERCHANT_ID", "M")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: PAYMENTOPTIONS_API_KEY: is not set or is empty"
    );
    let err = Providers::new().require("zaif").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
}

#[test]
fn providers_are_held_and_replaced_by_name() {
    let zaif = payments::zaif::ZaifClient::builder()
        .api_key("k")
        .api_secret("s")
        .build()
        .unwrap();
    let mut providers = Providers::new().with(Arc::new(zaif.clone()));
    let replaced = providers.insert(Arc::new(zaif) as Arc<dyn PaymentProvider>);
    assert!(replaced.is_some());
    assert_eq!(providers.len(), 1);
    assert_eq!(providers.iter().count(), 1);
}

#[test]
fn modules_mirror_the_provider_crates() {
    // Each path is the provider crate's own item, not a copy.
    fn same<T: 'static, U: 'static>() -> bool {
        std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()
    }
    assert!(same::<payments::zaif::ZaifClient, zaif_ecapi::ZaifClient>());
    assert!(same::<
        payments::paymentoptions::PaymentOptionsClient,
        paymentoptions::PaymentOptionsClient,
    >());
    assert!(same::<
        payments::interstream::InterstreamClient,
        interstream_store::InterstreamClient,
    >());
    assert!(same::<payments::Money, payments_core::Money>());
}

#[test]
fn each_provider_names_exactly_the_variables_it_requires() {
    let value = |name: &str| match name {
        "INTERSTREAM_API_URL" => "https://tv.example/api.php",
        _ => "some-value",
    };
    for vars in [
        payments::zaif::ENV_VARS,
        payments::paymentoptions::ENV_VARS,
        payments::interstream::ENV_VARS,
    ] {
        let mut all: Vec<(&str, &str)> = vars.required.iter().map(|n| (*n, value(n))).collect();
        // PaymentOptions also needs its environment (or a base URL), which is optional only in
        // the sense that either of the two will do; it alone does not configure a provider.
        all.push(("PAYMENTOPTIONS_ENV", "test"));
        let built = Providers::from_env_with(&all).unwrap();
        assert_eq!(built.len(), 1, "{vars:?}");
        for missing in vars.required {
            let partial: Vec<(&str, &str)> =
                all.iter().filter(|(n, _)| n != missing).copied().collect();
            if partial.len() == 1 {
                assert!(Providers::from_env_with(&partial).unwrap().is_empty());
                continue;
            }
            let err = Providers::from_env_with(&partial).unwrap_err();
            assert!(err.to_string().contains(missing), "{err}");
        }
    }
}
