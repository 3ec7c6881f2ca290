//! Fault injection, per provider and per route, set at start or at run time.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Which provider a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Zaif's `/ecapi`.
    Zaif,
    /// PaymentOptions' purchase paths.
    Paymentoptions,
    /// INTER-STREAM's `api.php`.
    Interstream,
}

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Only the added latency; the request is processed normally.
    Latency,
    /// An HTTP error status (`status`, default 503) with a JSON-less body; not processed.
    Status,
    /// An HTML error page with status 502; not processed.
    Html,
    /// The request is processed, and the answer is cut in half.
    Truncated,
    /// The connection is reset before the request is processed.
    Reset,
    /// The request is processed, then the answer is dropped: the outcome is unknown to the
    /// client, and the ledger shows what happened.
    DropAfterProcessing,
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The provider.
    pub provider: Provider,
    /// The route: Zaif's `method` (`createInvoice`), PaymentOptions' last path segment
    /// (`payment`, `paymentv2`), INTER-STREAM's `do` (`add_payment`); none for every route.
    #[serde(default)]
    pub route: Option<String>,
    /// What goes wrong.
    pub kind: FaultKind,
    /// The status for [`FaultKind::Status`].
    #[serde(default)]
    pub status: Option<u16>,
    /// Added latency before anything else, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Random extra latency per request, from 0 to this many milliseconds: what a real network
    /// does between separate connections, so requests can overtake one another.
    #[serde(default)]
    pub jitter_ms: u64,
    /// How many requests it applies to before it is used up; none for every request.
    #[serde(default)]
    pub times: Option<u32>,
    /// The chance, in percent, that it applies to a matching request (a random draw per
    /// request; a request it skips goes on to the next rule, and uses up nothing); none for
    /// always.
    #[serde(default)]
    pub chance_percent: Option<u8>,
}

impl FaultRule {
    /// A rule of `kind` for every route of `provider`, every time, without latency; narrow it
    /// with the `with_*` methods.
    pub fn new(provider: Provider, kind: FaultKind) -> FaultRule {
        FaultRule {
            provider,
            route: None,
            kind,
            status: None,
            latency_ms: 0,
            jitter_ms: 0,
            times: None,
            chance_percent: None,
        }
    }

    /// Only for `route`.
    pub fn with_route(mut self, route: &str) -> FaultRule {
        self.route = Some(route.to_owned());
        self
    }

    /// Only for the next `times` requests.
    pub fn with_times(mut self, times: u32) -> FaultRule {
        self.times = Some(times);
        self
    }

    /// For each matching request with this chance, in percent.
    pub fn with_chance_percent(mut self, chance: u8) -> FaultRule {
        self.chance_percent = Some(chance);
        self
    }

    /// With 0 to `jitter_ms` milliseconds of random latency first.
    pub fn with_jitter_ms(mut self, jitter_ms: u64) -> FaultRule {
        self.jitter_ms = jitter_ms;
        self
    }
}

/// The active rules.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    injected: std::sync::atomic::AtomicU64,
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Faults {
        Faults {
            rules: Mutex::new(rules),
            injected: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub(crate) fn replace(&self, rules: Vec<FaultRule>) {
        *lock(&self.rules) = rules;
    }

    /// How many requests a rule applied to.
    pub(crate) fn injected(&self) -> u64 {
        self.injected.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn list(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    /// The first rule matching this request (and, for a rule with a chance, drawn for it),
    /// counting one use of it.
    pub(crate) fn take(&self, provider: Provider, route: &str) -> Option<FaultRule> {
        let mut rules = lock(&self.rules);
        let index = rules.iter().position(|rule| {
            rule.provider == provider
                && rule.route.as_deref().is_none_or(|r| r == route)
                && rule.times != Some(0)
                && rule
                    .chance_percent
                    .is_none_or(|chance| rand::random_range(0..100u8) < chance)
        })?;
        let rule = rules[index].clone();
        if let Some(times) = rules[index].times.as_mut() {
            *times -= 1;
        }
        self.injected
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(rule)
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies a fault around `process`: latency first, then either an answer without
/// processing, or processing followed by a damaged answer.
pub(crate) async fn apply<F, Fut>(fault: Option<FaultRule>, process: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let Some(fault) = fault else {
        return process().await;
    };
    let jitter = if fault.jitter_ms > 0 {
        rand::random::<u64>() % (fault.jitter_ms + 1)
    } else {
        0
    };
    if fault.latency_ms + jitter > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms + jitter)).await;
    }
    match fault.kind {
        FaultKind::Latency => process().await,
        FaultKind::Status => {
            let status = fault
                .status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (status, "Service Unavailable (sandbox fault)").into_response()
        }
        FaultKind::Html => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>sandbox fault</p></body></html>",
        )
            .into_response(),
        FaultKind::Reset => broken_answer(),
        FaultKind::Truncated => {
            let response = process().await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(cut));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        FaultKind::DropAfterProcessing => {
            let _ = process().await;
            broken_answer()
        }
    }
}

/// An answer whose body fails mid-stream: the connection is torn down before a complete answer
/// reaches the client.
fn broken_answer() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: connection reset",
        ))
    });
    Response::new(Body::from_stream(failing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(route: Option<&str>, times: Option<u32>) -> FaultRule {
        FaultRule {
            provider: Provider::Zaif,
            route: route.map(str::to_owned),
            kind: FaultKind::Html,
            status: None,
            latency_ms: 0,
            jitter_ms: 0,
            times,
            chance_percent: None,
        }
    }

    #[test]
    fn rules_match_by_provider_and_route_and_are_used_up() {
        let faults = Faults::new(vec![rule(Some("createInvoice"), Some(2)), rule(None, None)]);
        assert_eq!(faults.take(Provider::Interstream, "add_payment"), None);
        assert_eq!(
            faults
                .take(Provider::Zaif, "createInvoice")
                .unwrap()
                .route
                .as_deref(),
            Some("createInvoice")
        );
        assert!(
            faults
                .take(Provider::Zaif, "createInvoice")
                .unwrap()
                .route
                .is_some()
        );
        // Used up: the catch-all rule applies now.
        assert_eq!(
            faults.take(Provider::Zaif, "createInvoice").unwrap().route,
            None
        );
        assert_eq!(
            faults.take(Provider::Zaif, "getInvoice").unwrap().route,
            None
        );
    }

    #[test]
    fn a_rule_with_a_chance_applies_that_often_and_otherwise_falls_through() {
        let never = FaultRule::new(Provider::Zaif, FaultKind::Html).with_chance_percent(0);
        let always = FaultRule::new(Provider::Zaif, FaultKind::Latency).with_chance_percent(100);
        let faults = Faults::new(vec![never, always]);
        for _ in 0..200 {
            let taken = faults.take(Provider::Zaif, "createInvoice").unwrap();
            assert_eq!(taken.kind, FaultKind::Latency);
        }
        let half = Faults::new(vec![
            FaultRule::new(Provider::Zaif, FaultKind::Html).with_chance_percent(50),
        ]);
        let hits = (0..2000)
            .filter(|_| half.take(Provider::Zaif, "getInvoice").is_some())
            .count();
        assert!((800..1200).contains(&hits), "{hits} of 2000 at 50%");
    }

    #[test]
    fn rules_read_from_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"provider":"paymentoptions","route":"payment","kind":"drop_after_processing","times":1}"#,
        )
        .unwrap();
        assert_eq!(rule.kind, FaultKind::DropAfterProcessing);
        assert_eq!(rule.latency_ms, 0);
    }
}
