//! The TLS crypto provider, chosen by feature: the one place that knows which is in force. Both
//! the HTTP client's TLS and the SDK's random bytes ([`crate::random`]) draw on it.

use std::sync::Arc;

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!(
    "payments-core needs a TLS crypto provider: enable its `ring` (default) or `aws-lc-rs` feature"
);

/// The crypto provider's CSPRNG (see [`crate::random`]).
pub(crate) fn secure_random() -> &'static dyn rustls::crypto::SecureRandom {
    selected_provider().secure_random
}

/// The TLS crypto provider this build selected by feature: `aws-lc-rs` when enabled (it wins
/// over `ring`), else `ring`. For a server or client of the caller's own that should use the
/// same cryptography as the SDK.
///
/// Key exchange: `aws-lc-rs` offers the post-quantum hybrid `X25519MLKEM768` first (then
/// P-384, X25519, P-256); `ring` has no post-quantum group (X25519, P-256, P-384 only), which
/// is why rustls 0.23.48 marks its provider deprecated. `ring` stays the default because it
/// builds without a C toolchain; choose `aws-lc-rs` for post-quantum key exchange.
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(selected_provider())
}

/// The crypto provider this build selected by feature (`aws-lc-rs` wins over `ring`).
fn selected_provider() -> rustls::crypto::CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    // rustls 0.23.48 deprecates ring's provider for what ring lacks (post-quantum key
    // exchange) and has no other constructor for it on 0.23; rustls itself builds it the same
    // way. The `aws-lc-rs` feature is the post-quantum choice (see `crypto_provider`).
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    provider
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crypto_feature_decides_post_quantum_key_exchange() {
        let names: Vec<String> = crypto_provider()
            .kx_groups
            .iter()
            .map(|group| format!("{:?}", group.name()))
            .collect();
        let post_quantum = names.iter().any(|name| name.contains("MLKEM"));
        // What the README and `crypto_provider` promise for each feature.
        assert_eq!(post_quantum, cfg!(feature = "aws-lc-rs"), "{names:?}");
        assert!(names.iter().any(|name| name == "X25519"), "{names:?}");
    }
}
