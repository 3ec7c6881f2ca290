//! Helpers for the workspace's own tests and benchmarks: not published, not part of the SDK's
//! API. Every crate takes it as a dev-dependency only, so no SDK user compiles it.
//!
//! * [`CapturedLogs`]: everything `tracing` writes, to check no secret reaches the logs.
//! * [`record`]: an `httpmock` mock that answers every request and records what it received,
//!   so tests can assert the exact method, path, query, headers and body field by field.

// Re-exported so crates whose manifest must stay free of test servers (payments-core) can still
// mock a provider.
pub use httpmock;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// Collects everything `tracing` writes at TRACE level on the current thread, for tests that
/// check no secret reaches the logs.
///
/// ```
/// let logs = payments_test_support::CapturedLogs::start();
/// tracing::info!(provider = "zaif", "hello");
/// assert!(logs.text().contains("hello"));
/// ```
pub struct CapturedLogs {
    buffer: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
    _anchor: tracing::Dispatch,
}

/// A dispatcher that is never installed anywhere but stays registered while logs are captured.
///
/// `tracing` caches each callsite's interest process-wide. With a single registered dispatcher,
/// the first thread to reach a callsite decides that interest from its own default, so a
/// parallel test thread without a subscriber would cache "never" and blind the capture. A
/// second, always-interested dispatcher makes the interest the union of all registered ones.
struct Anchor;

impl tracing::Subscriber for Anchor {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }

    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[derive(Clone)]
struct Writer(Arc<Mutex<Vec<u8>>>);

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    /// Starts capturing on this thread (a `#[tokio::test]` runs on one) until dropped.
    pub fn start() -> CapturedLogs {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Writer(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let anchor = tracing::Dispatch::new(Anchor);
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        CapturedLogs {
            buffer,
            _guard: guard,
            _anchor: anchor,
        }
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        let bytes = self
            .buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::fmt::Debug for CapturedLogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CapturedLogs")
    }
}

/// One request as an [`httpmock`] mock received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The method (`POST`).
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, as sent (still percent-encoded).
    pub raw_query: String,
    /// The headers, as sent.
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
}

impl Received {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The query, decoded, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.raw_query.as_bytes())
            .into_owned()
            .collect()
    }

    /// The value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The body as an `application/x-www-form-urlencoded` form, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The requests a [`record`]ed mock received, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Recorder {
    /// Every request so far.
    pub fn all(&self) -> Vec<Received> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The first request.
    ///
    /// # Panics
    /// When nothing was received (a test failure).
    pub fn first(&self) -> Received {
        self.all()
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("the mock received no request"))
    }
}

/// Mocks every request to `server` with `status` and `body`, recording each request.
pub async fn record<'s>(
    server: &'s httpmock::MockServer,
    status: u16,
    body: &str,
) -> (Recorder, httpmock::Mock<'s>) {
    record_with_headers(server, status, &std::collections::BTreeMap::new(), body).await
}

/// Like [`record`], answering with extra `headers` too.
pub async fn record_with_headers<'s>(
    server: &'s httpmock::MockServer,
    status: u16,
    headers: &std::collections::BTreeMap<String, String>,
    body: &str,
) -> (Recorder, httpmock::Mock<'s>) {
    let headers = headers.clone();
    let recorder = Recorder::default();
    let sink = recorder.clone();
    let body = body.to_owned();
    let mock = server
        .mock_async(move |when, then| {
            when.is_true(move |req| {
                let uri = req.uri();
                sink.0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Received {
                        method: req.method().to_string(),
                        path: uri.path().to_owned(),
                        raw_query: uri.query().unwrap_or_default().to_owned(),
                        headers: req.headers_vec().clone(),
                        body: req.body().as_ref().to_vec(),
                    });
                true
            });
            let mut then = then.status(status);
            for (name, value) in &headers {
                then = then.header(name, value);
            }
            then.body(body);
        })
        .await;
    (recorder, mock)
}

pub mod fixture;
pub mod round_trip;

/// The runtime the benchmarks use: two worker threads, like the machine.
///
/// # Panics
/// When the runtime cannot be built (a benchmark failure).
pub fn bench_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot build the runtime: {e}"))
}

/// The runtime the round-trip benchmarks use: one thread for the client and the local server.
///
/// On a two-core machine a multi-threaded round trip over loopback is mostly thread wake-ups
/// (a `perf` profile showed 40% scheduler time), whose run-to-run spread is larger than what a
/// client adds. On one thread the request, the server's answer and the decode run back to back,
/// so the raw and typed figures differ by the client's own work.
///
/// It also makes the process's tracing what a merchant's build has: a benchmark is built with
/// its crate's dev-dependencies, and `httpmock` turns on tracing's `log` feature, which sends
/// every span to the `log` crate while no tracing subscriber is set (about 600 instructions a
/// call). No merchant build has that feature from this SDK, and an application that has it
/// sets a subscriber; an empty one is set here, so the SDK's spans cost what they cost there.
///
/// # Panics
/// When the runtime cannot be built (a benchmark failure).
pub fn round_trip_runtime() -> tokio::runtime::Runtime {
    // Already set (a second runtime in one process) is fine: the first one stays.
    let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot build the runtime: {e}"))
}

