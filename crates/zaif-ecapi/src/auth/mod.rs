//! Authentication (the API key and the md5/sha1 hash of the secret) and the nonce.
//!
//! Zaif authenticates each call with the API key and a lowercase hex hash of the API secret.
//! That hash *is* the credential on the wire, so it is computed once, when the client is built,
//! and held as a [`Secret`] like the secret itself.
//!
//! Every call also carries a `nonce` that must be greater than the last one Zaif saw **for that
//! key**. Decimals are accepted, so the nonce here is unixtime in microseconds written as
//! `seconds.micros` (`1732521600.123456`), and never less than the last nonce plus one
//! microsecond, so it stays strictly increasing when many tasks call at once or the clock steps
//! back.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex as StdMutex};

mod method;
mod nonce;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "redis")]
pub(crate) mod redis;

pub use method::AuthMethod;
pub use nonce::{FileNonce, InProcessNonce, MAX_NONCE_LEAD, Nonce, NonceSource, NonceTurn};

use payments_core::{Error, Secret};

/// The credentials sent with every call: the key, and the hashed secret.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) key: Secret,
    pub(crate) hashed_secret: Secret,
    pub(crate) method: AuthMethod,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("key", &self.key)
            .field("hashed_secret", &self.hashed_secret)
            .field("method", &self.method)
            .finish()
    }
}

impl Credentials {
    /// The credentials `method` sends: the key and that hash of the secret, computed once.
    pub(crate) fn new(key: Secret, secret: &Secret, method: AuthMethod) -> Credentials {
        Credentials {
            hashed_secret: method.hash(secret),
            key,
            method,
        }
    }

    /// Everything derived from these credentials that must never be shown: the secret, both of
    /// its hashes (an answer could echo either), and the key.
    pub(crate) fn secrets_to_redact(&self, secret: Secret) -> [Secret; 4] {
        [
            AuthMethod::Md5.hash(&secret),
            AuthMethod::Sha1.hash(&secret),
            secret,
            self.key.clone(),
        ]
    }

    /// The form body of one call: method, key, hashed secret, nonce, then the parameters.
    pub(crate) fn signed_form(
        &self,
        method: &str,
        nonce: Nonce,
        params: &[(&'static str, Cow<'_, str>)],
    ) -> Result<String, Error> {
        let nonce_text = nonce.to_string();
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 4);
        form.push(("method", method));
        form.push(("key", self.key.expose()));
        form.push((self.method.field(), self.hashed_secret.expose()));
        form.push(("nonce", &nonce_text));
        form.extend(params.iter().map(|(name, value)| (*name, value.as_ref())));
        serde_urlencoded::to_string(&form).map_err(|e| Error::invalid_input("form", e.to_string()))
    }
}

/// One send-order lock per API key (keyed by the key's sha1, never the key itself), shared by
/// every client in the process that uses the key.
static SEND_ORDER: LazyLock<StdMutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(|| StdMutex::new(HashMap::new()));

fn send_order_for(key: &Secret) -> Arc<tokio::sync::Mutex<()>> {
    let id = AuthMethod::Sha1.hash(key);
    let mut locks = SEND_ORDER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    locks.entry(id.expose().to_owned()).or_default().clone()
}

/// Signs calls. A call's nonce is taken under the key's send-order lock, and the lock is held
/// (by the returned [`SignedCall`]) until the answer is in, so calls with one key reach Zaif in
/// nonce order.
pub(crate) struct Signer {
    credentials: Credentials,
    nonce: Arc<dyn NonceSource>,
    send_order: Arc<tokio::sync::Mutex<()>>,
    /// Set when Zaif answered `nonce out of range`: the key can never be used again.
    dead: std::sync::atomic::AtomicBool,
}

/// The body of one signed call, and the key's turn to send it: keep it until the answer is read.
pub(crate) struct SignedCall<'a> {
    pub(crate) body: String,
    signer: &'a Signer,
    // Dropped in this order: the cross-process turn, then the in-process one.
    _source_turn: NonceTurn,
    _turn: tokio::sync::MutexGuard<'a, ()>,
}

