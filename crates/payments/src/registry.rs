//! [`Providers`]: several providers held as `Arc<dyn PaymentProvider>`, chosen at run time.

use std::collections::BTreeMap;
use std::sync::Arc;

use payments_core::config::{EnvSource, ProcessEnv};
use payments_core::{Error, PaymentProvider};

/// The providers an application uses, by name (`"zaif"`, `"paymentoptions"`, `"interstream"`).
///
/// ```
/// use std::sync::Arc;
/// use payments::Providers;
///
/// // Only INTER-STREAM is configured here, so only it is built.
/// let env = [
///     ("INTERSTREAM_API_URL", "https://tv.example/api.php"),
///     ("INTERSTREAM_KEY_ID", "1b323a1cb879fd4e66530fbad07a32ee"),
///     ("INTERSTREAM_SHARED_SECRET", "s3cret"),
/// ];
/// let providers = Providers::from_env_with(&env)?;
/// # #[cfg(feature = "interstream")]
/// assert_eq!(providers.names().collect::<Vec<_>>(), ["interstream"]);
/// # Ok::<(), payments::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Providers {
    by_name: BTreeMap<&'static str, Arc<dyn PaymentProvider>>,
}

impl Providers {
    /// No providers.
    pub fn new() -> Providers {
        Providers::default()
    }

    /// Adds `provider` under its [`PaymentProvider::name`], replacing one of the same name.
    pub fn with(mut self, provider: Arc<dyn PaymentProvider>) -> Providers {
        self.insert(provider);
        self
    }

    /// Adds `provider` under its name; returns the one it replaced, if any.
    pub fn insert(
        &mut self,
        provider: Arc<dyn PaymentProvider>,
    ) -> Option<Arc<dyn PaymentProvider>> {
        self.by_name.insert(provider.name(), provider)
    }

    /// The provider called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn PaymentProvider>> {
        self.by_name.get(name).cloned()
    }

    /// The provider called `name`, or a configuration error naming it.
    pub fn require(&self, name: &str) -> Result<Arc<dyn PaymentProvider>, Error> {
        self.get(name).ok_or_else(|| {
            Error::configuration(
                name.to_owned(),
                "this provider is not configured (or its cargo feature is off)",
            )
        })
    }

    /// The names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_name.keys().copied()
    }

    /// The providers, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn PaymentProvider>> + '_ {
        self.by_name.values()
    }

    /// How many providers there are.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Builds every provider (among the enabled features) whose environment variables are set.
    /// A provider with some of its variables set but not all is a configuration error naming
    /// the missing one, not silently skipped.
    pub fn from_env() -> Result<Providers, Error> {
        Providers::from_env_with(&ProcessEnv)
    }

    /// Like [`Providers::from_env`], reading from `env`.
    pub fn from_env_with(env: &dyn EnvSource) -> Result<Providers, Error> {
        let mut providers = Providers::new();
        for build in CONFIGURED {
            if let Some(provider) = build(env)? {
                providers.insert(provider);
            }
        }
        Ok(providers)
    }
}

/// Builds one provider from the environment, or `None` when it is not configured there.
type FromEnv = fn(&dyn EnvSource) -> Result<Option<Arc<dyn PaymentProvider>>, Error>;

/// Every provider compiled in, each described by its own crate (`ENV_VARS`,
/// `from_env_if_configured`). A new provider is one line here.
const CONFIGURED: &[FromEnv] = &[
    #[cfg(feature = "zaif")]
    |env| shared(zaif_ecapi::ZaifClient::from_env_if_configured(env)),
    #[cfg(feature = "paymentoptions")]
    |env| shared(paymentoptions::PaymentOptionsClient::from_env_if_configured(env)),
    #[cfg(feature = "interstream")]
    |env| shared(interstream_store::InterstreamClient::from_env_if_configured(env)),
];

#[cfg(any(feature = "zaif", feature = "paymentoptions", feature = "interstream"))]
fn shared<P: PaymentProvider + 'static>(
    built: Result<Option<P>, impl Into<Error>>,
) -> Result<Option<Arc<dyn PaymentProvider>>, Error> {
    Ok(built
        .map_err(Into::into)?
        .map(|provider| Arc::new(provider) as Arc<dyn PaymentProvider>))
}
