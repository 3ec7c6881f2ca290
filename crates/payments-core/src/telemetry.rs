//! `tracing` around every provider call.
//!
//! Each call runs inside a `payment_provider_call` span carrying the provider and the
//! operation, and ends with one event carrying the duration, the outcome, and for a failure the
//! error kind and whether the outcome is unknown. Nothing else is recorded: no request body, no
//! URL (query strings carry signatures), no secret, no card data.

use std::future::Future;
use std::time::Instant;

use tracing::Instrument;

use crate::error::Classify;

/// Runs `call` inside a `payment_provider_call` span and logs how it ended.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let answer = payments_core::telemetry::instrument("zaif", "get_invoice", async {
///     Ok::<_, payments_core::Error>(42)
/// })
/// .await?;
/// assert_eq!(answer, 42);
/// # Ok::<(), payments_core::Error>(())
/// # }).unwrap();
/// ```
pub async fn instrument<T, E, F>(
    provider: &'static str,
    operation: &'static str,
    call: F,
) -> Result<T, E>
where
    E: Classify,
    F: Future<Output = Result<T, E>>,
{
    let span = tracing::info_span!("payment_provider_call", provider, operation);
    let started = Instant::now();
    let result = call.instrument(span.clone()).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let _entered = span.enter();
    match &result {
        Ok(_) => tracing::info!(duration_ms, outcome = "ok", "provider call finished"),
        Err(error) if error.outcome_unknown() => tracing::warn!(
            duration_ms,
            outcome = "error",
            error.kind = %error.kind(),
            outcome_unknown = true,
            error.message = %error,
            "provider call failed; the request may have taken effect"
        ),
        Err(error) => tracing::info!(
            duration_ms,
            outcome = "error",
            error.kind = %error.kind(),
            outcome_unknown = false,
            error.message = %error,
            "provider call failed"
        ),
    }
    result
}
