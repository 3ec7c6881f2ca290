//! The demo's crash-safe chapter: a payment whose answer is lost, settled by `payments
//! reconcile`, and the same command again answered from the journal. Each step runs this very
//! binary, as a merchant's script would.

use std::path::PathBuf;
use std::process::Command;

use payments_sandbox::{FaultKind, FaultRule, Provider, Sandbox};

use crate::demo::Story;
use crate::output::{EXIT_OK, EXIT_TRANSPORT};

/// One run of `payments …` with the sandbox's variables and the demo's journal.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn payments(sandbox: &Sandbox, journal: &PathBuf, args: &[&str]) -> Result<Run, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let mut command = Command::new(exe);
    command.args(args).env("PAYMENTS_JOURNAL", journal);
    for (name, value) in sandbox.env() {
        command.env(name, value);
    }
    command.env(
        "ZAIF_NONCE_FILE",
        journal.with_file_name("zaif-nonce").display().to_string(),
    );
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot run payments: {e}"))?;
    Ok(Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

fn first_line(text: &str, starting: &str) -> String {
    text.lines()
        .find(|line| line.starts_with(starting))
        .unwrap_or_default()
        .to_owned()
}

fn invoices(sandbox: &Sandbox, key: &str) -> Vec<String> {
    sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.event == "invoice_created" && e.reference == key)
        .map(|e| e.id)
        .collect()
}

pub(crate) async fn story(sandbox: &Sandbox, story: &mut Story) {
    let folder = std::env::temp_dir().join(format!("payments-demo-journal-{}", std::process::id()));
    if let Err(error) = std::fs::create_dir_all(&folder) {
        return story.step("make a journal folder", Err(error.to_string()));
    }
    let journal = folder.join("journal.sqlite3");
    let key = "demo-crash-1";
    let create = [
        "zaif",
        "create-invoice",
        "--currency",
        "btc",
        "--amount",
        "5400",
        "--item-name",
        "Drip kettle",
        "--idempotency-key",
        key,
    ];
    println!("    $ payments {}", create.join(" "));

    // The sandbox makes the invoice, then drops the answer.
    sandbox.set_faults(vec![
        FaultRule::new(Provider::Zaif, FaultKind::DropAfterProcessing)
            .with_route("createInvoice")
            .with_times(1),
    ]);
    let lost = payments(sandbox, &journal, &create).await;
    story.step(
        "the answer is lost after Zaif made the invoice: exit 3, the outcome unknown",
        match lost {
            Ok(run)
                if run.code == i32::from(EXIT_TRANSPORT) && invoices(sandbox, key).len() == 1 =>
            {
                Ok(format!(
                    "{} (the sandbox's ledger: 1 invoice under {key})",
                    first_line(&run.stderr, "error:")
                ))
            }
            Ok(run) => Err(format!("exit {}: {}", run.code, run.stderr)),
            Err(error) => Err(error),
        },
    );

    println!("    $ payments reconcile");
    let reconciled = payments(sandbox, &journal, &["reconcile"]).await;
    story.step(
        "`payments reconcile` finds the invoice by its order number (the key) and records it",
        match reconciled {
            Ok(run) if run.code == i32::from(EXIT_OK) && run.stdout.contains("1 settled") => {
                Ok(first_line(&run.stdout, "reconciled"))
            }
            Ok(run) => Err(format!("exit {}: {}{}", run.code, run.stdout, run.stderr)),
            Err(error) => Err(error),
        },
    );

    println!("    $ payments {}", create.join(" "));
    let again = payments(sandbox, &journal, &create).await;
    let made = invoices(sandbox, key);
    story.step(
        "the same command again returns that invoice from the journal: no second invoice",
        match again {
            Ok(run)
                if run.code == i32::from(EXIT_OK)
                    && made.len() == 1
                    && run.stdout.contains(made[0].as_str()) =>
            {
                Ok(format!(
                    "{} (ledger: still {} invoice)",
                    first_line(&run.stdout, "invoice"),
                    made.len()
                ))
            }
            Ok(run) => Err(format!(
                "exit {}, {} invoices: {}{}",
                run.code,
                made.len(),
                run.stdout,
                run.stderr
            )),
            Err(error) => Err(error),
        },
    );
    let _ = std::fs::remove_dir_all(&folder);
}