/// The arguments of a `*_call_cost` example (`CONTESTANT N`, for `cargo xtask instructions`):
/// the contestant (`typed` when absent) and the number of calls (100 when absent).
pub fn call_cost_args() -> (String, usize) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let contestant = args.first().cloned().unwrap_or_else(|| "typed".into());
    let calls = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100);
    (contestant, calls)
}

/// A plain `reqwest::ClientBuilder` with the SDK's TLS setup (the workspace's reqwest has no
/// crypto provider of its own; see `payments_core::http::tls_config`), for raw baselines and
/// tests that need a client of their own.
///
/// # Panics
/// When no root certificate loads (a test-environment failure).
pub fn raw_reqwest() -> reqwest::ClientBuilder {
    let config = payments_core::http::HttpConfig::new("payments-test-support", "0");
    let tls = payments_core::http::tls_config(&config)
        .unwrap_or_else(|e| panic!("no TLS configuration: {e}"));
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

/// Raw `reqwest` with the SDK's transport settings (request and connect timeouts, no
/// redirects, no proxy), for the fair floors: a payment client must bound every wait, and that
/// bound (a tokio timer per request, an epoll timeout in the kernel) costs about a tenth of a
/// loopback round trip, which a floor without it would count against the client.
pub fn sdk_configured_reqwest() -> reqwest::ClientBuilder {
    raw_reqwest()
        .connect_timeout(payments_core::http::DEFAULT_CONNECT_TIMEOUT)
        .timeout(payments_core::http::DEFAULT_REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
}

/// The floor the benchmarks compare with: send `request` with plain `reqwest` and decode the
/// answer into a `serde_json::Value`.
///
/// # Panics
/// When the request fails or the answer is not JSON (a benchmark failure).
pub async fn raw_json(request: reqwest::RequestBuilder) -> serde_json::Value {
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("raw request failed: {e}"));
    let body = response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("raw body failed: {e}"));
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("raw answer is not JSON: {e}"))
}

/// A minimal HTTP server on 127.0.0.1 that answers every request with one fixed body, for
/// benchmarks: as fast as axum on hyper can be, so the client's own cost shows.
#[derive(Debug)]
pub struct StaticServer {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl StaticServer {
    /// Starts serving `body` with `status` and `content_type` on a free port.
    pub async fn start(
        status: u16,
        content_type: &'static str,
        body: &'static str,
    ) -> std::io::Result<StaticServer> {
        StaticServer::start_delayed(status, content_type, body, std::time::Duration::ZERO).await
    }

    /// Like [`StaticServer::start`], answering each request only after `delay` (a provider's
    /// own processing time).
    pub async fn start_delayed(
        status: u16,
        content_type: &'static str,
        body: &'static str,
        delay: std::time::Duration,
    ) -> std::io::Result<StaticServer> {
        use axum::http::{StatusCode, header};
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        let app = axum::Router::new().fallback(move || async move {
            if !delay.is_zero() {
                // A thread's sleep, not tokio's timer: the timer's 1 ms ticks would round the
                // delay up by a phase that shifts with whatever the client did before.
                let _ = tokio::task::spawn_blocking(move || std::thread::sleep(delay)).await;
            }
            (status, [(header::CONTENT_TYPE, content_type)], body)
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StaticServer { url, task })
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A real `redis-server` on a free loopback port, persistence off, for tests; stopped on drop.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    child: Option<std::process::Child>,
}

impl RedisServer {
    /// Starts one. Without a `redis-server` on `PATH` it returns `None` after saying so, so a
    /// developer's run can skip; under CI (`CI` set) a missing binary is a failure, since
    /// `.ci/run` installs it.
    pub fn start() -> Option<RedisServer> {
        if !Self::available() {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is not installed, but CI must run the Redis tests (.ci/run installs it)"
            );
            eprintln!("skipping: redis-server is not installed (apt-get install redis-server)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let mut server = RedisServer { port, child: None };
        server.restart();
        Some(server)
    }

    /// Whether `redis-server` is on `PATH`.
    pub fn available() -> bool {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("redis-server").is_file())
        })
    }

