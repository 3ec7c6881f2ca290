//! Subscriptions: the plan a merchant sends, and the subscription the gateway answers with.
//!
//! The request and the answer name the same things differently (`cycle_type` →
//! `billing_cycle_type`, `discount_percentage` → `plan_discount_percentage`, `currency` → `ccy`,
//! `trial_period_duration` an integer in, `""` out when there is none); [`crate::wire`] maps each
//! explicitly.

use std::fmt;

use payments_core::{Decimal, Error};
use serde::{Deserialize, Serialize};

use super::{Lenient, PurchaseRequest};

/// How often a subscription charges (`cycle_type`; `billing_cycle_type` in answers).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CycleType {
    /// `DAYS`.
    Days,
    /// `WEEKLY`.
    Weekly,
    /// `MONTHLY`.
    Monthly,
    /// Another value, verbatim (the documents say "days, weeks, months, etc.").
    Other(String),
}

impl CycleType {
    /// The value as the gateway writes it.
    pub fn as_str(&self) -> &str {
        match self {
            CycleType::Days => "DAYS",
            CycleType::Weekly => "WEEKLY",
            CycleType::Monthly => "MONTHLY",
            CycleType::Other(other) => other,
        }
    }

    /// Parses the gateway's word, keeping unknown ones.
    pub fn from_wire(text: &str) -> CycleType {
        match text {
            "DAYS" => CycleType::Days,
            "WEEKLY" => CycleType::Weekly,
            "MONTHLY" => CycleType::Monthly,
            other => CycleType::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for CycleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CycleType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CycleType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = crate::fields::number_or_text(deserializer)?;
        Ok(CycleType::from_wire(text.as_deref().unwrap_or_default()))
    }
}

/// A subscription plan, validated by [`PlanBuilder::build`]: no zero interval or count, a trial
/// only with a duration, a discount of 1–100 % for at least one cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) cycle_type: CycleType,
    pub(crate) cycle_interval: u32,
    pub(crate) max_cycle_count: u32,
    pub(crate) end_type: String,
    pub(crate) trial: Option<(String, u32)>,
    pub(crate) discount: Option<(u8, u32)>,
}

impl Plan {
    /// A plan charging every `cycle_interval` `cycle_type`s, `max_cycle_count` times in all
    /// (`subscription_end_type` `CYCLE`, the only one documented).
    pub fn builder(
        name: impl Into<String>,
        cycle_type: CycleType,
        cycle_interval: u32,
        max_cycle_count: u32,
    ) -> PlanBuilder {
        PlanBuilder {
            name: name.into(),
            description: None,
            cycle_type,
            cycle_interval,
            max_cycle_count,
            trial_days: None,
            discount: None,
        }
    }
}

/// Builds a [`Plan`]. A trial and a discount are set with their values, so "a trial without a
/// duration" cannot be written at all; what remains is checked by [`PlanBuilder::build`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct PlanBuilder {
    name: String,
    description: Option<String>,
    cycle_type: CycleType,
    cycle_interval: u32,
    max_cycle_count: u32,
    trial_days: Option<u32>,
    discount: Option<(u32, u32)>,
}

impl PlanBuilder {
    /// `plan_desc` (default: the name).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A free trial of `days` days before the first charge (`has_trial_period`,
    /// `trial_period_duration_type: DAYS`, `trial_period_duration`).
    pub fn trial_days(mut self, days: u32) -> Self {
        self.trial_days = Some(days);
        self
    }

    /// `percentage` % off (1–100) for the first `cycles` cycles (`has_discount`,
    /// `discount_percentage`, `discount_duration`).
    pub fn discount(mut self, percentage: u32, cycles: u32) -> Self {
        self.discount = Some((percentage, cycles));
        self
    }

    /// Validates the plan; the error names the gateway's field.
    pub fn build(self) -> Result<Plan, Error> {
        let name = self.name.trim().to_owned();
        payments_core::validate::text(
            "subscription.plan_name",
            &name,
            payments_core::validate::Lines::Single,
        )?;
        let description = match self.description {
            Some(text) => {
                payments_core::validate::text(
                    "subscription.plan_desc",
                    &text,
                    payments_core::validate::Lines::Multi,
                )?;
                text
            }
            None => name.clone(),
        };
        if self.cycle_interval == 0 {
            return Err(Error::invalid_input(
                "subscription.cycle_interval",
                "must be 1 or more",
            ));
        }
        if self.max_cycle_count == 0 {
            return Err(Error::invalid_input(
                "subscription.max_cycle_count",
                "must be 1 or more",
            ));
        }
        if let CycleType::Other(other) = &self.cycle_type {
            payments_core::validate::text(
                "subscription.cycle_type",
                other,
                payments_core::validate::Lines::Single,
            )?;
        }
        let trial = match self.trial_days {
            Some(0) => {
                return Err(Error::invalid_input(
                    "subscription.trial_period_duration",
                    "must be 1 or more days when there is a trial",
                ));
            }
            Some(days) => Some(("DAYS".to_owned(), days)),
            None => None,
        };
        let discount = match self.discount {
            Some((percentage, _)) if !(1..=100).contains(&percentage) => {
                return Err(Error::invalid_input(
                    "subscription.discount_percentage",
                    "must be from 1 to 100",
                ));
            }
            Some((_, 0)) => {
                return Err(Error::invalid_input(
                    "subscription.discount_duration",
                    "must be 1 or more cycles",
                ));
            }
            Some((percentage, cycles)) => Some((u8::try_from(percentage).unwrap_or(100), cycles)),
            None => None,
        };
        Ok(Plan {
            name,
            description,
            cycle_type: self.cycle_type,
            cycle_interval: self.cycle_interval,
            max_cycle_count: self.max_cycle_count,
            end_type: "CYCLE".to_owned(),
            trial,
            discount,
        })
    }
}

