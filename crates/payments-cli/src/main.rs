//! `payments`: the command line of the payments SDK.
//!
//! * `payments demo` runs the whole story against a sandbox started in-process: no account,
//!   no network.
//! * `payments sandbox [--port N]` runs the sandbox for other programs.
//! * `payments zaif …`, `payments paymentoptions …`, `payments interstream …` call a provider,
//!   configured by the same environment variables as the client crates.
//!
//! Output is a readable summary, or one JSON document on stdout with `--json`. Errors go to
//! stderr with the provider's code and message. Secrets, hashed secrets, full card numbers and
//! CVCs are never printed, in any mode. Card data is read from a file or standard input, never
//! from arguments, which every user of the machine can see.

// Printing is this crate's job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod demo;
mod demo_journal;
mod demo_listen;
mod interstream;
mod journal;
mod journal_dashboard;
mod listen;
mod output;
mod paymentoptions;
mod serve;
mod trigger;
mod zaif;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::Output;

const EXIT_CODES: &str = "Exit codes:
  0  success
  1  the provider declined, refused or answered with an error (nothing was made)
  2  refused before sending: invalid input or configuration, a reused idempotency key, an
     unusable journal (the refused call was not sent; the message says whether an earlier
     request of the command was, e.g. a lookup of the store's currency)
  3  transport failure, timeout or undecodable answer, or a journaled payment still pending or
     needing attention (the outcome may be unknown)";

/// Take payments through Zaif Payment, PaymentOptions and INTER-STREAM.
#[derive(Debug, Parser)]
#[command(name = "payments", version, after_help = EXIT_CODES)]
struct Cli {
    /// Print the result as one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,

    /// Log what the SDK does on stderr (never secrets or card data). RUST_LOG also works.
    #[arg(long, short, global = true)]
    verbose: bool,

    /// Print a redacted transcript of every exchange with a provider on stderr (method, path,
    /// headers, body, status, answer; secrets, hashed secrets, signatures, card numbers, CVCs
    /// and tokens blanked), for a provider's support.
    #[arg(long, global = true)]
    wire: bool,

    /// The intent journal used with --idempotency-key, `journal` and `reconcile` (default:
    /// journal.sqlite3 in the per-user data directory, printed on stderr when used).
    #[arg(long, global = true, env = "PAYMENTS_JOURNAL")]
    journal: Option<std::path::PathBuf>,

    /// The intent journal on PostgreSQL (`postgres://user:password@host:port/database`), for
    /// several servers sharing one journal; overrides --journal. Never printed.
    #[arg(
        long,
        global = true,
        env = "PAYMENTS_JOURNAL_URL",
        hide_env_values = true
    )]
    journal_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole story against a sandbox started in-process (no account needed).
    Demo,
    /// Run the local sandbox of all three providers until Ctrl-C (or act on a running one).
    Sandbox {
        /// The port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        #[command(subcommand)]
        action: Option<SandboxAction>,
    },
    /// Zaif Payment: crypto invoices priced in JPY (ZAIF_* variables).
    #[command(subcommand)]
    Zaif(zaif::ZaifCommand),
    /// PaymentOptions: card payments (PAYMENTOPTIONS_* variables).
    #[command(subcommand)]
    Paymentoptions(paymentoptions::PaymentOptionsCommand),
    /// INTER-STREAM store: payments and credit (INTERSTREAM_* variables).
    #[command(subcommand)]
    Interstream(interstream::InterstreamCommand),
    /// The intent journal: what each idempotency key did.
    #[command(subcommand)]
    Journal(journal::JournalCommand),
    /// Settle every pending intent in the journal through the providers' own lookups.
    Reconcile,
    /// Receive Zaif's notifications and PaymentOptions' webhooks here, confirm each with the
    /// provider, forward the confirmed ones to your app, one line per callback (Ctrl-C stops).
    Listen(listen::Listen),
}

/// Acting on a running sandbox.
#[derive(Debug, Subcommand)]
enum SandboxAction {
    /// Make the sandbox do what a provider does on its own.
    #[command(subcommand)]
    Trigger(trigger::Trigger),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.wire);
    let output = Output::new(cli.json);
    let location = journal::Location::new(cli.journal.clone(), cli.journal_url.clone());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(output::EXIT_TRANSPORT);
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Demo => demo::run().await,
            Command::Sandbox { port, action: None } => run_sandbox(port).await,
            Command::Sandbox {
                action: Some(SandboxAction::Trigger(trigger)),
                ..
            } => output.finish(trigger::run(trigger).await),
            Command::Zaif(command) => output.finish(zaif::run(command, &location).await),
            Command::Paymentoptions(command) => {
                output.finish(paymentoptions::run(command, &location).await)
            }
            Command::Interstream(command) => {
                output.finish(interstream::run(command, &location).await)
            }
            Command::Journal(journal::JournalCommand::Dashboard { port, sandbox }) => {
                output.served(journal_dashboard::serve(&location, port, sandbox).await)
            }
            Command::Journal(command) => output.finish(journal::run(command, &location).await),
            Command::Reconcile => output.finish(journal::reconcile(&location).await),
            Command::Listen(listen) => output.served(listen::run(listen, &location).await),
        }
    })
}

/// Logs to stderr: nothing by default, `debug` for this SDK with `--verbose`, or `RUST_LOG`;
/// `--wire` adds the transcripts.
fn init_logging(verbose: bool, wire: bool) {
    let mut filter = match std::env::var("RUST_LOG") {
        Ok(filter) if !filter.trim().is_empty() => filter,
        _ if verbose => "info,payments_core=debug".to_owned(),
        _ => "off".to_owned(),
    };
    if wire {
        filter.push(',');
        filter.push_str(payments::http::WIRE_TARGET);
        filter.push_str("=trace");
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

async fn run_sandbox(port: u16) -> ExitCode {
    let sandbox =
        match payments_sandbox::Sandbox::start_on(payments_sandbox::SandboxConfig::default(), port)
            .await
        {
            Ok(sandbox) => sandbox,
            Err(error) => {
                eprintln!("error: cannot start the sandbox on port {port}: {error}");
                return ExitCode::from(output::EXIT_INPUT);
            }
        };
    print!("{}", sandbox.env_exports());
    println!("# sandbox listening on {}; Ctrl-C stops it", sandbox.url());
    println!(
        "# dashboard (what the sandbox saw and did): {}/_sandbox/",
        sandbox.url()
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}
