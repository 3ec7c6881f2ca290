//! `tracing` around every provider call.
//!
//! Each call runs inside a `payment_provider_call` span carrying the provider and the
//! operation, and ends with one event carrying the duration, the outcome, and for a failure the
//! error kind and whether the outcome is unknown. Nothing else is recorded: no request body, no
//! URL (query strings carry signatures), no secret, no card data.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
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
pub fn instrument<T, E, F>(
    provider: &'static str,
    operation: &'static str,
    call: F,
) -> ProviderCall<F>
where
    E: Classify,
    F: Future<Output = Result<T, E>>,
{
    let span = tracing::info_span!("payment_provider_call", provider, operation);
    ProviderCall {
        call: call.instrument(span),
        // No clock reads when no subscriber takes even the warning (the least verbose event).
        started: tracing::level_enabled!(tracing::Level::WARN).then(Instant::now),
    }
}

pin_project_lite::pin_project! {
    /// The future [`instrument`] returns: the call, in its span, then one event on how it ended.
    ///
    /// A future of its own rather than an `async` block, so it holds the call once, in place:
    /// an `async` wrapper keeps the call it was given and the call it awaits in two slots, and
    /// copies the call (a kilobyte or more) from one to the other on every call.
    #[must_use = "futures do nothing unless awaited"]
    pub struct ProviderCall<F> {
        #[pin]
        call: tracing::instrument::Instrumented<F>,
        started: Option<Instant>,
    }
}

impl<F> std::fmt::Debug for ProviderCall<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderCall")
            .field("span", self.call.span())
            .finish_non_exhaustive()
    }
}

impl<T, E, F> Future for ProviderCall<F>
where
    E: Classify,
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let Poll::Ready(result) = this.call.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        let duration_ms = this.started.map_or(0, |started| {
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
        });
        let _entered = this.call.span().enter();
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
        Poll::Ready(result)
    }
}
