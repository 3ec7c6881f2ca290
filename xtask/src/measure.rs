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

/// For each target: the number of distinct crates in its normal dependency tree, clean debug
/// builds (what `cargo build -p …` costs a developer: `debug_runs` of them, the median shown with
/// the range, since a shared 2-core machine varies by a fifth between runs) with the CPU time of
/// all units and that CPU time minus the HTTP floor's (each build paired with a floor build just
/// before it), a clean release build (a fresh target directory each time, so nothing is
/// reused), and the slowest units of the median debug build from cargo's `--timings` report
/// (build scripts marked). Then the same crate built as a new application would build it:
/// outside this workspace, with a lockfile of its own (newest versions; url's IDNA through
/// ICU4X, as cargo picks it) and cargo's default profile (full debug info), which is what a
/// merchant's first `cargo build` costs. Last, the floor's own row, over all its builds.
pub(crate) fn build_cost(
    root: &Path,
    debug_runs: usize,
    out: &mut dyn Write,
) -> Result<(), String> {
    let _ = writeln!(
        out,
        "| target | crates in the tree | clean debug build, median (range; CPU) | CPU above the floor | clean release build | slowest units (median debug build) |\n| --- | --- | --- | --- | --- | --- |"
    );
    let mut floor = Floor::create()?;
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
        let target_dir = scratch_dir(name);
        let (debug, above) = floor.paired(root, args, &target_dir, debug_runs)?;
        let release = timed_build(root, args, &target_dir, true)?;
        let _ = writeln!(
            out,
            "| `{name}` | {} | {debug} | {above} | {:.0} s | {} |",
            crates.len(),
            release.elapsed.as_secs_f64(),
            debug.median.slowest.join(", ")
        );
    }
    let manifest = format!(
        "[dependencies]\nzaif-ecapi = {{ path = {:?} }}\n",
        root.join("crates/zaif-ecapi")
    );
    let app = Standalone::create("new-application", &manifest)?;
    let (debug, above) =
        floor.paired(&app.dir, &[], &scratch_dir("new-application"), debug_runs)?;
    let _ = writeln!(
        out,
        "| `zaif-ecapi` in a new application (own lockfile, default profile) | | {debug} | {above} | | {} |",
        debug.median.slowest.join(", ")
    );
    let floor_builds = floor.all_builds()?;
    let _ = writeln!(
        out,
        "| the HTTP floor: reqwest, rustls with ring, tokio, serde (no SDK code; each build just before one above) | | {floor_builds} | | | {} |",
        floor_builds.median.slowest.join(", ")
    );
    Ok(())
}

/// The baseline crate, built once before each build of a target: the machine's speed drifts
/// over minutes, and a pair of neighbouring builds sees the same machine.
struct Floor {
    crate_: Standalone,
    builds: Vec<Build>,
}

impl Floor {
    fn create() -> Result<Floor, String> {
        Ok(Floor {
            crate_: Standalone::create("http-floor", HTTP_FLOOR)?,
            builds: Vec::new(),
        })
    }

    /// `runs` pairs (floor, then target): the target's builds, and the median over the pairs
    /// of its CPU time minus the floor's.
    fn paired(
        &mut self,
        root: &Path,
        args: &[&str],
        target_dir: &Path,
        runs: usize,
    ) -> Result<(Builds, String), String> {
        let mut builds = Vec::new();
        let mut differences = Vec::new();
        for _ in 0..runs.max(1) {
            let floor = timed_build(&self.crate_.dir, &[], &scratch_dir("http-floor"), false)?;
            let build = timed_build(root, args, target_dir, false)?;
            differences.push(millis(build.cpu) - millis(floor.cpu));
            self.builds.push(floor);
            builds.push(build);
        }
        differences.sort_unstable();
        let above = signed_seconds(differences[differences.len() / 2]);
        Ok((Builds::of(builds), above))
    }

    fn all_builds(self) -> Result<Builds, String> {
        if self.builds.is_empty() {
            return Err("the floor was never built".into());
        }
        Ok(Builds::of(self.builds))
    }
}

fn millis(duration: Duration) -> i128 {
    i128::try_from(duration.as_millis()).unwrap_or(i128::MAX)
}

/// Milliseconds as signed whole seconds, rounded: `+12 s`, `-3 s`.
fn signed_seconds(millis: i128) -> String {
    let seconds = (millis.abs() + 500) / 1000;
    format!("{}{seconds} s", if millis < 0 { "-" } else { "+" })
}

