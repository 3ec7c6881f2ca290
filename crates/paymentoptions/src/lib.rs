//! Client for PaymentOptions' server-to-server card gateway.
//!
//! **Status: not implemented yet** (tracked in its own issue). This crate will hold:
//!
//! * `PaymentOptionsClient` with a validating builder and `from_env()`
//!   (`PAYMENTOPTIONS_API_KEY`, `PAYMENTOPTIONS_MERCHANT_ID`, `PAYMENTOPTIONS_BASE_URL`);
//! * purchase v1 and v2 (3-D Secure challenge as a typed outcome), card tokenization and
//!   payment with a stored card;
//! * request and response types for every documented field, with the card number masked to
//!   its last four digits from the moment a response is decoded (see
//!   [`payments_core::card::MaskedPan`]) and cards validated before sending
//!   ([`payments_core::card::Card`]);
//! * a webhook body parser;
//! * an implementation of [`payments_core::PaymentProvider`].
