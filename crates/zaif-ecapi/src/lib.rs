//! Client for Zaif Payment's `ecapi`: crypto (BTC, MONA, ...) invoices priced in JPY.
//!
//! **Status: not implemented yet** (tracked in its own issue). This crate will hold:
//!
//! * `ZaifClient` with a validating builder and `from_env()` (`ZAIF_API_KEY`, `ZAIF_API_SECRET`,
//!   `ZAIF_AUTH`, `ZAIF_ENDPOINT`), authenticating with the md5 or sha1 hash of the secret;
//! * the four methods `createInvoice`, `getInvoice`, `getInvoiceIdsByOrderNumber` and
//!   `cancelInvoice`, fully typed, over form-encoded `POST` requests;
//! * a strictly increasing nonce source (in-process, file-backed, later Redis-backed), with a
//!   bounded retry on `nonce not incremented`, the one rejection that proves nothing happened;
//! * a parser for the (unsigned) payment-completion notification and a helper that confirms it
//!   with `getInvoice`;
//! * an implementation of [`payments_core::PaymentProvider`].