impl Signer {
    pub(crate) fn new(credentials: Credentials, nonce: Arc<dyn NonceSource>) -> Signer {
        Signer {
            send_order: send_order_for(&credentials.key),
            credentials,
            nonce,
            dead: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn is_dead(&self) -> bool {
        self.dead.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits for the key's turn (in this process, then in every process sharing the nonce
    /// source), takes a fresh nonce and signs `method` with `params`.
    pub(crate) async fn sign(
        &self,
        method: &str,
        params: &[(&'static str, Cow<'_, str>)],
    ) -> Result<SignedCall<'_>, Error> {
        let turn = self.send_order.lock().await;
        self.sign_in_turn(turn, method, params).await
    }

    /// Like [`Signer::sign`], but only if the key is free in this process now.
    async fn try_sign(
        &self,
        method: &str,
        params: &[(&'static str, Cow<'_, str>)],
    ) -> Option<Result<SignedCall<'_>, Error>> {
        let turn = self.send_order.try_lock().ok()?;
        Some(self.sign_in_turn(turn, method, params).await)
    }

    async fn sign_in_turn<'a>(
        &'a self,
        turn: tokio::sync::MutexGuard<'a, ()>,
        method: &str,
        params: &[(&'static str, Cow<'_, str>)],
    ) -> Result<SignedCall<'a>, Error> {
        let source_turn = self.nonce.begin_call().await?;
        let body = self
            .credentials
            .signed_form(method, source_turn.nonce(), params)?;
        Ok(SignedCall {
            body,
            signer: self,
            _source_turn: source_turn,
            _turn: turn,
        })
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

impl SignedCall<'_> {
    /// Zaif answered `nonce out of range`: the key is dead. The pool stops using it, and says
    /// so once (a warning naming the key's position, never the key).
    pub(crate) fn key_is_dead(&self) {
        if !self
            .signer
            .dead
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::warn!(
                provider = "zaif",
                "an API key was refused with `nonce out of range` and can no longer be used: this client stops using it; issue a new API key"
            );
        }
    }
}

/// Several API keys of one account, each with its own nonce sequence and send order, so that
/// calls on different keys travel at once (one key carries one call per round trip).
pub(crate) struct KeyPool {
    signers: Vec<Signer>,
    next: std::sync::atomic::AtomicUsize,
}

impl KeyPool {
    /// A pool over `signers`; the first is the primary key.
    pub(crate) fn new(signers: Vec<Signer>) -> KeyPool {
        KeyPool {
            signers,
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Signs with the first live key free in this process; when every live key is busy, waits
    /// for the next one in turn, so waiting calls spread over the keys. Keys Zaif declared dead
    /// (`nonce out of range`) are skipped; when none is left, nothing is sent.
    pub(crate) async fn sign(
        &self,
        method: &str,
        params: &[(&'static str, Cow<'_, str>)],
    ) -> Result<SignedCall<'_>, Error> {
        let live = || self.signers.iter().filter(|s| !s.is_dead());
        for signer in live() {
            if let Some(signed) = signer.try_sign(method, params).await {
                return signed;
            }
        }
        let next = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let waiting_for = live()
            .nth(next % live().count().max(1))
            // A key died since the count: the first one still alive.
            .or_else(|| live().next());
        match waiting_for {
            Some(signer) => signer.sign(method, params).await,
            None => Err(Error::configuration(
                "ZAIF_API_KEY",
                "every API key of this client was refused earlier with `nonce out of range` and can no longer be used: issue a new API key",
            )),
        }
    }

    /// The primary key's signer.
    pub(crate) fn primary(&self) -> &Signer {
        &self.signers[0]
    }

    pub(crate) fn len(&self) -> usize {
        self.signers.len()
    }
}

impl fmt::Debug for KeyPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.signers).finish()
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

/// Where each key of a pool keeps its nonce when the client was not given one source for all.
#[derive(Debug, Clone)]
pub(crate) enum PerKeyStore {
    /// A state file per key: the path for the primary key, `{path}.{key id}` for the others.
    File(PathBuf),
    /// A Redis sequence and lease per key (`ZAIF_NONCE_REDIS_URL`).
    Redis(String),
    /// A PostgreSQL row and advisory lock per key, one pool for all (`ZAIF_NONCE_POSTGRES_URL`).
    #[cfg(feature = "postgres")]
    Postgres(payments_core::postgres::Database),
}

