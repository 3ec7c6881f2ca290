//! `cargo xtask instructions`: instructions per round trip (client and local server together,
//! on one thread) of each provider's typed call and its floors, counted by cachegrind, with the
//! first-level cache misses and branch mispredictions its simulation of this machine's caches
//! finds. Unlike times, the counts repeat from run to run on a busy machine, so a change can be
//! judged by them; the fixed cost of starting up is removed by running each contestant twice
//! with different call counts and dividing the difference.
//!
//! The misses are there because instructions alone do not tell the time: two calls of the same
//! instruction count differ by what code and data they touch (a larger footprint misses the
//! caches more), which is most of what separates a typed call from its floor once the
//! instructions match.

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
            let short = simulated(&binary, contestant, SHORT)?;
            let long = simulated(&binary, contestant, LONG)?;
            per_call.push((*contestant, long.per_call_since(&short, LONG - SHORT)));
        }
        let typed = per_call[0].1;
        for (contestant, counts) in &per_call {
            let _ = writeln!(
                out,
                "{package}: {contestant}: {} instructions per round trip ({contestant}/typed {}); \
                 simulated misses per round trip: {} I1, {} D1, {} branches",
                counts.instructions,
                ratio(counts.instructions, typed.instructions.max(1)),
                counts.i1_misses,
                counts.d1_misses,
                counts.mispredicts,
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

/// What cachegrind counted over one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts {
    instructions: u64,
    i1_misses: u64,
    d1_misses: u64,
    mispredicts: u64,
}

impl Counts {
    /// Per call, from a longer run's counts minus a shorter one's, over the calls between them.
    fn per_call_since(&self, shorter: &Counts, calls: u64) -> Counts {
        let each = |long: u64, short: u64| long.saturating_sub(short) / calls.max(1);
        Counts {
            instructions: each(self.instructions, shorter.instructions),
            i1_misses: each(self.i1_misses, shorter.i1_misses),
            d1_misses: each(self.d1_misses, shorter.d1_misses),
            mispredicts: each(self.mispredicts, shorter.mispredicts),
        }
    }
}

/// What cachegrind counted for one run of `binary contestant calls`, simulating the caches it
/// finds on this machine.
fn simulated(binary: &Path, contestant: &str, calls: u64) -> Result<Counts, String> {
    let output = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=yes",
            "--branch-sim=yes",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(binary)
        .arg(contestant)
        .arg(calls.to_string())
        .output()
        .map_err(|e| e.to_string())?;
    let report = String::from_utf8_lossy(&output.stderr);
    parse_summary(&report)
        .ok_or_else(|| format!("no counts in cachegrind's summary for {contestant}"))
}

/// The totals from cachegrind's summary (`==1== I   refs:      270,738,268`, `I1  misses:`,
/// `D1  misses:` and `Mispredicts:`, each the first number after the colon).
fn parse_summary(report: &str) -> Option<Counts> {
    let total = |label: &str| {
        report.lines().find_map(|line| {
            let (_, rest) = line.split_once(label)?;
            let number = rest.trim_start_matches(':').split_whitespace().next()?;
            number.replace(',', "").parse::<u64>().ok()
        })
    };
    Some(Counts {
        instructions: total("I   refs")?,
        i1_misses: total("I1  misses")?,
        d1_misses: total("D1  misses")?,
        mispredicts: total("Mispredicts")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cachegrind_totals_and_writes_exact_ratios() {
        let report = "==42== I   refs:      270,738,268\n\
                      ==42== I1  misses:      9,781,358\n\
                      ==42== LLi misses:         27,483\n\
                      ==42== D   refs:      116,229,493  (68,945,601 rd   + 47,283,892 wr)\n\
                      ==42== D1  misses:      2,149,157  ( 1,247,035 rd   +    902,122 wr)\n\
                      ==42== Mispredicts:     5,218,932  ( 3,490,497 cond +  1,728,435 ind)\n";
        let counts = parse_summary(report).unwrap();
        assert_eq!(
            counts,
            Counts {
                instructions: 270_738_268,
                i1_misses: 9_781_358,
                d1_misses: 2_149_157,
                mispredicts: 5_218_932,
            }
        );
        assert_eq!(parse_summary("no summary"), None);
        let shorter = Counts {
            instructions: 738_268,
            i1_misses: 81_358,
            d1_misses: 49_157,
            mispredicts: 18_932,
        };
        assert_eq!(
            counts.per_call_since(&shorter, 1000),
            Counts {
                instructions: 270_000,
                i1_misses: 9_700,
                d1_misses: 2_100,
                mispredicts: 5_200,
            }
        );
        assert_eq!(ratio(798, 1000), "0.798");
        assert_eq!(ratio(1500, 1000), "1.500");
    }
}
