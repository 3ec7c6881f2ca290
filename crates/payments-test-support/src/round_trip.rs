//! The round-trip benchmarks: a typed client against raw `reqwest`, measured so the ratio
//! means what it says.
//!
//! Two things made the old figures swing by more than the client costs (±8 µs on a ~65 µs
//! round trip, raw/typed anywhere from 0.78 to 0.96 for the same binary):
//!
//! * a multi-threaded runtime on two cores, where the round trip is mostly thread wake-ups;
//!   [`round_trip_runtime`](crate::round_trip_runtime) runs the client and the server on one
//!   thread, so the time is the work done;
//! * the machine drifting between criterion's measurement windows (raw measured for five
//!   seconds, then typed for five more). Here every contestant is measured *interleaved* with
//!   its partner (each timed call follows one untimed call of the other), and a final paired
//!   run alternates blocks of each (ABBA order) and reports the median of the per-block ratios,
//!   which drift cannot bias.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use criterion::Criterion;
use futures_util::FutureExt;

/// One side of a round-trip comparison: a name and a call to time.
pub struct Contestant<'a> {
    name: &'static str,
    call: Box<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + 'a>> + 'a>,
}

impl<'a> Contestant<'a> {
    /// `call` makes one whole request (send, read, decode); its output is dropped.
    pub fn new<F, Fut>(name: &'static str, call: F) -> Contestant<'a>
    where
        F: Fn() -> Fut + 'a,
        Fut: Future + 'a,
    {
        Contestant {
            name,
            // `map`, not an `async` block awaiting the call: a block would hold the call twice
            // (as captured and as awaited) and copy it between the two, a cost of this harness
            // that grows with the contestant's future and that no caller's code has.
            call: Box::new(move || {
                Box::pin(call().map(|answer| {
                    std::hint::black_box(answer);
                }))
            }),
        }
    }

    async fn run(&self) {
        (self.call)().await;
    }
}

impl std::fmt::Debug for Contestant<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contestant")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What the paired run measured.
#[derive(Debug, Clone, Copy)]
pub struct PairedRatio {
    /// Mean time of one `floor` call over all blocks.
    pub floor: Duration,
    /// Mean time of one `typed` call over all blocks.
    pub typed: Duration,
    /// Median over the blocks of floor time / typed time, in thousandths (1000 = no
    /// overhead): integer arithmetic on nanoseconds, no floating point.
    pub median_permille: u64,
}

/// Registers `group` with one criterion benchmark per contestant (each timed call interleaved
/// with an untimed call of `typed`, or of the first floor for `typed` itself), then runs the
/// paired comparison of each floor against `typed` and prints it on stderr.
///
/// # Panics
/// When `floors` is empty (a benchmark bug).
pub fn compare<'a>(
    c: &mut Criterion,
    group: &str,
    runtime: &tokio::runtime::Runtime,
    floors: &[Contestant<'a>],
    typed: &Contestant<'a>,
) {
    let floor = floors
        .first()
        .unwrap_or_else(|| panic!("{group}: no floor"));
    let mut benchmarks = c.benchmark_group(group);
    for (measured, partner) in floors
        .iter()
        .map(|f| (f, typed))
        .chain(std::iter::once((typed, floor)))
    {
        benchmarks.bench_function(measured.name, |b| {
            b.to_async(runtime).iter_custom(|iters| async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    partner.run().await;
                    let started = Instant::now();
                    measured.run().await;
                    timed += started.elapsed();
                }
                timed
            });
        });
    }
    benchmarks.finish();
    if criterion_is_listing_testing_or_profiling() {
        return;
    }
    for floor in floors {
        let paired = runtime.block_on(paired(floor, typed, 200, 25));
        eprintln!(
            "{group}: paired (200 blocks of 25 calls, ABBA): {} {:.2?}, {} {:.2?}, \
             {}/{} median {}.{:03}",
            floor.name,
            paired.floor,
            typed.name,
            paired.typed,
            floor.name,
            typed.name,
            paired.median_permille / 1000,
            paired.median_permille % 1000,
        );
    }
}

/// `cargo bench -- --test` and `--list` only check that benchmarks run, and `--profile-time`
/// profiles them: none of them wants the paired run.
fn criterion_is_listing_testing_or_profiling() -> bool {
    std::env::args().any(|arg| arg == "--test" || arg == "--list" || arg == "--profile-time")
}

/// Times `blocks` blocks of `calls` calls of each side, alternating which goes first (A B B A),
/// and returns the means and the median per-block ratio.
pub async fn paired(
    floor: &Contestant<'_>,
    typed: &Contestant<'_>,
    blocks: usize,
    calls: u32,
) -> PairedRatio {
    async fn block(side: &Contestant<'_>, calls: u32) -> Duration {
        let started = Instant::now();
        for _ in 0..calls {
            side.run().await;
        }
        started.elapsed()
    }
    // Warm both sides' connections and caches.
    block(floor, calls).await;
    block(typed, calls).await;
    let (mut floor_total, mut typed_total) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::with_capacity(blocks);
    for index in 0..blocks {
        let (f, t) = if index % 2 == 0 {
            let f = block(floor, calls).await;
            (f, block(typed, calls).await)
        } else {
            let t = block(typed, calls).await;
            (block(floor, calls).await, t)
        };
        floor_total += f;
        typed_total += t;
        ratios.push(permille(f, t));
    }
    ratios.sort_unstable();
    let count = u32::try_from(blocks)
        .unwrap_or(u32::MAX)
        .saturating_mul(calls)
        .max(1);
    PairedRatio {
        floor: floor_total / count,
        typed: typed_total / count,
        median_permille: ratios.get(blocks / 2).copied().unwrap_or_default(),
    }
}

/// `floor / typed` in thousandths, from whole nanoseconds.
fn permille(floor: Duration, typed: Duration) -> u64 {
    let ratio = floor.as_nanos().saturating_mul(1000) / typed.as_nanos().max(1);
    u64::try_from(ratio).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_exact_thousandths() {
        let ms = Duration::from_millis;
        assert_eq!(permille(ms(39), ms(50)), 780);
        assert_eq!(permille(ms(50), ms(50)), 1000);
        assert_eq!(
            permille(Duration::from_nanos(2), Duration::from_nanos(3)),
            666
        );
        assert_eq!(permille(ms(1), Duration::ZERO), 1_000_000_000);
    }
}