impl PerKeyStore {
    /// The nonce source of the pool's key number `index`.
    pub(crate) fn source_for(
        &self,
        index: usize,
        key: &Secret,
    ) -> Result<Arc<dyn NonceSource>, Error> {
        match self {
            PerKeyStore::File(path) if index == 0 => Ok(Arc::new(FileNonce::new(path.clone()))),
            PerKeyStore::File(path) => {
                // A hash of the key, never the key itself, names its file.
                let id = AuthMethod::Sha1.hash(key);
                let mut name = path.clone().into_os_string();
                name.push(format!(".{}", &id.expose()[..12]));
                Ok(Arc::new(FileNonce::new(name)))
            }
            PerKeyStore::Redis(url) => redis_nonce(url, key),
            #[cfg(feature = "postgres")]
            PerKeyStore::Postgres(database) => {
                Ok(Arc::new(postgres::PostgresNonce::on(database.clone(), key)))
            }
        }
    }

    /// The PostgreSQL store for `ZAIF_NONCE_POSTGRES_URL`. Never a silent fallback: without the
    /// `postgres` feature, the variable is a configuration error.
    pub(crate) fn postgres(url: &Secret) -> Result<PerKeyStore, Error> {
        #[cfg(feature = "postgres")]
        {
            payments_core::postgres::Database::open(url, 16)
                .map(PerKeyStore::Postgres)
                .map_err(|e| Error::configuration("ZAIF_NONCE_POSTGRES_URL", e.to_string()))
        }
        #[cfg(not(feature = "postgres"))]
        {
            let _ = url;
            Err(Error::configuration(
                "ZAIF_NONCE_POSTGRES_URL",
                "is set, but zaif-ecapi was built without its `postgres` feature",
            ))
        }
    }
}

/// The Redis nonce store for `ZAIF_NONCE_REDIS_URL`. Never a silent fallback: without the
/// `redis` feature, the variable is a configuration error.
#[cfg(feature = "redis")]
fn redis_nonce(url: &str, key: &Secret) -> Result<Arc<dyn NonceSource>, Error> {
    Ok(Arc::new(redis::RedisNonce::new(url, key)?))
}

#[cfg(not(feature = "redis"))]
fn redis_nonce(_url: &str, _key: &Secret) -> Result<Arc<dyn NonceSource>, Error> {
    Err(Error::configuration(
        "ZAIF_NONCE_REDIS_URL",
        "is set, but zaif-ecapi was built without its `redis` feature",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lowercase_hex_of_the_secret() {
        let secret = Secret::new("secret");
        // Known answers: `printf secret | md5sum` and `printf secret | sha1sum`.
        assert_eq!(
            AuthMethod::Md5.hash(&secret).expose(),
            "5ebe2294ecd0e0f08eab7690d2a6ee69"
        );
        assert_eq!(
            AuthMethod::Sha1.hash(&secret).expose(),
            "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
        );
        assert_eq!(AuthMethod::Md5.field(), "md5secret");
        assert_eq!(AuthMethod::default(), AuthMethod::Sha1);
    }

    #[test]
    fn auth_method_parses_and_names_the_variable() {
        assert_eq!("MD5".parse::<AuthMethod>().unwrap(), AuthMethod::Md5);
        assert_eq!(" sha1 ".parse::<AuthMethod>().unwrap(), AuthMethod::Sha1);
        let err = "sha256".parse::<AuthMethod>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration error: ZAIF_AUTH: must be md5 or sha1"
        );
    }

    #[test]
    fn credentials_debug_shows_neither_key_nor_hash() {
        let secret = Secret::new("my-api-secret");
        let credentials = Credentials {
            key: Secret::new("490f983a-5fab-49b2-b789-9d1f130874d3"),
            hashed_secret: AuthMethod::Sha1.hash(&secret),
            method: AuthMethod::Sha1,
        };
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("490f983a"), "{shown}");
        assert!(
            !shown.contains(credentials.hashed_secret.expose()),
            "{shown}"
        );
    }
}
