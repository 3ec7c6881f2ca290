//! Random bytes from the TLS crypto provider's generator (`ring`'s or `aws-lc-rs`'s, whichever
//! this build uses, both drawing on the operating system's CSPRNG). The SDK needs only a few
//! (INTER-STREAM's request salts, retry jitter), so it carries no random-number crate for them.

use crate::error::{Error, Result};

/// `N` cryptographically secure random bytes.
///
/// ```
/// let salt: [u8; 16] = payments_core::random::secure_bytes().unwrap();
/// assert_ne!(salt, payments_core::random::secure_bytes::<16>().unwrap());
/// ```
///
/// # Errors
/// [`Error::Configuration`] naming `os.random` when the operating system's generator fails
/// (a system that cannot run anything safely).
pub fn secure_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    crate::crypto::secure_random()
        .fill(&mut bytes)
        .map_err(|_| Error::configuration("os.random", "the system's random generator failed"))?;
    Ok(bytes)
}

/// A random `u64` (for jitter), or `None` when the generator fails.
pub(crate) fn u64() -> Option<u64> {
    secure_bytes().ok().map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn bytes_differ_between_draws_and_cover_every_value() {
        let draws: Vec<[u8; 16]> = (0..64).map(|_| super::secure_bytes().unwrap()).collect();
        let distinct: HashSet<_> = draws.iter().collect();
        assert_eq!(distinct.len(), draws.len());
        // 1,024 bytes: every bit position takes both values.
        let (ones, zeros) = draws
            .iter()
            .flatten()
            .fold((0u8, 0xffu8), |(o, z), b| (o | b, z & b));
        assert_eq!((ones, zeros), (0xff, 0x00));
    }
}