    /// `redis://127.0.0.1:port/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (its data is gone: persistence is off).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(std::env::temp_dir())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server: {e}"));
        self.child = Some(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A private PostgreSQL cluster for tests: `initdb` in a temporary folder, started on a free
/// loopback port (as the `postgres` user when the tests run as root, since PostgreSQL refuses
/// root), stopped when dropped.
#[derive(Debug)]
pub struct PostgresServer {
    port: u16,
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl PostgresServer {
    /// Starts one. Without PostgreSQL's server binaries it returns `None` after saying so, so a
    /// developer's run can skip; under CI (`CI` set) that is a failure, since `.ci/run` installs
    /// them.
    pub fn start() -> Option<PostgresServer> {
        let Some(bin) = Self::bin_dir() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL is not installed, but CI must run the PostgreSQL tests (.ci/run installs it)"
            );
            eprintln!("skipping: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary folder: {e}"));
        let data = dir.path().join("data");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let server = PostgresServer {
            port,
            bin,
            data,
            _dir: dir,
        };
        server.give_to_postgres(server._dir.path());
        server.run(
            "initdb",
            &[
                "-D",
                &server.data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {port} -h 127.0.0.1 -k {} -c fsync=off -c max_connections=200",
            server._dir.path().display()
        );
        server.run(
            "pg_ctl",
            &[
                "-D",
                &server.data.display().to_string(),
                "-l",
                &server._dir.path().join("log").display().to_string(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        Some(server)
    }

    /// One cluster for every test of this process, started on first use (an `initdb` per test
    /// would cost each a second or two). A static is never dropped, so a watchdog stops the
    /// cluster and removes its folder once this process is gone, however it ends.
    pub fn shared() -> Option<&'static PostgresServer> {
        static SHARED: std::sync::OnceLock<Option<PostgresServer>> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| {
                let server = PostgresServer::start()?;
                server.stop_when_this_process_ends();
                Some(server)
            })
            .as_ref()
    }

    /// A new, empty database on this process's shared cluster ([`PostgresServer::shared`]),
    /// from async code: the cluster and the database's URL; `None` where PostgreSQL is not
    /// installed outside CI.
    pub async fn shared_database() -> Option<(&'static PostgresServer, String)> {
        let server = tokio::task::spawn_blocking(PostgresServer::shared)
            .await
            .unwrap_or_else(|e| panic!("starting the cluster panicked: {e}"))?;
        let url = tokio::task::spawn_blocking(|| server.create_database())
            .await
            .unwrap_or_else(|e| panic!("createdb panicked: {e}"));
        Some((server, url))
    }

    /// A new, empty database on this cluster (its name unique in this process); its URL.
    pub fn create_database(&self) -> String {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("test_{}_{n}", std::process::id());
        let output = std::process::Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .arg(&name)
            .output()
            .unwrap_or_else(|e| panic!("cannot run createdb: {e}"));
        assert!(
            output.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// `postgres://postgres@127.0.0.1:port/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    fn stop_when_this_process_ends(&self) {
        let as_postgres = if Self::is_root() {
            "setpriv --reuid=postgres --regid=postgres --init-groups -- "
        } else {
            ""
        };
        // Detached (`( … ) &`): the shell that starts it exits at once and is waited for.
        let script = format!(
            "(while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {as_postgres}'{pg_ctl}' -D '{data}' -m immediate stop; rm -rf '{dir}') &",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.data.display(),
            dir = self._dir.path().display(),
        );
        std::process::Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot start the cluster's watchdog: {e}"));
    }

    /// The folder of `initdb` and `pg_ctl`: `pg_config --bindir`, else Debian's
    /// `/usr/lib/postgresql/N/bin` (newest first).
    fn bin_dir() -> Option<std::path::PathBuf> {
        let from_pg_config = std::process::Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        let mut candidates: Vec<std::path::PathBuf> = from_pg_config.into_iter().collect();
        if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
            let mut found: Vec<std::path::PathBuf> = versions
                .filter_map(|v| v.ok())
                .map(|v| v.path().join("bin"))
                .collect();
            found.sort();
            candidates.extend(found.into_iter().rev());
        }
        candidates
            .into_iter()
            .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
    }

    fn is_root() -> bool {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }

    /// As root, hands `folder` to the `postgres` user (PostgreSQL will not run as root).
    fn give_to_postgres(&self, folder: &std::path::Path) {
        if Self::is_root() {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(folder)
                .status()
                .unwrap_or_else(|e| panic!("chown: {e}"));
            assert!(
                status.success(),
                "cannot give the test cluster to the postgres user"
            );
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if Self::is_root() {
            let mut command = std::process::Command::new("setpriv");
            command
                .args([
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--init-groups",
                    "--",
                ])
                .arg(&path);
            command
        } else {
            std::process::Command::new(&path)
        };
        let output = command
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            output.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let data = self.data.display().to_string();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if Self::is_root() {
            std::process::Command::new("setpriv")
                .args([
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--init-groups",
                    "--",
                ])
                .arg(&path)
                .args(args)
                .output()
        } else {
            std::process::Command::new(&path).args(args).output()
        };
    }
}
