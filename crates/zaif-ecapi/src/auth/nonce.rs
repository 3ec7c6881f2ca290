//! The nonce: microseconds since the epoch, strictly increasing per key, and where it comes
//! from — in memory ([`InProcessNonce`]) or in a file shared by processes on one host
//! ([`FileNonce`]). The stores shared by hosts are `redis.rs` and `postgres.rs`.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use payments_core::Error;

/// A nonce: microseconds since the Unix epoch, written `seconds.micros`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nonce(u64);

impl Nonce {
    /// A nonce from a count of microseconds since the epoch.
    pub fn from_micros(micros: u64) -> Nonce {
        Nonce(micros)
    }

    /// Microseconds since the epoch.
    pub fn micros(&self) -> u64 {
        self.0
    }

    /// Parses the wire form (`1732521600.123456`, or a whole number) back; used by servers
    /// and tests that check ordering. Extra decimals beyond six are refused.
    pub fn parse(text: &str) -> Option<Nonce> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 6 {
            return None;
        }
        let seconds: u64 = whole.parse().ok()?;
        let micros: u64 = format!("{fraction:0<6}").parse().ok()?;
        seconds
            .checked_mul(1_000_000)?
            .checked_add(micros)
            .map(Nonce)
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

/// Where nonces come from. Every nonce a source returns is greater than every nonce it
/// returned before, for as long as the source's state lasts (the process, the file, Redis).
#[async_trait::async_trait]
pub trait NonceSource: Send + Sync + fmt::Debug {
    /// The next nonce. An error here means nothing was sent.
    async fn next_nonce(&self) -> Result<Nonce, Error>;

    /// Takes the key's turn in every process (and host) sharing this source, and a nonce
    /// within it. The turn lasts until the returned [`NonceTurn`] is dropped, which the client
    /// does once the answer is in, so calls with one key reach Zaif in nonce order whatever
    /// the network does between separate connections (Zaif's own advice: callers sharing a key
    /// wait for the previous call). The default takes no cross-process turn: right for a source
    /// used by one process only.
    async fn begin_call(&self) -> Result<NonceTurn, Error> {
        Ok(NonceTurn::new(self.next_nonce().await?, None))
    }
}

/// A nonce and the key's turn to send it (see [`NonceSource::begin_call`]); dropping it ends
/// the turn.
pub struct NonceTurn {
    nonce: Nonce,
    _held: Option<Box<dyn Send + Sync>>,
}

impl NonceTurn {
    /// A turn holding `held` (a lock, a lease) until dropped.
    pub fn new(nonce: Nonce, held: Option<Box<dyn Send + Sync>>) -> NonceTurn {
        NonceTurn { nonce, _held: held }
    }

    /// The nonce to send.
    pub fn nonce(&self) -> Nonce {
        self.nonce
    }
}

impl fmt::Debug for NonceTurn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceTurn")
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

/// How far ahead of the clock a stored nonce may be before it is refused: one nonce far in the
/// future is accepted by Zaif and then every later one is `nonce out of range`, which kills the
/// key for good.
pub const MAX_NONCE_LEAD: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Refuses a stored last nonce more than [`MAX_NONCE_LEAD`] ahead of `now`.
pub(crate) fn check_lead(store: &'static str, last: u64, now: u64) -> Result<(), Error> {
    let lead = u64::try_from(MAX_NONCE_LEAD.as_micros()).unwrap_or(u64::MAX);
    if last > now.saturating_add(lead) {
        return Err(Error::configuration(
            store,
            "holds a nonce more than a day ahead of the clock; refusing to send it (one such nonce makes every later one \"nonce out of range\" and the key unusable). Check the clock, or reset the store only with a new key",
        ));
    }
    Ok(())
}

/// Microseconds since the epoch, from the system clock.
fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The successor of `last` at time `now`: `max(now, last + 1)`.
fn successor(last: u64, now: u64) -> u64 {
    now.max(last.saturating_add(1))
}

/// The default nonce source: the clock in microseconds, never less than last + 1 µs, held in
/// memory. [`InProcessNonce::shared`] is one instance for the whole process, so every client
/// in the process, whatever its key, draws from the same increasing sequence.
#[derive(Clone)]
pub struct InProcessNonce {
    last: Arc<AtomicU64>,
    clock: fn() -> u64,
}

static SHARED: LazyLock<InProcessNonce> = LazyLock::new(|| InProcessNonce::with_clock(now_micros));

impl InProcessNonce {
    /// The process-wide source.
    pub fn shared() -> InProcessNonce {
        SHARED.clone()
    }

