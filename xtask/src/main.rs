//! Workspace automation, run as `cargo xtask <command>` (the alias is in `.cargo/config.toml`).
//!
//! Commands are added with the issues that need them; `cargo xtask fixtures` (generating the
//! fixture tests from `fixtures/`) is the first planned one.

use std::io::Write;
use std::process::ExitCode;

/// `(name, one-line help)` of every command.
const COMMANDS: &[(&str, &str)] = &[("help", "list the commands")];

fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    match command.as_deref() {
        None | Some("help" | "--help" | "-h") => {
            print_help(&mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Some(other) => {
            let mut stderr = std::io::stderr();
            let _ = writeln!(stderr, "unknown command: {other}\n");
            print_help(&mut stderr);
            ExitCode::from(2)
        }
    }
}

fn print_help(out: &mut dyn Write) {
    let _ = writeln!(out, "usage: cargo xtask <command>\n\ncommands:");
    for (name, help) in COMMANDS {
        let _ = writeln!(out, "  {name:<12} {help}");
    }
}
