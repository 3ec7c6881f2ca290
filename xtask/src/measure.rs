//! `cargo xtask build-cost` and `cargo xtask peak-rss`: the figures of `docs/performance.md`
//! that criterion does not measure.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a user compiles for each way of depending on the SDK.
const TARGETS: &[(&str, &[&str])] = &[
    ("zaif-ecapi", &["-p", "zaif-ecapi"]),
    ("paymentoptions", &["-p", "paymentoptions"]),
    ("interstream-store", &["-p", "interstream-store"]),
    (
        "payments-sdk --features full",
        &["-p", "payments-sdk", "--features", "full"],
    ),
];

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root);
    command
}

/// For each target: the number of distinct crates in its normal dependency tree, a clean debug
/// build (what `cargo build -p …` costs a developer), a clean release build (a fresh target
/// directory each time, so nothing is reused), and the slowest units of the debug build from
/// cargo's `--timings` report (build scripts marked).
pub(crate) fn build_cost(root: &Path, out: &mut dyn Write) -> Result<(), String> {
    let _ = writeln!(
        out,
        "| target | crates in the tree | clean debug build | clean release build | slowest units (debug) |\n| --- | --- | --- | --- | --- |"
    );
    for (name, args) in TARGETS {
        let tree = cargo(root)
            .args(["tree", "-e", "normal", "--prefix", "none"])
            .args(*args)
            .output()
            .map_err(|e| format!("cargo tree: {e}"))?;
        let text = String::from_utf8_lossy(&tree.stdout);
        let mut crates: Vec<&str> = text
            .lines()
            .map(|l| l.trim_end_matches(" (*)"))
            .filter(|l| !l.is_empty())
            .collect();
        crates.sort_unstable();
        crates.dedup();
        let target_dir =
            std::env::temp_dir().join(format!("payments-build-cost-{}", name.replace(' ', "_")));
        let (debug, slowest) = timed_build(root, args, &target_dir, false)?;
        let (release, _) = timed_build(root, args, &target_dir, true)?;
        let _ = writeln!(
            out,
            "| `{name}` | {} | {:.0} s | {:.0} s | {} |",
            crates.len(),
            debug.as_secs_f64(),
            release.as_secs_f64(),
            slowest.join(", ")
        );
    }
    Ok(())
}

/// One clean build in `target_dir` (emptied first and after); the slowest five units when
/// cargo's timing report can be read.
fn timed_build(
    root: &Path,
    args: &[&str],
    target_dir: &Path,
    release: bool,
) -> Result<(Duration, Vec<String>), String> {
    let _ = std::fs::remove_dir_all(target_dir);
    let mut command = cargo(root);
    command.args(["build", "--quiet", "--timings"]).args(args);
    if release {
        command.arg("--release");
    }
    let started = Instant::now();
    let status = command
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    let elapsed = started.elapsed();
    let report = std::fs::read_to_string(target_dir.join("cargo-timings/cargo-timing.html"))
        .unwrap_or_default();
    let _ = std::fs::remove_dir_all(target_dir);
    if !status.success() {
        return Err(format!("building {} failed", args.join(" ")));
    }
    Ok((elapsed, slowest_units(&report, 5)))
}

/// The `n` longest units of a `cargo build --timings` report (its `UNIT_DATA` array), as
/// `name target 12.3 s`.
fn slowest_units(report: &str, n: usize) -> Vec<String> {
    let Some(start) = report.find("const UNIT_DATA = ") else {
        return Vec::new();
    };
    let data = &report[start + "const UNIT_DATA = ".len()..];
    let Some(end) = data.find("];") else {
        return Vec::new();
    };
    let Ok(units) = serde_json::from_str::<Vec<serde_json::Value>>(&data[..=end]) else {
        return Vec::new();
    };
    let mut units: Vec<(f64, String)> = units
        .iter()
        .filter_map(|unit| {
            let duration = unit["duration"].as_f64()?;
            let name = unit["name"].as_str()?;
            let target = unit["target"].as_str().unwrap_or_default().trim();
            Some((
                duration,
                format!("{name}{}{target}", if target.is_empty() { "" } else { " " }),
            ))
        })
        .collect();
    units.sort_by(|a, b| b.0.total_cmp(&a.0));
    units
        .into_iter()
        .take(n)
        .map(|(seconds, unit)| format!("{unit} {seconds:.1} s"))
        .collect()
}

/// The peak resident set size (KiB) of a child, by polling `/proc/<pid>/status` (Linux).
fn peak_rss_of(command: &mut Command) -> Result<(u64, std::process::ExitStatus), String> {
    let mut child = command.spawn().map_err(|e| format!("spawn: {e}"))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kib) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(exit) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok((peak, exit));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Peak RSS of `payments demo`, and of a client process with 1,000 Zaif calls in flight.
pub(crate) fn peak_rss(root: &Path, out: &mut dyn Write) -> Result<(), String> {
    // Two builds: selecting an example would leave the binaries out.
    for args in [
        &["-p", "payments-cli", "-p", "payments-sandbox", "--bins"][..],
        &["-p", "zaif-ecapi", "--example", "inflight"][..],
    ] {
        let built = cargo(root)
            .args(["build", "--release", "--quiet"])
            .args(args)
            .status()
            .map_err(|e| e.to_string())?;
        if !built.success() {
            return Err("release build failed".into());
        }
    }
    let release = root.join("target/release");
    let (demo_kib, exit) = peak_rss_of(
        Command::new(release.join("payments"))
            .arg("demo")
            .stdout(Stdio::null()),
    )?;
    let _ = writeln!(out, "payments demo: peak RSS {demo_kib} KiB (exit {exit})");

    let mut sandbox = Command::new(release.join("payments-sandbox"))
        .args(["--zaif-keys", "1000"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut env = Vec::new();
    if let Some(stdout) = sandbox.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((name, value)) =
                line.strip_prefix("export ").and_then(|a| a.split_once('='))
            {
                env.push((name.to_owned(), value.trim_matches('\'').to_owned()));
            }
            if line.starts_with("# sandbox listening") {
                break;
            }
        }
    }
    for args in [&["--one-key"][..], &[][..]] {
        let output = Command::new(release.join("examples/inflight"))
            .args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .map_err(|e| e.to_string())?;
        let _ = write!(
            out,
            "inflight {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let _ = sandbox.kill();
    let _ = sandbox.wait();
    Ok(())
}
