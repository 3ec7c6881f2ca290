//! The API key, sent twice on every request as documented: `Authorization: Basic <api key>`
//! (the key itself, as the docs' `'Basic YOUR_API_KEY_HERE'` shows, not a base64 user:password
//! pair) and `x-api-key: <api key>`. Both header values are marked sensitive, so `reqwest` and
//! `hyper` never print them.

use std::fmt;

use payments_core::{Error, Secret};
use reqwest::RequestBuilder;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

/// The `x-api-key` header.
pub(crate) const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// The credentials every request carries, as ready-made sensitive headers.
#[derive(Clone)]
pub(crate) struct Credentials {
    headers: HeaderMap,
}

impl Credentials {
    /// Derives the headers once: `Authorization` from the merchant API key, `x-api-key` from
    /// its own credential (the same key unless configured apart). The settings name each in
    /// configuration errors.
    pub(crate) fn new(
        api_key: &Secret,
        x_api_key: &Secret,
        api_key_setting: &'static str,
        x_api_key_setting: &'static str,
    ) -> Result<Credentials, Error> {
        Ok(Credentials {
            headers: auth_headers(api_key, x_api_key, api_key_setting, x_api_key_setting)?,
        })
    }

    /// Signs a request: adds the authentication headers.
    pub(crate) fn sign(&self, request: RequestBuilder) -> RequestBuilder {
        request.headers(self.headers.clone())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(payments_core::secret::REDACTED)
    }
}

/// Builds the two authentication headers from the key.
fn auth_headers(
    api_key: &Secret,
    x_api_key: &Secret,
    api_key_setting: &'static str,
    x_api_key_setting: &'static str,
) -> Result<HeaderMap, Error> {
    let invalid = |setting| {
        move |_| Error::configuration(setting, "contains characters not allowed in a header")
    };
    let mut basic = HeaderValue::from_str(&format!("Basic {}", api_key.expose()))
        .map_err(invalid(api_key_setting))?;
    basic.set_sensitive(true);
    let mut key = HeaderValue::from_str(x_api_key.expose()).map_err(invalid(x_api_key_setting))?;
    key.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, basic);
    headers.insert(X_API_KEY, key);
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_the_key_as_documented_and_hide_it() {
        let key = Secret::new("pk_test_123");
        let headers = auth_headers(&key, &key, "api_key", "x_api_key").unwrap();
        assert_eq!(headers[AUTHORIZATION], "Basic pk_test_123");
        assert_eq!(headers[X_API_KEY], "pk_test_123");
        assert!(headers[AUTHORIZATION].is_sensitive() && headers[X_API_KEY].is_sensitive());
        assert!(!format!("{headers:?}").contains("pk_test_123"));
        let bad = Secret::new("bad\nkey");
        let err = auth_headers(&bad, &key, "api_key", "x_api_key").unwrap_err();
        assert!(err.to_string().contains("api_key"));
        let err = auth_headers(&key, &bad, "api_key", "x_api_key").unwrap_err();
        assert!(err.to_string().contains("x_api_key"));
        let apart = auth_headers(&key, &Secret::new("xk_other_456"), "a", "x").unwrap();
        assert_eq!(apart[AUTHORIZATION], "Basic pk_test_123");
        assert_eq!(apart[X_API_KEY], "xk_other_456");
    }
}
