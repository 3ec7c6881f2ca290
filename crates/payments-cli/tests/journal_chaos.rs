//! Kill -9 chaos: a driver process runs journaled payments (all three providers; PaymentOptions
//! purchases with refunds and authorizations with captures) against the sandbox, whose answers
//! are dropped at random after processing; the supervisor kills the driver with SIGKILL at
//! random moments and restarts it with the same keys until every key is done; then every
//! pending intent is reconciled and the journal is checked against the sandbox's ledger:
//! no duplicated charge, no lost payment, no intent left pending.
//!
//! One binary plays both parts: `PAYMENTS_CHAOS_ROLE=driver` makes it the driver.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use payments::card::Card;
use payments::http::HttpConfig;
use payments::interstream::InterstreamClient;
use payments::journal::{
    IdempotencyKey, IntentState, IntentStore, Journaled, PostgresStore, SqliteStore,
};
use payments::paymentoptions::PaymentOptionsClient;
use payments::retry::RetryPolicy;
use payments::zaif::ZaifClient;
use payments::{
    Capabilities, Currency, Customer, Error, Lookup, Money, Payment, PaymentMethod,
    PaymentProvider, PaymentRequest, PendingCall, ReturnUrls, Secret, Url,
};
use payments_sandbox::{FaultKind, FaultRule, Provider, Sandbox, SandboxConfig, StoreUser};
use payments_test_support::PostgresServer;

/// Journaled items: each is one payment (and a refund or capture for PaymentOptions).
const ITEMS: usize = 240;
/// At least this many SIGKILLs before the driver is left to finish.
const KILLS: usize = 32;
/// INTER-STREAM users the payments are spread over (payments to one user are serialized).
const USERS: u64 = 6;
/// A call's lease: above the clients' request timeout and retry budget.
const LEASE: Duration = Duration::from_secs(3);
const APPROVED_CARD: &str = "5200000000001005";

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if std::env::var("PAYMENTS_CHAOS_ROLE").as_deref() == Ok("driver") {
        return runtime.block_on(driver());
    }
    // One driver on a SQLite journal; then four drivers at once, handed the same keys, on one
    // PostgreSQL journal (as four servers would be).
    let mut failures = Vec::new();
    let sqlite = runtime.block_on(supervisor(Scenario::Sqlite));
    failures.extend(sqlite.err().map(|why| format!("sqlite: {why}")));
    match PostgresServer::start() {
        Some(server) => {
            let postgres = runtime.block_on(supervisor(Scenario::Postgres(server.url())));
            failures.extend(postgres.err().map(|why| format!("postgres: {why}")));
        }
        None => println!("journal chaos on PostgreSQL skipped: PostgreSQL is not installed"),
    }
    if failures.is_empty() {
        println!("1 passed, 0 failed");
        ExitCode::SUCCESS
    } else {
        println!("journal chaos FAILED: {}", failures.join("; "));
        println!("0 passed, 1 failed");
        ExitCode::FAILURE
    }
}

/// Where the journal lives, and how many drivers share it.
#[derive(Debug, Clone)]
enum Scenario {
    Sqlite,
    Postgres(String),
}

impl Scenario {
    fn drivers(&self) -> usize {
        match self {
            Scenario::Sqlite => 1,
            Scenario::Postgres(_) => 4,
        }
    }
}

/// The journal a driver was told to use (`PAYMENTS_CHAOS_JOURNAL_URL`, else the SQLite file
/// `PAYMENTS_CHAOS_JOURNAL`).
async fn open_journal(url: Option<&str>, file: &std::path::Path) -> Arc<dyn IntentStore> {
    match url {
        Some(url) => Arc::new(PostgresStore::connect(&Secret::new(url)).await.unwrap()),
        None => Arc::new(SqliteStore::open(file).unwrap()),
    }
}

/// What item `i` pays, and with which keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Zaif,
    PurchaseThenRefund,
    AuthorizeThenCapture,
    Interstream { user: u64 },
}

fn plan(i: usize) -> Plan {
    match i % 4 {
        0 => Plan::Zaif,
        1 => Plan::PurchaseThenRefund,
        2 => Plan::AuthorizeThenCapture,
        _ => Plan::Interstream {
            user: (i as u64 / 4) % USERS + 1,
        },
    }
}

fn create_key(i: usize) -> String {
    format!("chaos-c{i}")
}

