//! The payments SDK in one dependency.
//!
//! Everything in [`payments_core`] is re-exported here: the [`PaymentProvider`] trait, exact
//! [`Money`], [`Secret`], the [`Error`] taxonomy and the shared runtime. The provider crates will
//! be re-exported behind the cargo features `zaif`, `paymentoptions` and `interstream` as they
//! land; a merchant who needs one provider can also depend on its crate alone.
//!
//! ```
//! use payments::{Currency, Money};
//!
//! let price = Money::parse("10800", Currency::JPY)?;
//! assert_eq!(price.to_string(), "10800 JPY");
//! # Ok::<(), payments::MoneyError>(())
//! ```

pub use payments_core::*;
