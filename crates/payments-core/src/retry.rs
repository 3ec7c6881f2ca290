//! When a failed request may be sent again, and when it must not be.
//!
//! The rule that protects money: a request that may have reached the provider and is not
//! idempotent (it creates an invoice, charges a card, adds a payment) is **never** resent
//! automatically. The caller gets the error, whose
//! [`outcome_unknown`](crate::Error::outcome_unknown) says so.
//!
//! What is retried:
//! * anything that provably did nothing at the provider: a connection that was never made, a
//!   rate-limit answer, a provider error marked transient (Zaif's `nonce not incremented`);
//! * idempotent reads, also after a timeout, a reset or a 5xx.
//!
//! Delays grow exponentially with "equal jitter" (half fixed, half random), and both the number
//! of attempts and the total time are bounded.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::Classify;
#[cfg(test)]
use crate::error::Error;

/// Whether sending a request twice could have a different effect from sending it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// A read (get an invoice, get a balance): safe to repeat.
    Idempotent,
    /// A request that moves money or changes state: repeat only when it provably did nothing.
    NonIdempotent,
}

/// Why a retry loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// The error is final (bad input, a decline, a 4xx...).
    NotRetryable,
    /// The request may have taken effect and is not idempotent: resending could pay twice.
    OutcomeUnknown,
    /// The attempt limit was reached.
    AttemptsExhausted,
    /// The next delay would exceed the total time budget.
    TimeBudgetExhausted,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryDecision {
    /// Wait this long, then send again (re-signed, with a fresh nonce or timestamp).
    RetryAfter(Duration),
    /// Give the error to the caller.
    Stop(StopReason),
}

/// A bounded, jittered exponential backoff that knows what is safe to retry.
///
/// ```
/// use std::time::Duration;
/// use payments_core::retry::{Idempotency, RetryDecision, RetryPolicy, StopReason};
/// use payments_core::{Error, SendPhase};
///
/// let policy = RetryPolicy::default();
/// let timed_out = Error::Timeout { provider: "zaif", phase: SendPhase::MaybeSent };
/// // A purchase that timed out after sending is never resent...
/// assert_eq!(
///     policy.decide(&timed_out, Idempotency::NonIdempotent, 1, Duration::ZERO, 12345),
///     RetryDecision::Stop(StopReason::OutcomeUnknown),
/// );
/// // ...while a read may be.
/// assert!(matches!(
///     policy.decide(&timed_out, Idempotency::Idempotent, 1, Duration::ZERO, 12345),
///     RetryDecision::RetryAfter(_),
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms first delay doubling up to 2 s, 10 s in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            max_elapsed: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn never() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the total number of attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first delay and the cap each later delay doubles up to.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> RetryPolicy {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the total time budget across all attempts and delays.
    pub fn max_elapsed(mut self, budget: Duration) -> RetryPolicy {
        self.max_elapsed = budget;
        self
    }

    /// The total number of attempts allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long after a call's first send no attempt of it can still be in flight: the time
    /// budget across all attempts and delays, plus one `request_timeout` for an attempt started
    /// just before the budget ran out. A lookup that finds nothing after it proves the call
    /// took no effect.
    pub fn quiet_period(&self, request_timeout: Duration) -> Duration {
        self.max_elapsed + request_timeout
    }

    /// Whether `error` may be retried at all for a request of this `idempotency`.
    pub fn is_retryable(&self, error: &impl Classify, idempotency: Idempotency) -> bool {
        error.nothing_happened_and_retryable()
            || (idempotency == Idempotency::Idempotent && error.transient_for_idempotent())
    }

    /// The upper bound of the delay before retry number `retry` (1 for the first retry):
    /// `initial × 2^(retry−1)`, capped at the maximum backoff.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }

    /// Decides what follows a failed attempt, given how many attempts were made so far and how
    /// long they took. `random` picks the jitter: any number, drawn afresh for each decision
    /// (the client draws it from the crypto provider's generator; tests pass fixed ones).
    pub fn decide(
        &self,
        error: &impl Classify,
        idempotency: Idempotency,
        attempts_made: u32,
        elapsed: Duration,
        random: u64,
    ) -> RetryDecision {
        if !self.is_retryable(error, idempotency) {
            let reason = if error.outcome_unknown() && idempotency == Idempotency::NonIdempotent {
                StopReason::OutcomeUnknown
            } else {
                StopReason::NotRetryable
            };
            return RetryDecision::Stop(reason);
        }
        if attempts_made >= self.max_attempts {
            return RetryDecision::Stop(StopReason::AttemptsExhausted);
        }
        let ceiling = self.backoff_ceiling(attempts_made);
        let half = ceiling / 2;
        let jitter_nanos = random % duration_nanos(ceiling - half).saturating_add(1);
        let mut delay = half + Duration::from_nanos(jitter_nanos);
        if let Some(asked) = error.retry_after() {
            delay = delay.max(asked);
        }
        if elapsed.saturating_add(delay) > self.max_elapsed {
            return RetryDecision::Stop(StopReason::TimeBudgetExhausted);
        }
        RetryDecision::RetryAfter(delay)
    }

    /// Runs `attempt` until it succeeds or [`RetryPolicy::decide`] says stop. `attempt` gets the
    /// attempt number (1-based) and must rebuild and re-sign its request each time.
    pub async fn run<T, E, F, Fut>(
        &self,
        idempotency: Idempotency,
        mut attempt: F,
    ) -> std::result::Result<T, E>
    where
        E: Classify,
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
    {
        let started = Instant::now();
        let mut attempts_made = 0;
        loop {
            attempts_made += 1;
            let error = match attempt(attempts_made).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            match self.delay_after(&error, idempotency, attempts_made, started) {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(error),
            }
        }
    }

    /// What follows a failed attempt: the delay before the next one, or `None` to stop. Apart
    /// from [`RetryPolicy::run`] (and cold) so a call that succeeds runs none of this code.
    #[cold]
    fn delay_after(
        &self,
        error: &impl Classify,
        idempotency: Idempotency,
        attempts_made: u32,
        started: Instant,
    ) -> Option<Duration> {
        let decision = self.decide(
            error,
            idempotency,
            attempts_made,
            started.elapsed(),
            // Without a random number the delay is the fixed half: still bounded.
            crate::random::u64().unwrap_or(0),
        );
        match decision {
            RetryDecision::RetryAfter(delay) => {
                tracing::info!(
                    attempt = attempts_made,
                    delay_ms = duration_millis(delay),
                    nothing_happened = error.nothing_happened_and_retryable(),
                    "retrying: the failed attempt did nothing or the request is idempotent"
                );
                Some(delay)
            }
            RetryDecision::Stop(reason) => {
                tracing::debug!(attempt = attempts_made, ?reason, "not retrying");
                None
            }
        }
    }
}

fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn duration_millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    #[test]
    fn the_quiet_period_is_the_budget_plus_one_request() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(5));
        assert_eq!(
            policy.quiet_period(Duration::from_secs(2)),
            Duration::from_secs(7)
        );
        assert_eq!(
            RetryPolicy::never().quiet_period(Duration::from_secs(30)),
            Duration::from_secs(40)
        );
    }
    use crate::error::SendPhase;

    fn refused() -> Error {
        Error::Transport {
            provider: "p",
            phase: SendPhase::NotSent,
            message: "connection refused".into(),
            source: None,
        }
    }

    fn reset_after_send() -> Error {
        Error::Transport {
            provider: "p",
            phase: SendPhase::MaybeSent,
            message: "connection reset".into(),
            source: None,
        }
    }

    fn decide(policy: &RetryPolicy, error: &Error, idem: Idempotency, made: u32) -> RetryDecision {
        policy.decide(error, idem, made, Duration::ZERO, 7)
    }

    #[test]
    fn money_moving_requests_are_retried_only_when_nothing_happened() {
        use Idempotency::NonIdempotent;
        let policy = RetryPolicy::default();
        let retried = [
            refused(),
            Error::Timeout {
                provider: "p",
                phase: SendPhase::NotSent,
            },
            Error::RateLimited {
                provider: "p",
                retry_after: None,
            },
            Error::Provider {
                provider: "zaif",
                code: "nonce not incremented".into(),
                message: String::new(),
                transient: true,
            },
        ];
        for error in &retried {
            assert!(
                matches!(
                    decide(&policy, error, NonIdempotent, 1),
                    RetryDecision::RetryAfter(_)
                ),
                "{error:?}"
            );
        }
        let unknown = [
            reset_after_send(),
            Error::Timeout {
                provider: "p",
                phase: SendPhase::MaybeSent,
            },
            Error::from_status("p", 502, None, "<html>".into()),
            Error::decode("p", 200, "EOF", "{".into()),
        ];
        for error in &unknown {
            assert_eq!(
                decide(&policy, error, NonIdempotent, 1),
                RetryDecision::Stop(StopReason::OutcomeUnknown),
                "{error:?}"
            );
        }
        let final_answers = [
            Error::invalid_input("amount", "x"),
            Error::Declined {
                provider: "p",
                code: "05".into(),
                message: String::new(),
            },
            Error::from_status("p", 400, None, String::new()),
            Error::from_status("p", 401, None, String::new()),
        ];
        for error in &final_answers {
            assert_eq!(
                decide(&policy, error, NonIdempotent, 1),
                RetryDecision::Stop(StopReason::NotRetryable),
                "{error:?}"
            );
        }
    }

    #[test]
    fn reads_are_retried_after_ambiguous_failures() {
        let policy = RetryPolicy::default();
        for error in [
            reset_after_send(),
            Error::from_status("p", 503, None, String::new()),
            Error::from_status("p", 408, None, String::new()),
        ] {
            assert!(
                matches!(
                    decide(&policy, &error, Idempotency::Idempotent, 1),
                    RetryDecision::RetryAfter(_)
                ),
                "{error:?}"
            );
        }
        assert_eq!(
            decide(
                &policy,
                &Error::decode("p", 200, "x", String::new()),
                Idempotency::Idempotent,
                1
            ),
            RetryDecision::Stop(StopReason::NotRetryable)
        );
    }

    #[test]
    fn attempts_are_bounded() {
        let policy = RetryPolicy::default().max_attempts(3);
        assert!(matches!(
            decide(&policy, &refused(), Idempotency::Idempotent, 2),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(
            decide(&policy, &refused(), Idempotency::Idempotent, 3),
            RetryDecision::Stop(StopReason::AttemptsExhausted)
        );
        assert_eq!(RetryPolicy::never().attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn time_budget_is_bounded() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(1));
        let decision = policy.decide(
            &refused(),
            Idempotency::Idempotent,
            1,
            Duration::from_millis(999),
            1,
        );
        assert_eq!(
            decision,
            RetryDecision::Stop(StopReason::TimeBudgetExhausted)
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy::default()
            .max_attempts(20)
            .max_elapsed(Duration::from_secs(3600))
            .backoff(Duration::from_millis(100), Duration::from_millis(1000));
        let ceilings: Vec<u64> = (1..=6)
            .map(|n| duration_millis(policy.backoff_ceiling(n)))
            .collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            policy.backoff_ceiling(u32::MAX),
            Duration::from_millis(1000)
        );

        let mut rng = StdRng::seed_from_u64(42);
        let mut seen = std::collections::HashSet::new();
        for made in 1..=6 {
            for _ in 0..50 {
                let RetryDecision::RetryAfter(delay) = policy.decide(
                    &refused(),
                    Idempotency::Idempotent,
                    made,
                    Duration::ZERO,
                    rng.random(),
                ) else {
                    panic!("expected a retry");
                };
                let ceiling = policy.backoff_ceiling(made);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{delay:?} vs {ceiling:?}"
                );
                seen.insert(delay);
            }
        }
        assert!(
            seen.len() > 100,
            "jitter should spread delays, got {}",
            seen.len()
        );
    }

    #[test]
    fn rate_limit_delay_is_honoured() {
        let policy = RetryPolicy::default();
        let error = Error::RateLimited {
            provider: "p",
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            decide(&policy, &error, Idempotency::NonIdempotent, 1),
            RetryDecision::RetryAfter(Duration::from_secs(3))
        );
        let short_budget = policy.max_elapsed(Duration::from_secs(2));
        assert_eq!(
            decide(&short_budget, &error, Idempotency::NonIdempotent, 1),
            RetryDecision::Stop(StopReason::TimeBudgetExhausted)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn run_retries_until_success_and_stops_on_unknown_outcome() {
        let policy = RetryPolicy::default();
        let calls = AtomicU32::new(0);
        let value = policy
            .run(Idempotency::NonIdempotent, |attempt| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if attempt < 3 {
                        Err(refused())
                    } else {
                        Ok(attempt)
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(value, 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let calls = AtomicU32::new(0);
        let err = policy
            .run(Idempotency::NonIdempotent, |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(reset_after_send()) }
            })
            .await
            .unwrap_err();
        assert!(err.outcome_unknown());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a maybe-sent purchase is sent once"
        );
    }
}