fn follow_up_key(i: usize) -> String {
    format!("chaos-f{i}")
}

// ---------------------------------------------------------------------------------------------
// The driver.

/// A provider that waits a random moment before each money-moving call reaches the wire: a
/// window between the journal's claim and the send, for the supervisor's kills to land in.
#[derive(Debug)]
struct Hesitant(Arc<dyn PaymentProvider>);

async fn hesitate() {
    tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 25)).await;
}

#[payments::async_trait]
impl PaymentProvider for Hesitant {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    async fn create_payment(&self, request: &PaymentRequest) -> payments::Result<Payment> {
        hesitate().await;
        self.0.create_payment(request).await
    }
    async fn get_payment(&self, id: &str) -> payments::Result<Payment> {
        self.0.get_payment(id).await
    }
    async fn capture_payment(&self, id: &str, amount: Option<Money>) -> payments::Result<Payment> {
        hesitate().await;
        self.0.capture_payment(id, amount).await
    }
    async fn refund_payment(&self, id: &str, amount: Option<Money>) -> payments::Result<Payment> {
        hesitate().await;
        self.0.refund_payment(id, amount).await
    }
    fn reconciliation_scope(&self, call: &PendingCall) -> Option<String> {
        self.0.reconciliation_scope(call)
    }
    async fn prepare_reconciliation(&self, call: &PendingCall) -> payments::Result<Option<String>> {
        self.0.prepare_reconciliation(call).await
    }
    async fn reconcile(&self, call: &PendingCall) -> payments::Result<Lookup> {
        self.0.reconcile(call).await
    }
}

struct Clients {
    zaif: Journaled,
    paymentoptions: Journaled,
    interstream: Journaled,
}

