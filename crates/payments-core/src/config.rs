//! Reading configuration from the environment, behind a seam tests can fill in.
//!
//! Every provider's `from_env()` goes through an [`EnvSource`], so a test passes a map instead of
//! mutating the process environment (which is `unsafe` since edition 2024 and racy in tests).

use std::collections::HashMap;

use crate::error::Error;
use crate::secret::Secret;

/// Where configuration values come from.
pub trait EnvSource {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl EnvSource for HashMap<&str, &str> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| (*v).to_owned())
    }
}

/// The value of `name` in a list of pairs (the first match).
fn lookup<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(key, _)| key.as_ref() == name)
        .map(|(_, value)| value.as_ref().to_owned())
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> EnvSource for [(K, V); N] {
    fn var(&self, name: &str) -> Option<String> {
        lookup(self, name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> EnvSource for Vec<(K, V)> {
    fn var(&self, name: &str) -> Option<String> {
        lookup(self, name)
    }
}

/// The value of `name`, trimmed; `None` when unset or blank.
pub fn optional(env: &dyn EnvSource, name: &str) -> Option<String> {
    env.var(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The environment variables a provider reads: how it describes its own configuration, so a
/// registry can build every configured provider without knowing any provider's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVars {
    /// Variables that must all be set for the provider to be built.
    pub required: &'static [&'static str],
    /// Variables read when set.
    pub optional: &'static [&'static str],
}

impl EnvVars {
    /// Whether the provider is configured at all: any of its required variables is set. A
    /// provider with some but not all of them is then a configuration error naming the missing
    /// one, never silently skipped.
    pub fn configured_in(&self, env: &dyn EnvSource) -> bool {
        any_set(env, self.required)
    }

    /// `build(env)` when the provider is [configured](EnvVars::configured_in), `Ok(None)`
    /// otherwise: the body of every provider's `from_env_if_configured`.
    pub fn build_if_configured<T, E>(
        &self,
        env: &dyn EnvSource,
        build: impl FnOnce(&dyn EnvSource) -> Result<T, E>,
    ) -> Result<Option<T>, E> {
        if self.configured_in(env) {
            build(env).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Every variable, required first.
    pub fn all(&self) -> impl Iterator<Item = &'static str> {
        self.required.iter().chain(self.optional).copied()
    }
}

/// Whether any of `names` is set (and not blank): how a provider tells "not configured at all"
/// (skip it) from "half configured" (a configuration error naming what is missing).
pub fn any_set(env: &dyn EnvSource, names: &[&str]) -> bool {
    names.iter().any(|name| optional(env, name).is_some())
}

/// The value of `name`, trimmed; a [`Error::Configuration`] naming the variable when it is unset
/// or blank.
pub fn required(env: &dyn EnvSource, name: &'static str) -> Result<String, Error> {
    optional(env, name).ok_or_else(|| Error::configuration(name, "is not set or is empty"))
}

/// Like [`required`], for a secret: the value goes straight into a [`Secret`] and is not trimmed
/// (surrounding spaces could be part of it; a blank value is still refused).
pub fn required_secret(env: &dyn EnvSource, name: &'static str) -> Result<Secret, Error> {
    match env.var(name) {
        Some(value) if !value.trim().is_empty() => Ok(Secret::new(value)),
        _ => Err(Error::configuration(name, "is not set or is empty")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_blank_values_name_the_variable() {
        let env = [("SET", " value "), ("BLANK", "   ")];
        assert_eq!(required(&env, "SET").unwrap(), "value");
        for name in ["BLANK", "UNSET"] {
            let err = required(&env, name).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("configuration error: {name}: is not set or is empty")
            );
        }
        assert_eq!(optional(&env, "BLANK"), None);
        assert!(any_set(&env, &["UNSET", "SET"]));
        assert!(!any_set(&env, &["UNSET", "BLANK"]));
        let vars = EnvVars {
            required: &["UNSET", "SET"],
            optional: &["BLANK"],
        };
        assert!(vars.configured_in(&env));
        assert!(!vars.configured_in(&[("BLANK", "x")]));
        let built = vars.build_if_configured(&env, |_| Ok::<_, ()>(7));
        assert_eq!(built, Ok(Some(7)));
        let skipped = vars.build_if_configured(&[("BLANK", "x")], |_| Ok::<_, ()>(7));
        assert_eq!(skipped, Ok(None));
        assert_eq!(vars.all().collect::<Vec<_>>(), ["UNSET", "SET", "BLANK"]);
    }

    #[test]
    fn secrets_are_kept_verbatim_and_redacted() {
        let env: HashMap<&str, &str> = HashMap::from([("KEY", " spaced secret ")]);
        let secret = required_secret(&env, "KEY").unwrap();
        assert_eq!(secret.expose(), " spaced secret ");
        assert!(!format!("{secret:?}").contains("spaced"));
        assert!(required_secret(&env, "OTHER").is_err());
    }

    #[test]
    fn lists_of_pairs_are_sources() {
        let owned: Vec<(&str, String)> = vec![("A", "1".to_owned()), ("A", "2".to_owned())];
        assert_eq!(required(&owned, "A").unwrap(), "1");
        assert!(optional(&owned, "B").is_none());
    }

    #[test]
    fn process_env_reads_the_real_environment() {
        // PATH is set in every environment the tests run in.
        assert!(ProcessEnv.var("PATH").is_some());
        assert!(
            ProcessEnv
                .var("PAYMENTS_CORE_SURELY_UNSET_VARIABLE")
                .is_none()
        );
    }
}