/// What any HTTPS JSON client built like this SDK compiles before a line of its own: the
/// baseline the rows are compared with, built with this workspace's dev profile and IDNA choice
/// (see the root `Cargo.toml` and `crates/payments-cli/Cargo.toml`).
const HTTP_FLOOR: &str = r#"[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["rustls-no-provider", "form", "query", "json"] }
rustls = { version = "0.23", default-features = false, features = ["std", "tls12", "ring"] }
rustls-platform-verifier = "0.7"
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1.44", default-features = false, features = ["rt", "time", "sync"] }
idna_adapter = "~1.1"

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
"#;

/// Several clean debug builds of one target: the median (by wall time) and the range.
struct Builds {
    median: Build,
    fastest: Duration,
    slowest: Duration,
}

impl std::fmt::Display for Builds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} s ({:.0}–{:.0} s; {:.0} s CPU)",
            self.median.elapsed.as_secs_f64(),
            self.fastest.as_secs_f64(),
            self.slowest.as_secs_f64(),
            self.median.cpu.as_secs_f64()
        )
    }
}

impl Builds {
    /// `builds` must not be empty.
    fn of(mut builds: Vec<Build>) -> Builds {
        builds.sort_by_key(|build| build.elapsed);
        let fastest = builds[0].elapsed;
        let slowest = builds[builds.len() - 1].elapsed;
        let median = builds.swap_remove(builds.len() / 2);
        Builds {
            median,
            fastest,
            slowest,
        }
    }
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("payments-build-cost-{}", name.replace(' ', "_")))
}

/// An empty library crate outside the workspace (its own lockfile), removed when dropped.
struct Standalone {
    dir: std::path::PathBuf,
}

impl Standalone {
    /// `manifest` is everything after `[package]`: dependencies, profiles.
    fn create(name: &str, manifest: &str) -> Result<Standalone, String> {
        let dir = scratch_dir(&format!("{name}-src"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n{manifest}\n[workspace]\n"
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
        Ok(Standalone { dir })
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One clean build's figures.
struct Build {
    elapsed: Duration,
    /// The sum of every unit's duration in cargo's timing report.
    cpu: Duration,
    slowest: Vec<String>,
}

/// One clean build in `target_dir` (emptied first and after); the unit figures when cargo's
/// timing report can be read.
fn timed_build(
    root: &Path,
    args: &[&str],
    target_dir: &Path,
    release: bool,
) -> Result<Build, String> {
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
    let units = unit_durations(&report);
    Ok(Build {
        elapsed,
        cpu: units
            .iter()
            .map(|(seconds, _)| Duration::try_from_secs_f64(*seconds).unwrap_or_default())
            .sum(),
        slowest: units
            .into_iter()
            .take(5)
            .map(|(seconds, unit)| format!("{unit} {seconds:.1} s"))
            .collect(),
    })
}

/// The units of a `cargo build --timings` report (its `UNIT_DATA` array), longest first, as
/// seconds and `name target`.
fn unit_durations(report: &str) -> Vec<(f64, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_reports_give_units_longest_first_with_their_targets() {
        let report = r#"<script>
const UNIT_DATA = [{"i":0,"name":"ring","version":"0.17.14","target":" build-script (run)","duration":2.25},
{"i":1,"name":"tokio","version":"1.54.1","target":"","duration":4.5},
{"i":2,"name":"odd","duration":"n/a"}];
const CONCURRENCY_DATA = [];
</script>"#;
        let units = unit_durations(report);
        assert_eq!(
            units,
            vec![
                (4.5, "tokio".to_owned()),
                (2.25, "ring build-script (run)".to_owned())
            ]
        );
        assert!(unit_durations("<html>no timings</html>").is_empty());
    }

    #[test]
    fn cpu_above_the_floor_is_signed_whole_seconds() {
        assert_eq!(signed_seconds(23_400), "+23 s");
        assert_eq!(signed_seconds(-4_600), "-5 s");
        assert_eq!(signed_seconds(0), "+0 s");
    }

    #[test]
    fn builds_report_the_median_and_the_range() {
        let build = |secs| Build {
            elapsed: Duration::from_secs(secs),
            cpu: Duration::from_secs(secs * 2),
            slowest: Vec::new(),
        };
        let builds = Builds::of(vec![build(40), build(34), build(37)]);
        assert_eq!(builds.to_string(), "37 s (34–40 s; 74 s CPU)");
    }
}
