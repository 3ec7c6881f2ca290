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
//!
//! **The key's turn across hosts** ([`NonceSource::begin_call`]): sharing the nonce is not
//! enough, since two hosts' requests can overtake each other on the way to Zaif. A call first
//! takes a per-key lease (`SET NX PX`, a random token, an expiry), in the same script that
//! issues its nonce and a fencing value (`INCR`), so a nonce is only ever handed to the lease's
//! holder: a lost lease is detected before anything is sent. The lease is renewed while the
//! call lasts and released (compare-and-delete) when the answer is in; a holder that dies lets it
//! expire. A stored nonce more than a day ahead of Redis's clock is refused, never sent.

use payments_core::{Error, Secret, SendPhase};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::method::AuthMethod;
use super::nonce::{MAX_NONCE_LEAD, Nonce, NonceSource, NonceTurn, check_lead};
use crate::PROVIDER;

const NEXT_NONCE: &str = r"
local now = redis.call('TIME')
local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if last > micros + tonumber(ARGV[1]) then return redis.error_reply('NONCE_AHEAD') end
local next = micros
if last + 1 > next then next = last + 1 end
redis.call('SET', KEYS[1], string.format('%d', next))
return next
";

/// Takes the lease (KEYS[2]) with token ARGV[2] for ARGV[3] ms, and only then a fencing value
/// (KEYS[3]) and the next nonce (KEYS[1]); `false` while another holder has it.
const TAKE_TURN: &str = r"
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return false end
local now = redis.call('TIME')
local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if last > micros + tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[2])
  return redis.error_reply('NONCE_AHEAD')
end
local next = micros
if last + 1 > next then next = last + 1 end
redis.call('SET', KEYS[1], string.format('%d', next))
local fence = redis.call('INCR', KEYS[3])
return {next, fence}
";

/// Extends the lease only while it is still ours.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
";

/// Releases the lease only if it is still ours.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// How long a lease lasts without renewal (a holder that dies frees the key after this).
const LEASE: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a call waits for the key's turn before giving up (nothing sent).
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A nonce source backed by Redis. Connects on first use and reconnects after failures.
pub struct RedisNonce {
    client: redis::Client,
    key: String,
    script: redis::Script,
    connection: OnceCell<ConnectionManager>,
}

/// The held lease: renewed in the background, released when dropped.
struct Lease {
    renewal: tokio::task::JoinHandle<()>,
    release: Option<(ConnectionManager, String, String)>,
    /// The fencing value of this turn (strictly increasing per key).
    _fence: u64,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewal.abort();
        if let (Some((mut connection, key, token)), Ok(runtime)) =
            (self.release.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn(async move {
                let _: Result<i64, _> = redis::Script::new(RELEASE)
                    .key(&key)
                    .arg(&token)
                    .invoke_async(&mut connection)
                    .await;
            });
        }
    }
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

    async fn connection(&self) -> Result<ConnectionManager, Error> {
        self.connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(std::time::Duration::from_secs(2)))
                    .set_response_timeout(Some(std::time::Duration::from_secs(2)))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
            .map_err(|e| unavailable(&e))
    }
}

/// The lead limit in microseconds, for the scripts.
fn lead_micros() -> u64 {
    u64::try_from(MAX_NONCE_LEAD.as_micros()).unwrap_or(u64::MAX)
}

/// A script error: the store refusing a far-ahead nonce, or Redis unavailable.
fn script_error(error: &redis::RedisError) -> Error {
    if error.to_string().contains("NONCE_AHEAD") {
        return check_lead("ZAIF_NONCE_REDIS_URL", u64::MAX, 0)
            .err()
            .unwrap_or_else(|| unavailable(error));
    }
    unavailable(error)
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
        let mut connection = self.connection().await?;
        let micros: u64 = self
            .script
            .key(&self.key)
            .arg(lead_micros())
            .invoke_async(&mut connection)
            .await
            .map_err(|e| script_error(&e))?;
        Ok(Nonce::from_micros(micros))
    }

    /// Takes the key's lease across hosts (waiting while another holds it), and the nonce with
    /// it; the lease is renewed until the returned turn is dropped.
    async fn begin_call(&self) -> Result<NonceTurn, Error> {
        let mut connection = self.connection().await?;
        let lease_key = format!("{}:lease", self.key);
        let fence_key = format!("{}:fence", self.key);
        let token = hex::encode(rand::random::<[u8; 16]>());
        let ttl_ms = u64::try_from(LEASE.as_millis()).unwrap_or(5_000);
        let take = redis::Script::new(TAKE_TURN);
        let started = std::time::Instant::now();
        let (nonce, fence) = loop {
            let taken: Option<(u64, u64)> = take
                .key(&self.key)
                .key(&lease_key)
                .key(&fence_key)
                .arg(lead_micros())
                .arg(&token)
                .arg(ttl_ms)
                .invoke_async(&mut connection)
                .await
                .map_err(|e| script_error(&e))?;
            if let Some(taken) = taken {
                break taken;
            }
            if started.elapsed() > TURN_WAIT {
                return Err(Error::Transport {
                    provider: PROVIDER,
                    phase: SendPhase::NotSent,
                    message: "another process held this API key's turn too long; nothing was sent"
                        .into(),
                    source: None,
                });
            }
            // A short, jittered wait: the holder is waiting for one Zaif answer.
            let pause = 1 + u64::from(rand::random::<u8>() % 4);
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        };
        let renewal = {
            let mut connection = connection.clone();
            let (key, token) = (lease_key.clone(), token.clone());
            tokio::spawn(async move {
                let renew = redis::Script::new(RENEW);
                loop {
                    tokio::time::sleep(LEASE / 3).await;
                    let renewed: Result<i64, _> = renew
                        .key(&key)
                        .arg(&token)
                        .arg(ttl_ms)
                        .invoke_async(&mut connection)
                        .await;
                    if !matches!(renewed, Ok(1)) {
                        tracing::warn!("the Zaif key's lease could not be renewed");
                        return;
                    }
                }
            })
        };
        let lease = Lease {
            renewal,
            release: Some((connection, lease_key, token)),
            _fence: fence,
        };
        Ok(NonceTurn::new(
            Nonce::from_micros(nonce),
            Some(Box::new(lease)),
        ))
    }
}