/// The clients from the sandbox's variables, with a short timeout and retry budget so a lost
/// answer becomes provable ("not taken") within seconds.
fn clients(
    env: &[(&'static str, String)],
    store: Arc<dyn IntentStore>,
    nonce: &std::path::Path,
) -> Clients {
    let http = HttpConfig::new("chaos", "1").request_timeout(Duration::from_millis(1500));
    let retry = RetryPolicy::default().max_elapsed(Duration::from_millis(500));
    let var = |name: &str| env.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    // Four drivers stand for four servers: their Zaif nonces and send order come from the
    // database (ZAIF_NONCE_POSTGRES_URL) when they share one; else from a file on this host.
    let mut zaif = ZaifClient::builder_from_env(&env.to_vec()).unwrap();
    if !env
        .iter()
        .any(|(name, _)| *name == "ZAIF_NONCE_POSTGRES_URL")
    {
        zaif = zaif.nonce_file(nonce);
    }
    let zaif = zaif
        .http_config(http.clone())
        .retry_policy(retry.clone())
        .build()
        .unwrap();
    let paymentoptions = PaymentOptionsClient::builder()
        .api_key(var("PAYMENTOPTIONS_API_KEY"))
        .merchant_id(var("PAYMENTOPTIONS_MERCHANT_ID"))
        .environment(var("PAYMENTOPTIONS_ENV").parse().unwrap())
        .base_url(var("PAYMENTOPTIONS_BASE_URL"))
        .http_config(http.clone())
        .retry_policy(retry.clone())
        .build()
        .unwrap();
    let interstream = InterstreamClient::builder_from_env(&env.to_vec())
        .unwrap()
        .http_config(http)
        .retry_policy(retry)
        .build()
        .unwrap();
    let journaled = |provider: Arc<dyn PaymentProvider>| {
        Journaled::new(Arc::new(Hesitant(provider)), store.clone())
            .lease(LEASE)
            // A key or user held by another worker (or a killed run) is come back to later.
            .wait_for_other_attempts(Duration::ZERO)
    };
    Clients {
        zaif: journaled(Arc::new(zaif)),
        paymentoptions: journaled(Arc::new(paymentoptions)),
        interstream: journaled(Arc::new(interstream)),
    }
}

/// `Ok(true)`: the item is done (each of its keys reached a final answer); `Ok(false)`: some
/// key's outcome is not known yet, come back later.
async fn drive_item(clients: &Clients, i: usize) -> Result<bool, Error> {
    let key = IdempotencyKey::parse(create_key(i)).unwrap();
    let follow = IdempotencyKey::parse(follow_up_key(i)).unwrap();
    let (journaled, request) = match plan(i) {
        Plan::Zaif => (
            &clients.zaif,
            PaymentRequest::new(
                Money::parse(&format!("{}", 1000 + i), Currency::JPY)?,
                key.as_str(),
            )?
            .with_method(PaymentMethod::Crypto {
                asset: "btc".into(),
            }),
        ),
        Plan::PurchaseThenRefund | Plan::AuthorizeThenCapture => {
            let card = Card::new(APPROVED_CARD, "12", "39", "123", "Chaos Tester")?;
            let mut request = PaymentRequest::new(
                Money::parse(&format!("{}.00", 10 + i), Currency::USD)?,
                key.as_str(),
            )?
            .with_method(PaymentMethod::Card(Box::new(card)))
            .with_customer(Customer::default().with_ip("203.0.113.9".parse().unwrap()))
            .with_urls(
                ReturnUrls::default()
                    .with_success(Url::parse("https://merchant.example/ok").unwrap()),
            );
            if plan(i) == Plan::AuthorizeThenCapture {
                request = request.authorize_only();
            }
            (&clients.paymentoptions, request)
        }
        Plan::Interstream { user } => (
            &clients.interstream,
            PaymentRequest::new(
                Money::parse(&format!("{}.00", 1 + i % 5), Currency::EUR)?,
                key.as_str(),
            )?
            .with_customer(Customer::default().with_id(user.to_string())),
        ),
    };
    let amount = request.amount;
    let created = match settle(journaled.create_payment(&key, &request).await)? {
        Step::Done(Some(payment)) => payment,
        Step::Done(None) => return Ok(true),
        Step::Later => return Ok(false),
    };
    let followed = match plan(i) {
        Plan::PurchaseThenRefund => {
            journaled
                .refund_payment(&follow, &created.id, Some(amount))
                .await
        }
        Plan::AuthorizeThenCapture => {
            journaled
                .capture_payment(&follow, &created.id, Some(amount))
                .await
        }
        _ => return Ok(true),
    };
    Ok(!matches!(settle(followed)?, Step::Later))
}

enum Step {
    /// A final answer: the payment, or none (refused, failed, needs attention).
    Done(Option<Payment>),
    /// Not known yet.
    Later,
}

fn settle(result: Result<Payment, Error>) -> Result<Step, Error> {
    match result {
        Ok(payment) => Ok(Step::Done(Some(payment))),
        Err(err) if err.outcome_unknown() => match &err {
            Error::Journal {
                code: "needs_attention",
                ..
            } => Ok(Step::Done(None)),
            _ => Ok(Step::Later),
        },
        Err(Error::Journal {
            code: "failed_earlier",
            ..
        }) => Ok(Step::Done(None)),
        Err(err @ (Error::Declined { .. } | Error::Provider { .. })) => {
            eprintln!("driver: refused: {err}");
            Ok(Step::Done(None))
        }
        Err(err) => Err(err),
    }
}

async fn driver() -> ExitCode {
    let env: Vec<(&'static str, String)> = payments_sandbox_env();
    let url = std::env::var("PAYMENTS_CHAOS_JOURNAL_URL").ok();
    let file =
        std::path::PathBuf::from(std::env::var("PAYMENTS_CHAOS_JOURNAL").unwrap_or_default());
    let store = open_journal(url.as_deref(), &file).await;
    let nonce = std::path::PathBuf::from(std::env::var("PAYMENTS_CHAOS_NONCE_FILE").unwrap());
    let clients = Arc::new(clients(&env, store, &nonce));
    // A batch of ITEMS items; the supervisor starts another batch if one finishes before it
    // has killed the driver often enough.
    let first: usize = std::env::var("PAYMENTS_CHAOS_FIRST_ITEM")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut open: Vec<usize> = (first..first + ITEMS).collect();
    let started = Instant::now();
    while !open.is_empty() {
        if started.elapsed() > Duration::from_secs(240) {
            eprintln!("driver: {} items still open after 240 s", open.len());
            return ExitCode::from(4);
        }
        let next = Arc::new(AtomicUsize::new(0));
        let items = Arc::new(open.clone());
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let (clients, next, items) = (clients.clone(), next.clone(), items.clone());
            workers.spawn(async move {
                let mut still_open = Vec::new();
                loop {
                    let at = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&i) = items.get(at) else { break };
                    match drive_item(&clients, i).await {
                        Ok(true) => {}
                        Ok(false) => still_open.push(i),
                        Err(err) => {
                            eprintln!("driver: item {i}: {err}");
                            still_open.push(i);
                        }
                    }
                }
                still_open
            });
        }
        open.clear();
        while let Some(joined) = workers.join_next().await {
            open.extend(joined.unwrap());
        }
        open.sort_unstable();
        if !open.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    println!("driver: all {ITEMS} items from {first} done");
    ExitCode::SUCCESS
}

/// The sandbox's variables, handed to the driver by the supervisor.
fn payments_sandbox_env() -> Vec<(&'static str, String)> {
    const NAMES: [&str; 13] = [
        "ZAIF_API_KEY",
        "ZAIF_NONCE_POSTGRES_URL",
        "ZAIF_API_SECRET",
        "ZAIF_AUTH",
        "ZAIF_ENDPOINT",
        "PAYMENTOPTIONS_API_KEY",
        "PAYMENTOPTIONS_MERCHANT_ID",
        "PAYMENTOPTIONS_ENV",
        "PAYMENTOPTIONS_BASE_URL",
        "INTERSTREAM_API_URL",
        "INTERSTREAM_KEY_ID",
        "INTERSTREAM_SHARED_SECRET",
        "INTERSTREAM_CURRENCY",
    ];
    NAMES
        .iter()
        .filter_map(|name| std::env::var(name).ok().map(|value| (*name, value)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The supervisor.

fn drops(provider: Provider, routes: &[&str]) -> Vec<FaultRule> {
    routes
        .iter()
        .map(|route| {
            FaultRule::new(provider, FaultKind::DropAfterProcessing)
                .with_route(route)
                .with_jitter_ms(40)
                .with_chance_percent(15)
        })
        .collect()
}

fn jitter(provider: Provider) -> FaultRule {
    FaultRule::new(provider, FaultKind::Latency).with_jitter_ms(40)
}

/// How the kills landed, read from the journal and the ledger just after each one.
#[derive(Debug, Default)]
struct KillCensus {
    /// The lease owners (one per call) already counted: a killed call's lease outlives it.
    seen: std::collections::HashSet<String>,
    kills: usize,
    between_claim_and_send: usize,
    between_send_and_record: usize,
}

async fn census(sandbox: &Sandbox, store: &dyn IntentStore, census: &mut KillCensus) {
    // Give a request the killed process had on the wire time to be processed (or not).
    tokio::time::sleep(Duration::from_millis(120)).await;
    let ledger = sandbox.ledger();
    for intent in store
        .list(Some(IntentState::Pending))
        .await
        .unwrap_or_default()
    {
        // A lease not released means a killed driver was inside this call; count each once.
        let Some(owner) = intent.lease_owner.clone() else {
            continue;
        };
        if intent.sent_at_ms.is_none() || !census.seen.insert(owner) {
            continue;
        }
        if charges_for(&ledger, &intent).is_empty() {
            census.between_claim_and_send += 1;
        } else {
            census.between_send_and_record += 1;
        }
    }
}

/// The ledger entries a journaled call made.
fn charges_for<'a>(
    ledger: &'a [payments_sandbox::LedgerEntry],
    intent: &payments::journal::Intent,
) -> Vec<&'a payments_sandbox::LedgerEntry> {
    let i: usize = intent
        .key
        .trim_start_matches("chaos-c")
        .trim_start_matches("chaos-f")
        .parse()
        .unwrap();
    let create = create_key(i);
    let events: &[&str] = match (intent.operation.as_str(), plan(i)) {
        ("create_payment", Plan::Zaif) => &["invoice_created"],
        ("create_payment", Plan::PurchaseThenRefund) => &["card_charged"],
        ("create_payment", Plan::AuthorizeThenCapture) => &["card_authorized"],
        ("create_payment", Plan::Interstream { .. }) => &["payment_added"],
        ("refund_payment", _) => &["card_refunded"],
        ("capture_payment", _) => &["card_captured"],
        _ => &[],
    };
    ledger
        .iter()
        .filter(|e| events.contains(&e.event) && e.reference == create)
        .collect()
}

async fn supervisor(scenario: Scenario) -> Result<(), String> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    for user in 1..=USERS {
        sandbox.set_store_user(StoreUser {
            id: user,
            order_due: payments::Decimal::from(1_000_000),
            credit: payments::Decimal::ZERO,
            cart: payments::Decimal::ZERO,
        });
    }
    let mut faults = Vec::new();
    faults.extend(drops(Provider::Zaif, &["createInvoice"]));
    faults.extend(drops(
        Provider::Paymentoptions,
        &["paymentv2", "authorizationv2", "capture", "refund"],
    ));
    faults.extend(drops(Provider::Interstream, &["add_payment"]));
    faults.extend([
        jitter(Provider::Zaif),
        jitter(Provider::Paymentoptions),
        jitter(Provider::Interstream),
    ]);
    sandbox.set_faults(faults);

    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite3");
    let nonce = dir.path().join("zaif-nonce");
    let url = match &scenario {
        Scenario::Postgres(url) => Some(url.clone()),
        Scenario::Sqlite => None,
    };
    let store = open_journal(url.as_deref(), &journal).await;
    let driver = |sandbox: &Sandbox, batch: usize| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .env("PAYMENTS_CHAOS_ROLE", "driver")
            .env("PAYMENTS_CHAOS_FIRST_ITEM", (batch * ITEMS).to_string())
            .env("PAYMENTS_CHAOS_JOURNAL", &journal)
            .env("PAYMENTS_CHAOS_NONCE_FILE", &nonce)
            .stdout(std::process::Stdio::null());
        if let Some(url) = &url {
            command
                .env("PAYMENTS_CHAOS_JOURNAL_URL", url)
                .env("ZAIF_NONCE_POSTGRES_URL", url);
        }
        for (name, value) in sandbox.env() {
            command.env(name, value);
        }
        command.spawn().unwrap()
    };

    let started = Instant::now();
    let mut kills = KillCensus::default();
    let mut runs = 0;
    let mut batch = 0;
    // Every driver works through the same keys at the same time.
    let mut running: Vec<Option<(std::process::Child, usize)>> =
        (0..scenario.drivers()).map(|_| None).collect();
    while kills.kills < KILLS {
        for slot in running.iter_mut().filter(|slot| slot.is_none()) {
            runs += 1;
            *slot = Some((driver(&sandbox, batch), batch));
        }
        // Short enough that a driver is killed many times before it can finish.
        let wait = Duration::from_millis(15 + rand::random::<u64>() % 185);
        tokio::time::sleep(wait).await;
        for slot in running.iter_mut() {
            if let Some((child, its_batch)) = slot
                && let Some(status) = child.try_wait().unwrap()
            {
                if !status.success() {
                    return Err(format!("a driver failed: {status}"));
                }
                // A fast machine finished the batch before enough kills: the next batch.
                if *its_batch == batch {
                    batch += 1;
                }
                *slot = None;
            }
        }
        let live: Vec<usize> = (0..running.len())
            .filter(|i| running[*i].is_some())
            .collect();
        let Some(&victim) = live.get(rand::random::<u64>() as usize % live.len().max(1)) else {
            continue;
        };
        if let Some((mut child, _)) = running[victim].take() {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills.kills += 1;
            census(&sandbox, store.as_ref(), &mut kills).await;
        }
    }
    // Then the same keys again, every driver at once, until every one is done.
    for (mut child, _) in running.into_iter().flatten() {
        let _ = child.wait();
    }
    let mut finished = false;
    while !finished {
        let children: Vec<std::process::Child> = (0..scenario.drivers())
            .map(|_| driver(&sandbox, batch))
            .collect();
        runs += children.len();
        finished = true;
        for mut child in children {
            finished &= child.wait().unwrap().success();
        }
        if runs > (KILLS + 10) * scenario.drivers() {
            return Err("the drivers do not finish".into());
        }
    }
    let driving = started.elapsed();

    // `reconcile`: anything still pending is settled through the providers' lookups.
    sandbox.set_faults(Vec::new());
    let env: Vec<(&'static str, String)> = sandbox.env();
    let reconcilers = clients(&env, store.clone(), &nonce);
    let mut reconciled = 0;
    for journaled in [
        &reconcilers.zaif,
        &reconcilers.paymentoptions,
        &reconcilers.interstream,
    ] {
        let report = journaled.reconcile_pending().await.unwrap();
        reconciled += report.settled.len();
        if !report.still_pending.is_empty() {
            return Err(format!("left pending: {:?}", report.still_pending));
        }
    }

    // Against the ledger.
    let ledger = sandbox.ledger();
    let intents = store.list(None).await.unwrap();
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    let mut duplicated = Vec::new();
    let mut lost = Vec::new();
    let mut attention = Vec::new();
    for intent in &intents {
        *states.entry(intent.state.as_str()).or_default() += 1;
        let charges = charges_for(&ledger, intent);
        if charges.len() > 1 {
            duplicated.push(intent.key.clone());
        }
        match intent.state {
            IntentState::Succeeded if charges.len() != 1 => lost.push(format!(
                "{}: succeeded, {} charges",
                intent.key,
                charges.len()
            )),
            IntentState::Failed if !charges.is_empty() => {
                lost.push(format!("{}: failed, yet charged", intent.key))
            }
            IntentState::NeedsAttention => {
                assert!(
                    intent.operation == "create_payment" && intent.provider == "paymentoptions",
                    "needs attention outside PaymentOptions purchases: {intent:?}"
                );
                let reason = intent.reason.clone().unwrap_or_default();
                assert!(reason.contains("merchant_txn_ref"), "{reason}");
                attention.push((intent.key.clone(), charges.len()));
            }
            IntentState::Pending => panic!("left pending: {intent:?}"),
            _ => {}
        }
    }
    // Every ledger charge belongs to a journaled key (no payment made outside the journal).
    let keys: HashMap<&str, ()> = intents.iter().map(|i| (i.key.as_str(), ())).collect();
    let unjournaled: Vec<&str> = ledger
        .iter()
        .filter(|e| e.reference.starts_with("chaos-c") && !keys.contains_key(e.reference.as_str()))
        .map(|e| e.reference.as_str())
        .collect();
    let creates = intents
        .iter()
        .filter(|i| i.operation == "create_payment")
        .count();
    let resent = intents.iter().filter(|i| i.attempts > 1).count();
    let charged_attention = attention.iter().filter(|(_, n)| *n > 0).count();

    println!(
        "journal chaos on {}: {} driver process(es) sharing the keys, {} items in {} batch(es), {} journaled keys ({creates} payments, {} refunds/captures)",
        match scenario {
            Scenario::Sqlite => "SQLite",
            Scenario::Postgres(_) => "PostgreSQL",
        },
        scenario.drivers(),
        ITEMS * (batch + 1),
        batch + 1,
        intents.len(),
        intents.len() - creates
    );
    println!(
        "  driver runs {runs}, SIGKILLs {} ({} between claim and send, {} between send and record), {:.1} s",
        kills.kills,
        kills.between_claim_and_send,
        kills.between_send_and_record,
        driving.as_secs_f64()
    );
    println!(
        "  sandbox faults injected {}, ledger entries {}, Zaif nonces refused {} (nonces and send order from {})",
        sandbox.faults_injected(),
        ledger.len(),
        sandbox.zaif_nonce_rejections(),
        match scenario {
            Scenario::Sqlite => "a file on this host",
            Scenario::Postgres(_) => "PostgreSQL advisory locks",
        }
    );
    println!(
        "  settled by the final reconcile: {reconciled}; sent again after a lookup proved the first attempt was not taken: {resent}"
    );
    println!("  states: {states:?}");
    println!(
        "  duplicated charges {}, lost payments {}, pending 0",
        duplicated.len(),
        lost.len()
    );
    println!(
        "  needs_attention {} (PaymentOptions purchases whose answer was lost and no webhook came: {} were charged, {} never reached the gateway)",
        attention.len(),
        charged_attention,
        attention.len() - charged_attention
    );

    let mut failed = Vec::new();
    if kills.kills < KILLS {
        failed.push(format!("only {} kills", kills.kills));
    }
    if kills.between_claim_and_send == 0 {
        failed.push("no kill landed between claim and send".into());
    }
    if kills.between_send_and_record == 0 {
        failed.push("no kill landed between send and record".into());
    }
    if !duplicated.is_empty() {
        failed.push(format!("duplicated: {duplicated:?}"));
    }
    if !lost.is_empty() {
        failed.push(format!("lost: {lost:?}"));
    }
    if !unjournaled.is_empty() {
        failed.push(format!("charged without a journal entry: {unjournaled:?}"));
    }
    if creates < 200 {
        failed.push(format!("only {creates} payments"));
    }
    sandbox.stop().await;
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}