/// A subscription to create: the first cycle's card payment and the plan. The first cycle is
/// charged at once (`CAPTURE`), so creating one moves money and is never resent blindly.
#[derive(Debug, Clone)]
pub struct SubscriptionRequest {
    pub(crate) payment: PurchaseRequest,
    pub(crate) plan: Plan,
}

impl SubscriptionRequest {
    /// The payment (its amount is each cycle's) and the plan.
    pub fn new(payment: PurchaseRequest, plan: Plan) -> SubscriptionRequest {
        SubscriptionRequest { payment, plan }
    }
}

/// Where a subscription stands (`status`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubscriptionStatus {
    /// `ACTIVE`: charging.
    Active,
    /// `PAUSED`: no charges until resumed.
    Paused,
    /// `CANCELLED`: stopped for good; it cannot be resumed.
    Cancelled,
    /// `EXPIRED`: every cycle was charged.
    Expired,
    /// Another value, verbatim.
    Other(String),
}

impl SubscriptionStatus {
    /// The value as the gateway writes it.
    pub fn as_str(&self) -> &str {
        match self {
            SubscriptionStatus::Active => "ACTIVE",
            SubscriptionStatus::Paused => "PAUSED",
            SubscriptionStatus::Cancelled => "CANCELLED",
            SubscriptionStatus::Expired => "EXPIRED",
            SubscriptionStatus::Other(other) => other,
        }
    }

    /// Parses the gateway's word (any case; `CANCELED` too), keeping unknown ones.
    pub fn from_wire(text: &str) -> SubscriptionStatus {
        match text.trim().to_ascii_uppercase().as_str() {
            "ACTIVE" => SubscriptionStatus::Active,
            "PAUSED" => SubscriptionStatus::Paused,
            "CANCELLED" | "CANCELED" => SubscriptionStatus::Cancelled,
            "EXPIRED" => SubscriptionStatus::Expired,
            _ => SubscriptionStatus::Other(text.to_owned()),
        }
    }
}

impl Serialize for SubscriptionStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubscriptionStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = crate::fields::number_or_text(deserializer)?;
        Ok(SubscriptionStatus::from_wire(
            text.as_deref().unwrap_or_default(),
        ))
    }
}

/// `subscription_plan_details`: the plan as the gateway reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionPlanDetails {
    /// `name`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub name: Option<String>,
    /// `desc`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub desc: Option<String>,
    /// `billing_cycle_type` (the request's `cycle_type`).
    #[serde(default)]
    pub billing_cycle_type: Option<CycleType>,
    /// `billing_cycle_interval` (the request's `cycle_interval`).
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub billing_cycle_interval: Option<i64>,
    /// `amount`: each cycle's amount before discount.
    #[serde(default, deserialize_with = "crate::fields::exact_amount")]
    pub amount: Option<Decimal>,
    /// `ccy` (the request's `currency`).
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub ccy: Option<String>,
    /// `trial_period_duration`: an integer in the request, text here, `""` (read as `None`)
    /// when there is no trial.
    #[serde(default, deserialize_with = "crate::fields::optional_count")]
    pub trial_period_duration: Option<i64>,
    /// `trial_period_duration_type` (`NONE` when there is no trial).
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub trial_period_duration_type: Option<String>,
    /// `plan_discount_percentage` (the request's `discount_percentage`).
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub plan_discount_percentage: Option<i64>,
    /// `plan_discount_duration` (the request's `discount_duration`).
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub plan_discount_duration: Option<i64>,
}

