//! `cargo xtask instructions`: instructions per round trip (client and local server together,
//! on one thread) of each provider's typed call and its floors, counted by callgrind. Unlike
//! times, the counts repeat from run to run on a busy machine, so a change can be judged by
//! them; the fixed cost of starting up is removed by running each contestant twice with
//! different call counts and dividing the difference.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The calls of the short and the long run; the difference is what is counted.
const SHORT: u64 = 100;
const LONG: u64 = 600;

/// `(crate, example)` of each measured round trip.
const CRATES: &[(&str, &str)] = &[
    ("zaif-ecapi", "zaif_call_cost"),
    ("interstream-store", "interstream_call_cost"),
];
const CONTESTANTS: &[&str] = &["typed", "fair_floor", "fair_floor_without_timeout", "bare"];

pub(crate) fn instructions(root: &Path, out: &mut dyn Write) -> Result<(), String> {
    let valgrind = Command::new("valgrind").arg("--version").output();
    if !valgrind.is_ok_and(|o| o.status.success()) {
        return Err("valgrind is not installed (apt-get install valgrind)".into());
    }
    for (package, example) in CRATES {
        let built = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                package,
                "--example",
                example,
            ])
            .status()
            .map_err(|e| e.to_string())?;
        if !built.success() {
            return Err(format!("building {package}'s {example} failed"));
        }
        let binary = root.join("target/release/examples").join(example);
        let mut per_call = Vec::new();
        for contestant in CONTESTANTS {
            let short = collected(&binary, contestant, SHORT)?;
            let long = collected(&binary, contestant, LONG)?;
            let count = long.saturating_sub(short) / (LONG - SHORT);
            per_call.push((*contestant, count));
        }
        let typed = per_call[0].1.max(1);
        for (contestant, count) in &per_call {
            let _ = writeln!(
                out,
                "{package}: {contestant}: {count} instructions per round trip ({}/typed {})",
                contestant,
                ratio(*count, typed)
            );
        }
    }
    Ok(())
}

/// `a / b` to three decimals, from integers.
fn ratio(a: u64, b: u64) -> String {
    let permille = a.saturating_mul(1000) / b.max(1);
    format!("{}.{:03}", permille / 1000, permille % 1000)
}

/// The instructions callgrind collected for one run of `binary contestant calls`.
fn collected(binary: &Path, contestant: &str, calls: u64) -> Result<u64, String> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(binary)
        .arg(contestant)
        .arg(calls.to_string())
        .output()
        .map_err(|e| e.to_string())?;
    let report = String::from_utf8_lossy(&output.stderr);
    parse_collected(&report)
        .ok_or_else(|| format!("no instruction count in callgrind's report for {contestant}"))
}

/// The total from callgrind's closing lines (`==123== Collected : 4567890`).
fn parse_collected(report: &str) -> Option<u64> {
    report
        .lines()
        .find_map(|line| {
            line.split_once("Collected :")
                .map(|(_, n)| n.trim().parse().ok())
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_callgrind_totals_and_writes_exact_ratios() {
        let report =
            "==42== Events    : Ir\n==42== Collected : 123456789\n==42== I   refs: 123,456,789\n";
        assert_eq!(parse_collected(report), Some(123_456_789));
        assert_eq!(parse_collected("no summary"), None);
        assert_eq!(ratio(798, 1000), "0.798");
        assert_eq!(ratio(1500, 1000), "1.500");
    }
}
