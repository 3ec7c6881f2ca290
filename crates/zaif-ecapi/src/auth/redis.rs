//! [`RedisNonce`]: one nonce sequence per API key shared by every process and host that uses
//! the same Redis (feature `redis`).
//!
//! Each nonce is one atomic Lua script on the Redis server: it reads Redis's own clock
//! (`TIME`, microseconds), takes `max(now, last + 1)` for the key, stores it and returns it.
//! Every instance therefore draws from one strictly increasing sequence, on one clock.
//!
//! The clock is the floor: if Redis restarts without persistence and forgets the last value,
//! the next nonce is the current time, which is past every nonce handed out before (the sequence
//! only runs ahead of the clock by one microsecond per call beyond a million calls a second, far
//! less than a restart takes), unless Redis's own clock went back.
//!
//! If Redis cannot be reached, taking a nonce fails with a transport error *before* anything is
//! sent to Zaif; there is no fallback to a local clock, which would break the other instances.

use payments_core::{Error, Secret, SendPhase};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use crate::PROVIDER;
use crate::auth::{AuthMethod, Nonce, NonceSource};

const NEXT_NONCE: &str = r"
local now = redis.call('TIME')
local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local next = micros
if last + 1 > next then next = last + 1 end
redis.call('SET', KEYS[1], string.format('%d', next))
return next
";

/// A nonce source backed by Redis. Connects on first use and reconnects after failures.
pub struct RedisNonce {
    client: redis::Client,
    key: String,
    script: redis::Script,
    connection: OnceCell<ConnectionManager>,
}

impl std::fmt::Debug for RedisNonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: only the derived key is shown.
        f.debug_struct("RedisNonce")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl RedisNonce {
    /// A source for `api_key` on the Redis at `url` (`redis://host:port/db`). The Redis key is
    /// `zaif-ecapi:nonce:` followed by the sha1 of the API key, never the key itself.
    pub fn new(url: &str, api_key: &Secret) -> Result<RedisNonce, Error> {
        let client = redis::Client::open(url).map_err(|_| {
            Error::configuration("ZAIF_NONCE_REDIS_URL", "is not a valid redis:// URL")
        })?;
        Ok(RedisNonce {
            client,
            key: format!(
                "zaif-ecapi:nonce:{}",
                AuthMethod::Sha1.hash(api_key).expose()
            ),
            script: redis::Script::new(NEXT_NONCE),
            connection: OnceCell::new(),
        })
    }

    /// The Redis key holding the last nonce.
    pub fn redis_key(&self) -> &str {
        &self.key
    }
}

fn unavailable(error: &redis::RedisError) -> Error {
    Error::Transport {
        provider: PROVIDER,
        phase: SendPhase::NotSent,
        message: format!(
            "the nonce store (Redis) is unavailable, nothing was sent to Zaif: {:?}",
            error.kind()
        ),
        source: None,
    }
}

#[async_trait::async_trait]
impl NonceSource for RedisNonce {
    async fn next_nonce(&self) -> Result<Nonce, Error> {
        let connection = self
            .connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(std::time::Duration::from_secs(2)))
                    .set_response_timeout(Some(std::time::Duration::from_secs(2)))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .map_err(|e| unavailable(&e))?;
        let mut connection = connection.clone();
        let micros: u64 = self
            .script
            .key(&self.key)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(Nonce::from_micros(micros))
    }
}
