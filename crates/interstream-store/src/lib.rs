//! Client for the `store` section of INTER-STREAM's API (`api.php`).
//!
//! **Status: not implemented yet** (tracked in its own issue). This crate will hold:
//!
//! * `InterstreamClient` with a validating builder and `from_env()` (`INTERSTREAM_API_URL`,
//!   `INTERSTREAM_KEY_ID`, `INTERSTREAM_SHARED_SECRET`);
//! * request signing: `key`, `timestamp`, a fresh random `salt` and
//!   `signature = base64(HMAC-SHA256(secret, salt + timestamp))` in the query string, re-signed
//!   on every attempt;
//! * `add_payment`, `get_credit`, `add_subtract_credit` and `list_current_content`, with the
//!   `{"ok": ...}` / `{"error": ..., "error_long": ...}` envelope decoded into typed errors;
//! * an implementation of [`payments_core::PaymentProvider`].
