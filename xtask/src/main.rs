//! Workspace automation, run as `cargo xtask <command>` (the alias is in `.cargo/config.toml`).

mod fixtures;
mod instructions;
mod measure;
mod transcript;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Clean debug builds per target in `build-cost`: one run varies by a fifth on a shared machine.
const DEBUG_BUILD_RUNS: usize = 3;

/// `(name, one-line help)` of every command.
const COMMANDS: &[(&str, &str)] = &[
    (
        "fixtures",
        "regenerate the generated fixture tests from fixtures/ (--check: fail if stale; --report: documented vs invented per provider; --from-transcript FILE --operation OP [--name NAME]: a captured payments::wire exchange becomes a fixture)",
    ),
    (
        "build-cost",
        "crates in the tree, clean debug (median of --runs N, default 3) and release build times and the slowest units (--timings) of each provider alone, of the facade with `full`, and of a provider in a new application",
    ),
    (
        "peak-rss",
        "peak resident memory of `payments demo` and of 1,000 in-flight Zaif calls (Linux)",
    ),
    (
        "instructions",
        "instructions per round trip (callgrind) of the Zaif and INTER-STREAM typed calls, their fair floors and bare reqwest",
    ),
    ("help", "list the commands"),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print_help(&mut stdout);
            ExitCode::SUCCESS
        }
        Some("fixtures") if args.get(1).map(String::as_str) == Some("--from-transcript") => {
            let option = |flag: &str| {
                args.iter()
                    .position(|a| a == flag)
                    .and_then(|i| args.get(i + 1))
                    .map(String::as_str)
            };
            let (Some(file), Some(operation)) = (args.get(2), option("--operation")) else {
                let _ = writeln!(
                    stderr,
                    "usage: cargo xtask fixtures --from-transcript FILE --operation OP [--name NAME]"
                );
                return ExitCode::from(2);
            };
            match transcript::from_transcript(
                &workspace_root(),
                Path::new(file),
                operation,
                option("--name"),
            ) {
                Ok(path) => {
                    let _ = writeln!(
                        stdout,
                        "{path}: review its input and expectation, then run `cargo xtask fixtures`"
                    );
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    let _ = writeln!(stderr, "error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("fixtures") => {
            let mode = match args.get(1).map(String::as_str) {
                None => FixturesMode::Write,
                Some("--check") => FixturesMode::Check,
                Some("--report") => FixturesMode::Report,
                Some(other) => {
                    let _ = writeln!(
                        stderr,
                        "unknown option to fixtures: {other} (--check or --report)"
                    );
                    return ExitCode::from(2);
                }
            };
            run_fixtures(&workspace_root(), mode, &mut stdout, &mut stderr)
        }
        Some(command @ ("build-cost" | "peak-rss" | "instructions")) => {
            let result = if command == "build-cost" {
                let runs = match args.get(1).map(String::as_str) {
                    None => DEBUG_BUILD_RUNS,
                    Some("--runs") => match args.get(2).and_then(|n| n.parse().ok()) {
                        Some(runs) if runs > 0 => runs,
                        _ => {
                            let _ = writeln!(stderr, "usage: cargo xtask build-cost [--runs N]");
                            return ExitCode::from(2);
                        }
                    },
                    Some(other) => {
                        let _ =
                            writeln!(stderr, "unknown option to build-cost: {other} (--runs N)");
                        return ExitCode::from(2);
                    }
                };
                measure::build_cost(&workspace_root(), runs, &mut stdout)
            } else if command == "instructions" {
                instructions::instructions(&workspace_root(), &mut stdout)
            } else {
                measure::peak_rss(&workspace_root(), &mut stdout)
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    let _ = writeln!(stderr, "error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(other) => {
            let _ = writeln!(stderr, "unknown command: {other}\n");
            print_help(&mut stderr);
            ExitCode::from(2)
        }
    }
}

/// What `cargo xtask fixtures` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixturesMode {
    /// Regenerate the tests.
    Write,
    /// Fail when the generated tests are stale.
    Check,
    /// Print documented vs invented fixtures per provider.
    Report,
}

fn run_fixtures(
    root: &Path,
    mode: FixturesMode,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let result = if mode == FixturesMode::Report {
        fixtures::report(root).map(|lines| {
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
            ExitCode::SUCCESS
        })
    } else if mode == FixturesMode::Check {
        fixtures::check(root).map(|stale| {
            if stale.is_empty() {
                let _ = writeln!(out, "fixture tests are up to date");
                ExitCode::SUCCESS
            } else {
                for path in stale {
                    let _ = writeln!(err, "stale or missing: {path}");
                }
                let _ = writeln!(err, "run `cargo xtask fixtures` and commit the result");
                ExitCode::FAILURE
            }
        })
    } else {
        fixtures::write(root).map(|written| {
            for (path, cases) in written {
                let _ = writeln!(out, "{path}: {cases} fixture tests");
            }
            ExitCode::SUCCESS
        })
    };
    result.unwrap_or_else(|message| {
        let _ = writeln!(err, "error: {message}");
        ExitCode::FAILURE
    })
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

fn print_help(out: &mut dyn Write) {
    let _ = writeln!(out, "usage: cargo xtask <command>\n\ncommands:");
    for (name, help) in COMMANDS {
        let _ = writeln!(out, "  {name:<10} {help}");
    }
}
