//! Request signing.
//!
//! Every request carries, in its query string, the API key id (`key`), the unix time in seconds
//! (`timestamp`), a fresh random `salt` (32 lowercase hex characters, as in the provider's PHP
//! sample) and `signature = base64(HMAC-SHA256(shared secret, salt + timestamp))`. The provider
//! refuses requests older than its configured expiry, so a request is signed when it is sent,
//! and every retry is signed again.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use payments_core::{Error, Secret, Url};
use sha2::Sha256;

/// Reads the current unix time in seconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Produces 16 random bytes for a salt.
pub type SaltSource = Arc<dyn Fn() -> [u8; 16] + Send + Sync>;

/// The four signing parameters of one request.
#[derive(Clone)]
pub(crate) struct SignedParams {
    /// `key`: the API key id (public: it identifies the application).
    pub(crate) key: String,
    /// `timestamp`: unix seconds.
    pub(crate) timestamp: u64,
    /// `salt`: 32 lowercase hex characters.
    pub(crate) salt: String,
    /// `signature`: base64 of the HMAC; a credential for as long as the timestamp is fresh.
    pub(crate) signature: Secret,
}

impl fmt::Debug for SignedParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedParams")
            .field("key", &self.key)
            .field("timestamp", &self.timestamp)
            .field("salt", &self.salt)
            .field("signature", &self.signature)
            .finish()
    }
}

impl SignedParams {
    /// Appends `timestamp`, `salt`, `key` and `signature` to `url`'s query, percent-encoded
    /// (the signature's `+`, `/` and `=` become `%2B`, `%2F` and `%3D`), after whatever the
    /// query already holds (`go`, `do`, `iq`), in the order of the provider's PHP sample.
    pub(crate) fn append_to(&self, url: &mut Url) {
        url.query_pairs_mut()
            .append_pair("timestamp", &self.timestamp.to_string())
            .append_pair("salt", &self.salt)
            .append_pair("key", &self.key)
            .append_pair("signature", self.signature.expose());
    }
}