    /// A separate source reading `clock` (microseconds since the epoch), for tests.
    pub fn with_clock(clock: fn() -> u64) -> InProcessNonce {
        InProcessNonce {
            last: Arc::new(AtomicU64::new(0)),
            clock,
        }
    }

    /// The next nonce, synchronously.
    pub fn next(&self) -> Nonce {
        let now = (self.clock)();
        let previous = self
            .last
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| {
                Some(successor(last, now))
            })
            .unwrap_or_else(|last| last);
        Nonce(successor(previous, now))
    }
}

impl fmt::Debug for InProcessNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "InProcessNonce(last = {})",
            self.last.load(Ordering::Acquire)
        )
    }
}

#[async_trait::async_trait]
impl NonceSource for InProcessNonce {
    async fn next_nonce(&self) -> Result<Nonce, Error> {
        Ok(self.next())
    }

    // The default would box a second future (`next_nonce`) inside this one on every call.
    async fn begin_call(&self) -> Result<NonceTurn, Error> {
        Ok(NonceTurn::new(self.next(), None))
    }
}

/// A nonce source shared by separate processes on one host through a state file, under an
/// exclusive advisory lock: each process reads the last nonce, writes its successor, and lets
/// go. The command-line tool uses it (`ZAIF_NONCE_FILE`).
///
/// The clock is the floor, so losing the file (or a crash before the write reached the disk)
/// cannot make nonces go backwards unless the clock itself went back.
#[derive(Debug, Clone)]
pub struct FileNonce {
    path: PathBuf,
}

impl FileNonce {
    /// A source keeping its state in `path` (created when missing).
    pub fn new(path: impl Into<PathBuf>) -> FileNonce {
        FileNonce { path: path.into() }
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next nonce, synchronously (blocks while another process holds the lock).
    pub fn next_blocking(&self) -> Result<Nonce, Error> {
        self.take_blocking().map(|(nonce, _file)| nonce)
    }

    /// Opens the state file private to its user (0600, never through a symlink), locks it,
    /// and takes the next nonce; the lock lasts as long as the returned file.
    fn take_blocking(&self) -> Result<(Nonce, File), Error> {
        let io_error = |what: &str, err: std::io::Error| {
            Error::configuration("ZAIF_NONCE_FILE", format!("{what}: {err}"))
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let mut file: File = options
            .open(&self.path)
            .map_err(|e| io_error("cannot open the nonce file", e))?;
        file.lock()
            .map_err(|e| io_error("cannot lock the nonce file", e))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| io_error("cannot read the nonce file", e))?;
        let last = match text.trim() {
            "" => 0,
            stored => stored.parse::<u64>().map_err(|_| {
                Error::configuration(
                    "ZAIF_NONCE_FILE",
                    "the nonce file does not hold a whole number of microseconds",
                )
            })?,
        };
        let now = now_micros();
        check_lead("ZAIF_NONCE_FILE", last, now)?;
        let next = successor(last, now);
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.set_len(0))
            .and_then(|_| file.write_all(next.to_string().as_bytes()))
            .map_err(|e| io_error("cannot write the nonce file", e))?;
        Ok((Nonce(next), file))
    }
}

#[async_trait::async_trait]
impl NonceSource for FileNonce {
    async fn next_nonce(&self) -> Result<Nonce, Error> {
        let source = self.clone();
        tokio::task::spawn_blocking(move || source.next_blocking())
            .await
            .map_err(|e| Error::configuration("ZAIF_NONCE_FILE", e.to_string()))?
    }

