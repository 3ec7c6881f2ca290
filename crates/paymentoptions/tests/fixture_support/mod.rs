//! The PaymentOptions fixture runner: maps a fixture's operation and input onto the real
//! client. Hand-written; the tests that call it are generated from `fixtures/paymentoptions/`.

use paymentoptions::{
    Address, BrowserInfo, CaptureRequest, Card, CycleType, HostedLinkRequest, LinkAmount,
    PaymentOptionsClient, PaymentOptionsError, PaymentSource, Plan, PurchaseRequest, RefundRequest,
    ReturnUrl, SubscriptionRequest, WalletLinkRequest,
};
use payments_core::{Currency, Money, Secret};
use payments_test_support::Received;
use payments_test_support::fixture;
use serde::Serialize;
use serde_json::Value;

const API_KEY: &str = "pk_fixture_0123456789";
const MERCHANT_ID: &str = "M-FIXTURE";

/// Runs one fixture (see `payments_test_support::fixture`).
pub(crate) async fn run(fixture_json: &str) {
    fixture::run(
        fixture_json,
        &placeholder,
        |base, _client, operation, input| async move {
            let gateway = PaymentOptionsClient::builder()
                .api_key(API_KEY)
                .merchant_id(MERCHANT_ID)
                .base_url(format!("{base}/api/v1/api/v1"))
                .build()?;
            let text = |key: &str| input.get(key).and_then(Value::as_str).unwrap_or_default();
            let notes = input
                .get("notes")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let money = || Money::parse(text("amount"), Currency::from_code(text("currency"))?);
            match operation.as_str() {
                "purchase" => json(gateway.purchase(&purchase(&input)?).await),
                "purchase_v2" => json(gateway.purchase_v2(&purchase(&input)?).await),
                "authorize" => json(gateway.authorize(&purchase(&input)?).await),
                "authorize_v2" => json(gateway.authorize_v2(&purchase(&input)?).await),
                "capture" => {
                    let request = CaptureRequest::new(text("transactionId"), money()?, notes)?;
                    json(gateway.capture(&request).await)
                }
                "refund" => {
                    let request = RefundRequest::new(text("transactionId"), money()?, notes)?;
                    json(gateway.refund(&request).await)
                }
                "void" => json(gateway.void(text("transactionId")).await),
                "transaction_status" => {
                    json(gateway.transaction_status(text("transactionId")).await)
                }
                "create_subscription" => {
                    let plan = input.get("subscription").expect("a subscription");
                    let field = |key: &str| plan.get(key).and_then(Value::as_u64).unwrap_or(0);
                    let word =
                        |key: &str| plan.get(key).and_then(Value::as_str).unwrap_or_default();
                    let mut builder = Plan::builder(
                        word("plan_name"),
                        CycleType::from_wire(word("cycle_type")),
                        u32::try_from(field("cycle_interval")).unwrap(),
                        u32::try_from(field("max_cycle_count")).unwrap(),
                    )
                    .description(word("plan_desc"));
                    if plan.get("has_trial_period").and_then(Value::as_bool) == Some(true) {
                        builder = builder
                            .trial_days(u32::try_from(field("trial_period_duration")).unwrap());
                    }
                    if plan.get("has_discount").and_then(Value::as_bool) == Some(true) {
                        builder = builder.discount(
                            u32::try_from(field("discount_percentage")).unwrap(),
                            u32::try_from(field("discount_duration")).unwrap(),
                        );
                    }
                    let request = SubscriptionRequest::new(purchase(&input)?, builder.build()?);
                    json(gateway.create_subscription(&request).await)
                }
                "subscription" => json(gateway.subscription(text("subscription_id")).await),
                "subscriptions" => json(gateway.subscriptions().await),
                "cancel_subscription" => {
                    json(gateway.cancel_subscription(text("subscription_id")).await)
                }
                "pause_subscription" => {
                    json(gateway.pause_subscription(text("subscription_id")).await)
                }
                "resume_subscription" => {
                    json(gateway.resume_subscription(text("subscription_id")).await)
                }
                "hosted_link" => {
                    let urls: ReturnUrl =
                        serde_json::from_value(input.get("return_url").cloned().unwrap()).unwrap();
                    let mut request =
                        HostedLinkRequest::new(money()?, text("merchant_txn_ref"), urls)?;
                    if let Some(email) = input.get("merchant_email").and_then(Value::as_str) {
                        request = request.merchant_email(email)?;
                    }
                    if input.get("tokenize").and_then(Value::as_bool) == Some(true) {
                        request = request.tokenize();
                    }
                    json(gateway.hosted_link(&request).await)
                }
                "wallet_link" => {
                    let urls: ReturnUrl =
                        serde_json::from_value(input.get("return_url").cloned().unwrap()).unwrap();
                    let amount = if text("amount").is_empty() {
                        LinkAmount::CustomerEntered(Currency::from_code(text("currency"))?)
                    } else {
                        LinkAmount::Fixed(money()?)
                    };
                    let ip = text("customer_ip").parse().unwrap();
                    let request = WalletLinkRequest::new(
                        text("wallet"),
                        amount,
                        text("merchant_txn_ref"),
                        ip,
                        urls,
                    )?;
                    json(gateway.wallet_link(&request).await)
                }
                other => panic!("unknown operation {other}"),
            }
        },
    )
    .await;
}

