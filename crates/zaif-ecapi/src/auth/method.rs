//! Which hash of the API secret authenticates Zaif's calls.

use std::str::FromStr;

use md5::{Digest, Md5};
use payments_core::{Error, Secret};
use sha1::Sha1;

/// Which hash of the API secret authenticates the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthMethod {
    /// `md5secret`: the md5 hex of the secret.
    Md5,
    /// `sha1secret`: the sha1 hex of the secret (the default).
    #[default]
    Sha1,
}

impl AuthMethod {
    /// The form field that carries the hash.
    pub fn field(&self) -> &'static str {
        match self {
            AuthMethod::Md5 => "md5secret",
            AuthMethod::Sha1 => "sha1secret",
        }
    }

    /// The lowercase hex hash of `secret` for this method.
    pub fn hash(&self, secret: &Secret) -> Secret {
        let bytes = secret.expose().as_bytes();
        let hex = match self {
            AuthMethod::Md5 => hex::encode(Md5::digest(bytes)),
            AuthMethod::Sha1 => hex::encode(Sha1::digest(bytes)),
        };
        Secret::new(hex)
    }
}

impl FromStr for AuthMethod {
    type Err = Error;

    /// `md5` or `sha1`, any case.
    fn from_str(text: &str) -> Result<Self, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "md5" => Ok(AuthMethod::Md5),
            "sha1" => Ok(AuthMethod::Sha1),
            _ => Err(Error::configuration("ZAIF_AUTH", "must be md5 or sha1")),
        }
    }
}