/// Signs requests with the shared secret.
#[derive(Clone)]
pub(crate) struct Signer {
    key_id: String,
    /// HMAC-SHA256 keyed with the shared secret once (its inner and outer pads hashed), cloned
    /// per request: two SHA-256 blocks saved on every call. As sensitive as the secret itself,
    /// and wiped when dropped like it: the key lives only in the two SHA-256 states, which
    /// zeroize themselves (sha2's `zeroize` feature; tested).
    keyed: Hmac<Sha256>,
    clock: Clock,
    salt: SaltSource,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .field("shared_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Unix seconds from the system clock.
fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// 16 bytes from the crypto provider's CSPRNG (the operating system's).
fn random_salt() -> [u8; 16] {
    // The generator fails only on a system that cannot run anything safely; a predictable salt
    // is never sent instead.
    #[allow(clippy::expect_used)]
    payments_core::random::secure_bytes().expect("the system's random generator failed")
}

impl Signer {
    /// A signer reading the system clock and a cryptographically secure RNG.
    pub(crate) fn new(key_id: impl Into<String>, shared_secret: &Secret) -> Result<Signer, Error> {
        Ok(Signer {
            key_id: key_id.into(),
            keyed: keyed(shared_secret)?,
            clock: Arc::new(system_clock),
            salt: Arc::new(random_salt),
        })
    }

    /// Replaces the clock (for tests that pin the timestamp).
    pub(crate) fn with_clock(mut self, clock: Clock) -> Signer {
        self.clock = clock;
        self
    }

    /// Replaces the salt source (for tests that pin the salt).
    pub(crate) fn with_salt_source(mut self, salt: SaltSource) -> Signer {
        self.salt = salt;
        self
    }

    /// Signs a request to `url` now (a fresh salt, the current time): appends the four signing
    /// parameters to its query, after what it already holds.
    pub(crate) fn sign_url(&self, url: &mut Url) -> Result<(), Error> {
        self.sign()?.append_to(url);
        Ok(())
    }

    /// The signing parameters for now: a fresh salt, the current time.
    pub(crate) fn sign(&self) -> Result<SignedParams, Error> {
        let timestamp = (self.clock)();
        let mut salt = [0u8; 32];
        // 16 bytes always fit 32 hex characters.
        let _ = hex::encode_to_slice((self.salt)(), &mut salt);
        let salt = String::from_utf8_lossy(&salt).into_owned();
        let signature = sign_with(self.keyed.clone(), &salt, timestamp);
        Ok(SignedParams {
            key: self.key_id.clone(),
            timestamp,
            salt,
            signature,
        })
    }
}

/// HMAC-SHA256 keyed with the shared secret.
fn keyed(shared_secret: &Secret) -> Result<Hmac<Sha256>, Error> {
    Hmac::<Sha256>::new_from_slice(shared_secret.expose().as_bytes())
        .map_err(|_| Error::configuration("INTERSTREAM_SHARED_SECRET", "is not a usable HMAC key"))
}

/// `base64(mac(salt + timestamp))` with an already keyed `mac`.
fn sign_with(mut mac: Hmac<Sha256>, salt: &str, timestamp: u64) -> Secret {
    mac.update(salt.as_bytes());
    mac.update(timestamp.to_string().as_bytes());
    Secret::new(STANDARD.encode(mac.finalize().into_bytes()))
}

/// `base64(HMAC-SHA256(secret, salt + timestamp))`.
pub fn signature(shared_secret: &Secret, salt: &str, timestamp: u64) -> Result<Secret, Error> {
    Ok(sign_with(keyed(shared_secret)?, salt, timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared secret of the provider's PHP sample.
    const SAMPLE_SECRET: &str = "MWIzMjNhMWNiODc5ZmQ0ZTY2NTMwZmJhZDA3YTMyZWViOTQ3MDJiOGM2ZTU2NjE3";
    const SALT: &str = "4f7c1d2e9a8b3c6d5e0f1a2b3c4d5e6f";

    #[test]
    fn known_answers_computed_with_openssl() {
        // printf '%s' "$salt$ts" | openssl dgst -sha256 -hmac "$secret" -binary | base64
        let secret = Secret::new(SAMPLE_SECRET);
        assert_eq!(
            signature(&secret, SALT, 1_732_521_600).unwrap().expose(),
            "Xmi/JkCYlniKz1G3auIAsJQjnfK2uhmZDlRsMs0PokA="
        );
        assert_eq!(
            signature(&secret, SALT, 1_732_521_601).unwrap().expose(),
            "Zguzbm8L9cSZcps9TABoG8/KmwZfABQj+RF4p48sGBk="
        );
    }

    #[test]
    fn sign_uses_the_injected_clock_and_salt() {
        let signer = Signer::new(
            "1b323a1cb879fd4e66530fbad07a32ee",
            &Secret::new(SAMPLE_SECRET),
        )
        .unwrap()
        .with_clock(Arc::new(|| 1_732_521_600))
        .with_salt_source(Arc::new(|| {
            let mut bytes = [0u8; 16];
            hex::decode_to_slice(SALT, &mut bytes).unwrap_or_default();
            bytes
        }));
        let signed = signer.sign().unwrap();
        assert_eq!(signed.key, "1b323a1cb879fd4e66530fbad07a32ee");
        assert_eq!(signed.timestamp, 1_732_521_600);
        assert_eq!(signed.salt, SALT);
        assert_eq!(
            signed.signature.expose(),
            "Xmi/JkCYlniKz1G3auIAsJQjnfK2uhmZDlRsMs0PokA="
        );
        assert!(!format!("{signed:?}{signer:?}").contains("Xmi/"));
        assert!(!format!("{signer:?}").contains(SAMPLE_SECRET));
        assert!(format!("{signer:?}").contains("[redacted]"));
    }

    /// HMAC-SHA256 written out from its definition (RFC 2104), independent of the `hmac` crate.
    fn reference_hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(message)
            .finalize();
        Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize()
            .to_vec()
    }

    proptest::proptest! {
        #[test]
        fn signatures_verify_independently_and_survive_the_query_string(
            secret in "[ -~]{1,100}",
            salt in proptest::array::uniform16(proptest::num::u8::ANY),
            timestamp in 0u64..=4_102_444_800,
        ) {
            let signer = Signer::new("key-id", &Secret::new(secret.clone()))
                .unwrap()
                .with_clock(Arc::new(move || timestamp))
                .with_salt_source(Arc::new(move || salt));
            let signed = signer.sign().unwrap();
            let expected = STANDARD.encode(reference_hmac_sha256(
                secret.as_bytes(),
                format!("{}{timestamp}", hex::encode(salt)).as_bytes(),
            ));
            proptest::prop_assert_eq!(signed.signature.expose(), expected.as_str());

            let mut url = Url::parse("https://tv.example/api.php?go=store&do=add_payment&iq=2").unwrap();
            signed.append_to(&mut url);
            let reparsed = Url::parse(url.as_str()).unwrap();
            let query: std::collections::HashMap<_, _> = reparsed.query_pairs().into_owned().collect();
            proptest::prop_assert_eq!(query["signature"].as_str(), expected.as_str());
            proptest::prop_assert_eq!(query["timestamp"].clone(), timestamp.to_string());
            proptest::prop_assert_eq!(query["salt"].clone(), hex::encode(salt));
            proptest::prop_assert_eq!(query["go"].as_str(), "store");
            proptest::prop_assert!(!url.query().unwrap_or_default().contains('+'));
        }
    }

    /// The keyed MAC the signer keeps is as sensitive as the secret: it must be wiped on drop.
    /// Its key lives only in the two SHA-256 states `HmacCore` holds (inner and outer pad),
    /// which wipe themselves with sha2's `zeroize` feature.
    #[test]
    fn the_keyed_mac_is_zeroized_on_drop() {
        fn wiped<T: zeroize::ZeroizeOnDrop>() {}
        wiped::<<Sha256 as hmac::digest::block_api::CoreProxy>::Core>();
    }

    #[test]
    fn real_salts_are_fresh_lowercase_hex() {
        let signer = Signer::new("k", &Secret::new("s")).unwrap();
        let a = signer.sign().unwrap();
        let b = signer.sign().unwrap();
        assert_ne!(a.salt, b.salt);
        for salt in [&a.salt, &b.salt] {
            assert_eq!(salt.len(), 32);
            assert!(
                salt.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            );
        }
    }
}