fn json<T: Serialize>(
    result: Result<T, PaymentOptionsError>,
) -> Result<Value, payments_core::Error> {
    result
        .map(|value| serde_json::to_value(value).unwrap())
        .map_err(Into::into)
}

fn placeholder(name: &str, value: &str, _: &Received) -> Result<(), String> {
    match name {
        "api_key" if value == API_KEY => Ok(()),
        "merchant_id" if value == MERCHANT_ID => Ok(()),
        other => Err(format!("{value:?} does not satisfy {{{{{other}}}}}")),
    }
}

/// A purchase from the fixture's input: `amount`, `currency`, `card` (with `today` to pin the
/// expiry check) or `stored_payment_method_id`, `store_card`, `merchant_txn_ref`,
/// `customer_ip`, and the optional documented objects.
fn purchase(input: &Value) -> Result<PurchaseRequest, payments_core::Error> {
    let text = |key: &str| input.get(key).and_then(Value::as_str).unwrap_or_default();
    let currency = Currency::from_code(text("currency"))?;
    let amount = Money::parse(text("amount"), currency)?;
    let source = match (input.get("card"), input.get("stored_payment_method_id")) {
        (Some(card), _) => {
            let field = |key: &str| card.get(key).and_then(Value::as_str).unwrap_or_default();
            let today = time::Date::parse(
                input
                    .get("today")
                    .and_then(Value::as_str)
                    .unwrap_or("2026-11-22"),
                &time::format_description::well_known::Iso8601::DATE,
            )
            .expect("today is YYYY-MM-DD");
            let card = Card::new_on(
                field("number"),
                field("expiry_month"),
                field("expiry_year"),
                field("cvc"),
                field("name"),
                today,
            )?;
            if input
                .get("store_card")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                PaymentSource::CardAndStore(Box::new(card))
            } else {
                PaymentSource::Card(Box::new(card))
            }
        }
        (None, Some(token)) => {
            PaymentSource::StoredCard(Secret::new(token.as_str().unwrap_or_default()))
        }
        (None, None) => panic!("a purchase fixture needs card or stored_payment_method_id"),
    };
    let ip = text("customer_ip")
        .parse()
        .map_err(|_| payments_core::Error::invalid_input("customer_ip", "is not an IP address"))?;
    let mut builder = PurchaseRequest::builder(amount, source, text("merchant_txn_ref"), ip);
    let object = |key: &str| input.get(key).cloned();
    if let Some(urls) = object("return_url") {
        builder = builder.return_url(serde_json::from_value::<ReturnUrl>(urls).unwrap());
    }
    if let Some(address) = object("billing_address") {
        builder = builder.billing_address(serde_json::from_value::<Address>(address).unwrap());
    }
    if let Some(address) = object("shipping_address") {
        builder = builder.shipping_address(serde_json::from_value::<Address>(address).unwrap());
    }
    if let Some(info) = object("browser_info") {
        builder = builder.browser_info(serde_json::from_value::<BrowserInfo>(info).unwrap());
    }
    if let Some(zone) = input.get("time_zone").and_then(Value::as_str) {
        builder = builder.time_zone(zone);
    }
    builder.build()
}