/// One charged cycle (`subscription_transaction_details[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionCycle {
    /// `id`: the cycle's transaction id.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub id: Option<String>,
    /// `ref`.
    #[serde(
        rename = "ref",
        default,
        deserialize_with = "crate::fields::number_or_text"
    )]
    pub reference: Option<String>,
    /// `cycle`: 1 for the first.
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub cycle: Option<i64>,
    /// `status` (`SUCCESSFUL`).
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub status: Option<String>,
    /// `transaction_date`, as sent.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub transaction_date: Option<String>,
    /// `amount`: what this cycle charged, after any discount.
    #[serde(default, deserialize_with = "crate::fields::exact_amount")]
    pub amount: Option<Decimal>,
    /// `ccy`.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub ccy: Option<String>,
    /// `event` (`CAPTURED`).
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub event: Option<String>,
}

/// `subscription_details`: a subscription as the gateway reports it. Only `id` and `status`
/// decide; every other field is optional, and a part in another shape is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionDetails {
    /// `id`.
    #[serde(deserialize_with = "crate::fields::required_text")]
    pub id: String,
    /// `status`.
    pub status: SubscriptionStatus,
    /// `type` (`CYCLE`).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::fields::number_or_text"
    )]
    pub end_type: Option<String>,
    /// `max_cycle_count`.
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub max_cycle_count: Option<i64>,
    /// `completed_payment_cycle`.
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub completed_payment_cycle: Option<i64>,
    /// `last_payment_status` (absent in list answers).
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub last_payment_status: Option<String>,
    /// `next_payment_date`, as sent.
    #[serde(default, deserialize_with = "crate::fields::number_or_text")]
    pub next_payment_date: Option<String>,
    /// `next_payment_cycle`.
    #[serde(default, deserialize_with = "crate::fields::signed_integer")]
    pub next_payment_cycle: Option<i64>,
    /// `subscription_plan_details`.
    #[serde(rename = "subscription_plan_details", default)]
    pub plan: Option<Lenient<SubscriptionPlanDetails>>,
    /// `subscription_transaction_details`: the charged cycles.
    #[serde(
        rename = "subscription_transaction_details",
        default,
        deserialize_with = "crate::fields::lenient_list"
    )]
    pub cycles: Vec<Lenient<SubscriptionCycle>>,
}

impl SubscriptionDetails {
    /// The plan, when in the documented shape.
    pub fn plan(&self) -> Option<&SubscriptionPlanDetails> {
        self.plan.as_ref().and_then(Lenient::parsed)
    }

    /// The charged cycles in the documented shape.
    pub fn charged_cycles(&self) -> impl Iterator<Item = &SubscriptionCycle> {
        self.cycles.iter().filter_map(Lenient::parsed)
    }
}

/// The answer to cancel, pause and resume: `INFO3000` "Subscription Updated." and the
/// subscription as it now stands.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SubscriptionUpdate {
    /// `gateway_response`.
    pub gateway_response: super::GatewayResponse,
    /// `subscription_details`.
    pub subscription: SubscriptionDetails,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn contradictory_plans_are_refused_naming_the_field() {
        let plan = |interval, count| Plan::builder("Gold", CycleType::Monthly, interval, count);
        let cases = [
            (plan(0, 3), "subscription.cycle_interval"),
            (plan(1, 0), "subscription.max_cycle_count"),
            (
                plan(1, 3).trial_days(0),
                "subscription.trial_period_duration",
            ),
            (
                plan(1, 3).discount(0, 2),
                "subscription.discount_percentage",
            ),
            (
                plan(1, 3).discount(101, 2),
                "subscription.discount_percentage",
            ),
            (plan(1, 3).discount(10, 0), "subscription.discount_duration"),
            (
                Plan::builder("  ", CycleType::Days, 1, 1),
                "subscription.plan_name",
            ),
            (
                Plan::builder("Gold", CycleType::Other("FORTNIGHT\u{0}".into()), 1, 1),
                "subscription.cycle_type",
            ),
        ];
        for (builder, expected) in cases {
            assert_eq!(field(builder.build().unwrap_err()), expected);
        }
    }

    #[test]
    fn valid_plans_keep_what_was_asked() {
        let plan = Plan::builder(" Gold ", CycleType::Weekly, 2, 10)
            .trial_days(14)
            .discount(100, 1)
            .build()
            .unwrap();
        assert_eq!(plan.name, "Gold");
        assert_eq!(
            plan.description, "Gold",
            "the name when no description is given"
        );
        assert_eq!(plan.trial, Some(("DAYS".to_owned(), 14)));
        assert_eq!(plan.discount, Some((100, 1)));
        assert_eq!(plan.end_type, "CYCLE");
        assert_eq!(CycleType::from_wire("MONTHLY"), CycleType::Monthly);
        assert_eq!(
            SubscriptionStatus::from_wire("canceled"),
            SubscriptionStatus::Cancelled
        );
        assert_eq!(
            SubscriptionStatus::from_wire("ON_HOLD"),
            SubscriptionStatus::Other("ON_HOLD".into())
        );
    }
}
