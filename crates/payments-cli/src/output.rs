//! Printing results and errors, and the exit codes.

use std::process::ExitCode;

use payments::{Error, ErrorKind};
use serde_json::Value;

/// Success.
pub(crate) const EXIT_OK: u8 = 0;
/// The provider declined or answered with an error.
pub(crate) const EXIT_PROVIDER: u8 = 1;
/// Invalid input or configuration: nothing was sent.
pub(crate) const EXIT_INPUT: u8 = 2;
/// Transport failure, timeout or undecodable answer: the outcome may be unknown.
pub(crate) const EXIT_TRANSPORT: u8 = 3;

/// What a command produced: a one-line title and the typed result as JSON.
pub(crate) struct Report {
    pub(crate) title: String,
    pub(crate) value: Value,
}

impl Report {
    pub(crate) fn new(
        title: impl Into<String>,
        value: impl serde::Serialize,
    ) -> Result<Report, Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::invalid_input("output", e.to_string()))?;
        Ok(Report {
            title: title.into(),
            value,
        })
    }
}

/// Human-readable or JSON output.
pub(crate) struct Output {
    json: bool,
}

/// The exit code for an error.
pub(crate) fn exit_code(error: &Error) -> u8 {
    match error {
        // A reused key, a bad key, a journal that cannot be used: refused before any payment.
        Error::Journal {
            code: "key_reused" | "invalid_key" | "store",
            ..
        } => return EXIT_INPUT,
        // The provider said no, earlier.
        Error::Journal {
            code: "failed_earlier",
            ..
        } => return EXIT_PROVIDER,
        _ => {}
    }
    match error.kind() {
        ErrorKind::InvalidInput | ErrorKind::Configuration => EXIT_INPUT,
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Decode => EXIT_TRANSPORT,
        _ if error.outcome_unknown() => EXIT_TRANSPORT,
        _ => EXIT_PROVIDER,
    }
}

impl Output {
    pub(crate) fn new(json: bool) -> Output {
        Output { json }
    }

    /// Prints the result or the error, and returns the exit code.
    pub(crate) fn finish(&self, result: Result<Report, Error>) -> ExitCode {
        match result {
            Ok(report) => {
                self.report(&report);
                ExitCode::from(EXIT_OK)
            }
            Err(error) => {
                self.error(&error);
                ExitCode::from(exit_code(&error))
            }
        }
    }

    /// The end of a command that serves until Ctrl-C (it printed as it went): success, or the
    /// error that stopped it, printed, and its exit code.
    pub(crate) fn served(&self, result: Result<(), Error>) -> ExitCode {
        match result {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(error) => {
                self.error(&error);
                ExitCode::from(exit_code(&error))
            }
        }
    }

    pub(crate) fn report(&self, report: &Report) {
        if self.json {
            println!("{}", report.value);
        } else {
            println!("{}", report.title);
            let mut lines = Vec::new();
            flatten("", &report.value, &mut lines);
            for (key, value) in lines {
                println!("  {key}: {value}");
            }
        }
    }

    pub(crate) fn error(&self, error: &Error) {
        let unknown = error.outcome_unknown();
        if self.json {
            let document = serde_json::json!({"error": {
                "kind": error.kind().as_str(),
                "provider": error.provider(),
                "code": error.provider_code(),
                "message": error.to_string(),
                "outcome_unknown": unknown,
            }});
            eprintln!("{document}");
            return;
        }
        eprintln!("error: {error}");
        if let Some(code) = error.provider_code() {
            eprintln!("  provider code: {code}");
        }
        if unknown {
            eprintln!(
                "  the outcome is unknown: the request may have reached the provider and taken effect.\n  \
                 Check (by your reference or order number) before trying again; a call made with\n  \
                 --idempotency-key is settled by `payments reconcile` or by the same command again."
            );
        } else if exit_code(error) == EXIT_INPUT {
            // Said only when it is true: no request left this process at all.
            match payments::http::requests_started() {
                0 => eprintln!("  nothing was sent."),
                n => eprintln!(
                    "  the refused call was not sent; {n} earlier request(s) of this command were."
                ),
            }
        }
    }
}

/// `a.b.c: value` lines for every scalar in `value`.
fn flatten(prefix: &str, value: &Value, lines: &mut Vec<(String, String)>) {
    let key = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match value {
        Value::Object(map) => {
            for (name, item) in map {
                flatten(&key(name), item, lines);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let joined: Vec<String> = items.iter().map(scalar).collect();
            lines.push((prefix.to_owned(), joined.join(", ")));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&key(&i.to_string()), item, lines);
            }
        }
        Value::Null => {}
        other => lines.push((
            if prefix.is_empty() {
                "result".to_owned()
            } else {
                prefix.to_owned()
            },
            scalar(other),
        )),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments::SendPhase;

    #[test]
    fn exit_codes_follow_the_error() {
        let cases = [
            (Error::invalid_input("amount", "x"), EXIT_INPUT),
            (Error::configuration("ZAIF_API_KEY", "x"), EXIT_INPUT),
            (
                Error::Declined {
                    provider: "p",
                    code: "05".into(),
                    message: "no".into(),
                },
                EXIT_PROVIDER,
            ),
            (
                Error::from_status("p", 400, None, String::new()),
                EXIT_PROVIDER,
            ),
            (
                Error::from_status("p", 502, None, String::new()),
                EXIT_TRANSPORT,
            ),
            (
                Error::Timeout {
                    provider: "p",
                    phase: SendPhase::MaybeSent,
                },
                EXIT_TRANSPORT,
            ),
            (
                Error::Transport {
                    provider: "p",
                    phase: SendPhase::NotSent,
                    message: "refused".into(),
                    source: None,
                },
                EXIT_TRANSPORT,
            ),
            (Error::decode("p", 200, "x", String::new()), EXIT_TRANSPORT),
        ];
        for (error, code) in cases {
            assert_eq!(exit_code(&error), code, "{error:?}");
        }
    }

    #[test]
    fn results_flatten_to_dotted_lines() {
        let mut lines = Vec::new();
        flatten(
            "",
            &serde_json::json!({"a": {"b": 1, "c": null}, "ids": ["x", "y"], "t": "s"}),
            &mut lines,
        );
        assert_eq!(
            lines,
            [
                ("a.b".to_owned(), "1".to_owned()),
                ("ids".to_owned(), "x, y".to_owned()),
                ("t".to_owned(), "s".to_owned())
            ]
        );
    }
}