    /// Holds the file's lock for the whole call: every process on this host that shares the
    /// key waits for the previous call's answer before taking its nonce.
    async fn begin_call(&self) -> Result<NonceTurn, Error> {
        let source = self.clone();
        let (nonce, file) = tokio::task::spawn_blocking(move || source.take_blocking())
            .await
            .map_err(|e| Error::configuration("ZAIF_NONCE_FILE", e.to_string()))??;
        Ok(NonceTurn::new(nonce, Some(Box::new(file))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_nonce_far_ahead_of_the_clock_is_refused_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonce");
        let ahead = now_micros() + 2 * 86_400_000_000;
        std::fs::write(&path, ahead.to_string()).unwrap();
        let err = FileNonce::new(&path).next_blocking().unwrap_err();
        assert!(err.to_string().contains("ZAIF_NONCE_FILE"), "{err}");
        assert!(err.to_string().contains("a day ahead"), "{err}");
        // Left untouched for a person to look at.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), ahead.to_string());
        // A small lead (a clock step back) is fine: the sequence continues from it.
        let near = now_micros() + 5_000_000;
        std::fs::write(&path, near.to_string()).unwrap();
        assert_eq!(
            FileNonce::new(&path).next_blocking().unwrap().micros(),
            near + 1
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_nonce_file_is_private_and_never_followed_through_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonce");
        FileNonce::new(&path).next_blocking().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "1").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(FileNonce::new(&link).next_blocking().is_err());
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "1",
            "not written through"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_turn_holds_the_lock_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let source = FileNonce::new(dir.path().join("nonce"));
        let turn = source.begin_call().await.unwrap();
        let other = source.clone();
        let (sent, mut waiting) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = sent.send(other.next_blocking());
        });
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        assert!(
            waiting.try_recv().is_err(),
            "another taker waits for the turn"
        );
        let first = turn.nonce();
        drop(turn);
        let second = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(second > first);
    }

    #[test]
    fn nonce_format_has_no_exponent_and_six_decimals() {
        assert_eq!(
            Nonce::from_micros(1_732_521_600_123_456).to_string(),
            "1732521600.123456"
        );
        assert_eq!(
            Nonce::from_micros(1_732_521_600_000_001).to_string(),
            "1732521600.000001"
        );
        assert_eq!(Nonce::from_micros(5).to_string(), "0.000005");
        for micros in [0, 1, 999_999, 1_000_000, u64::MAX] {
            let nonce = Nonce::from_micros(micros);
            assert_eq!(Nonce::parse(&nonce.to_string()), Some(nonce));
        }
        assert_eq!(Nonce::parse("12"), Some(Nonce::from_micros(12_000_000)));
        assert_eq!(Nonce::parse("1.5"), Some(Nonce::from_micros(1_500_000)));
        for bad in ["", "1e9", "-1", "1.1234567", ".5", "1.2.3"] {
            assert_eq!(Nonce::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn in_process_nonces_increase_when_the_clock_stands_still_or_steps_back() {
        static CLOCK: AtomicU64 = AtomicU64::new(2_000_000);
        let source = InProcessNonce::with_clock(|| CLOCK.load(Ordering::SeqCst));
        let a = source.next();
        let b = source.next();
        CLOCK.store(1_000_000, Ordering::SeqCst);
        let c = source.next();
        CLOCK.store(3_000_000, Ordering::SeqCst);
        let d = source.next();
        assert_eq!(
            [a, b, c, d].map(|n| n.micros()),
            [2_000_000, 2_000_001, 2_000_002, 3_000_000]
        );
    }

    #[test]
    fn in_process_nonces_are_unique_across_threads() {
        let source = InProcessNonce::with_clock(|| 42);
        let all = distinct_nonces(8, 1000, move || source.next().micros());
        assert_eq!(all.len(), 8000);
        assert_eq!(all[0], 42);
    }

    /// Takes `per_thread` nonces on each of `threads` threads; returns them sorted, deduplicated.
    fn distinct_nonces(
        threads: usize,
        per_thread: usize,
        next: impl Fn() -> u64 + Clone + Send + 'static,
    ) -> Vec<u64> {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let next = next.clone();
                std::thread::spawn(move || (0..per_thread).map(|_| next()).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    #[test]
    fn file_nonces_increase_across_independent_sources() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonce");
        // Pretend another process left a nonce far in the future.
        std::fs::write(&path, (now_micros() + 10_000_000).to_string()).unwrap();
        let first = FileNonce::new(&path).next_blocking().unwrap();
        let second = FileNonce::new(&path).next_blocking().unwrap();
        assert!(second > first);
        assert_eq!(second.micros(), first.micros() + 1);

        std::fs::write(&path, "garbage").unwrap();
        let err = FileNonce::new(&path).next_blocking().unwrap_err();
        assert_eq!(err.kind(), payments_core::ErrorKind::Configuration);
    }

    #[test]
    fn file_nonces_are_unique_under_concurrent_threads() {
        let dir = tempfile::tempdir().unwrap();
        let source = FileNonce::new(dir.path().join("nonce"));
        let all = distinct_nonces(4, 100, move || source.next_blocking().unwrap().micros());
        assert_eq!(all.len(), 400);
    }
}
