//! `payments-sandbox [--port N] [--zaif-keys N]`: runs the sandbox until Ctrl-C, after printing
//! the environment variables that point the clients (and the `payments` command) at it.
//! `--zaif-keys N` also accepts the keys `sandbox-zaif-key-1` … `sandbox-zaif-key-N`, each with
//! the default secret and its own nonce sequence (for load tests).

use std::io::Write;
use std::process::ExitCode;

use payments_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut config = SandboxConfig::default();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|p| p.parse::<u16>())) {
            ("--port", Some(Ok(value))) => port = value,
            ("--zaif-keys", Some(Ok(count))) => {
                config.zaif.additional_keys = (1..=count)
                    .map(|i| {
                        (
                            format!("sandbox-zaif-key-{i}"),
                            config.zaif.api_secret.clone(),
                        )
                    })
                    .collect();
            }
            _ => {
                let _ = writeln!(
                    std::io::stderr(),
                    "usage: payments-sandbox [--port N] [--zaif-keys N]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let sandbox = match Sandbox::start_on(config, port).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "cannot start the sandbox: {error}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout();
    let _ = write!(out, "{}", sandbox.env_exports());
    let _ = writeln!(
        out,
        "# sandbox listening on {}; Ctrl-C stops it",
        sandbox.url()
    );
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}
