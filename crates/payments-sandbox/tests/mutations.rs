//! The sandbox refuses a correct client request once any one part of it is changed: a byte of a
//! hash or signature, a credential, a field name, a camelCase key. The correct request is the
//! one each client builds (through its benchmark hooks); the sandbox checks it with its own code.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

use payments::interstream::{InterstreamClient, UserId, bench_support as interstream_wire};
use payments::paymentoptions::{
    BrowserInfo, Card, PaymentSource, PurchaseRequest, ReturnUrl,
    bench_support as paymentoptions_wire,
};
use payments::zaif::{
    CreateInvoice, CryptoCurrency, Nonce, ZaifClient, bench_support as zaif_wire,
};
use payments::{Currency, Money};
use payments_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

/// One of the sandbox's variables.
fn var(sandbox: &Sandbox, name: &str) -> String {
    payments::config::optional(&sandbox.env(), name).unwrap()
}

/// Every other character for `c` in a hex or base64 text, so each variant changes one byte.
fn other_char(c: char) -> char {
    match c {
        '0' => '1',
        'A' => 'B',
        'a' => 'b',
        '=' => 'A',
        _ => '0',
    }
}

/// `text` with its character at `index` replaced.
fn flip(text: &str, index: usize) -> String {
    text.char_indices()
        .map(|(i, c)| if i == index { other_char(c) } else { c })
        .collect()
}

#[tokio::test]
async fn zaif_refuses_every_one_byte_change_to_a_correct_request() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = ZaifClient::from_env_with(&sandbox.env()).unwrap();
    let request = CreateInvoice::builder(CryptoCurrency::Btc, 10800)
        .order_number("MUT-1")
        .build()
        .unwrap();
    let mut nonce = 1_700_000_000_u64;
    let mut form = || {
        nonce += 1;
        let body = zaif_wire::create_invoice_body(
            &client,
            &request,
            Nonce::parse(&nonce.to_string()).unwrap(),
        )
        .unwrap();
        serde_urlencoded::from_str::<Vec<(String, String)>>(&body).unwrap()
    };
    let http = payments_sandbox::loopback_http().build().unwrap();
    let endpoint = var(&sandbox, "ZAIF_ENDPOINT");
    let send = |fields: Vec<(String, String)>| {
        let request = http
            .post(&endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let value_of = |fields: &[(String, String)], name: &str| {
        fields.iter().find(|(k, _)| k == name).unwrap().1.clone()
    };

    let accepted = send(form()).await;
    assert_eq!(accepted["success"], 1, "{accepted}");

    let hash = value_of(&form(), "sha1secret");
    let key = value_of(&form(), "key");
    let mut variants: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for index in 0..hash.len() {
        let mut fields = form();
        fields
            .iter_mut()
            .find(|(k, _)| k == "sha1secret")
            .unwrap()
            .1 = flip(&hash, index);
        variants.push((format!("sha1secret byte {index}"), fields));
    }
    for index in 0..key.len() {
        let mut fields = form();
        fields.iter_mut().find(|(k, _)| k == "key").unwrap().1 = flip(&key, index);
        variants.push((format!("key byte {index}"), fields));
    }
    for (from, to) in [
        ("sha1secret", "sha1Secret"),
        ("key", "Key"),
        ("orderNumber", "ordernumber"),
        ("currency", "Currency"),
        ("nonce", "Nonce"),
    ] {
        let mut fields = form();
        fields.iter_mut().find(|(k, _)| k == from).unwrap().0 = to.to_owned();
        variants.push((format!("name {from} as {to}"), fields));
    }
    let mut below_one = form();
    below_one.iter_mut().find(|(k, _)| k == "nonce").unwrap().1 = "0.5".into();
    variants.push(("nonce below 1".into(), below_one));

    for (what, fields) in variants {
        let answer = send(fields).await;
        assert_eq!(answer["success"], 0, "{what} was accepted: {answer}");
    }
    // The same correct fields under another content type are no form: nothing is read.
    let as_json: Value = http
        .post(&endpoint)
        .header("content-type", "application/json")
        .body(serde_urlencoded::to_string(form()).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(as_json["success"], 0, "{as_json}");
    sandbox.stop().await;
}

#[tokio::test]
async fn interstream_refuses_every_one_byte_change_to_a_correct_request() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = InterstreamClient::from_env_with(&sandbox.env()).unwrap();
    let user = UserId::new(2).unwrap();
    let signed = || {
        interstream_wire::signed_add_payment(&client, user, &[("amount", "1.00".to_owned())])
            .unwrap()
    };
    let http = payments_sandbox::loopback_http().build().unwrap();
    // The request with one query parameter or form body changed.
    let send = |request: reqwest::Request, query: Option<(&str, String)>, body: Option<&str>| {
        let mut url = request.url().clone();
        if let Some((name, value)) = &query {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k == *name {
                        value.clone()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        let original = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
            .unwrap_or_default();
        let post = http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.map_or(original, str::to_owned));
        async move { post.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let param = |request: &reqwest::Request, name: &str| {
        request
            .url()
            .query_pairs()
            .find(|(k, _)| k == name)
            .unwrap()
            .1
            .into_owned()
    };

    let accepted = send(signed(), None, None).await;
    assert_eq!(accepted["ok"], "Payment was added", "{accepted}");

    let mut refused = 0;
    for name in ["signature", "salt", "key", "timestamp"] {
        let value = param(&signed(), name);
        for index in 0..value.len() {
            let answer = send(signed(), Some((name, flip(&value, index))), None).await;
            assert_eq!(
                answer["error"], "REQUEST_ERROR",
                "{name} byte {index} was accepted: {answer}"
            );
            refused += 1;
        }
    }
    assert!(refused > 100, "every byte of four parameters: {refused}");
    let renamed = send(signed(), None, Some("Amount=1.00")).await;
    assert_eq!(renamed["error_long"], "Invalid amount", "{renamed}");
    sandbox.stop().await;
}

#[tokio::test]
async fn paymentoptions_refuses_every_change_to_credentials_and_field_names() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let card = Card::new("5200000000001005", "12", "2099", "123", "Jane Doe").unwrap();
    let request = PurchaseRequest::builder(
        Money::parse("1000", Currency::JPY).unwrap(),
        PaymentSource::Card(Box::new(card)),
        "MUT-PO-1",
        "203.0.113.7".parse().unwrap(),
    )
    .return_url(ReturnUrl::default().with_success("https://shop.example/back".parse().unwrap()))
    .browser_info(BrowserInfo::default())
    .build()
    .unwrap();
    let body =
        paymentoptions_wire::purchase_body(&request, &var(&sandbox, "PAYMENTOPTIONS_MERCHANT_ID"))
            .unwrap();
    let body = String::from_utf8(body).unwrap();
    let api_key = var(&sandbox, "PAYMENTOPTIONS_API_KEY");
    let url = format!(
        "{}/server-to-server-interface/payment",
        var(&sandbox, "PAYMENTOPTIONS_BASE_URL")
    );
    let http = payments_sandbox::loopback_http().build().unwrap();
    let send = |key: String, content_type: &str, body: String| {
        let post = http
            .post(&url)
            .header("authorization", format!("Basic {key}"))
            .header("x-api-key", key)
            .header("content-type", content_type)
            .body(body);
        async move { post.send().await.unwrap().status().as_u16() }
    };

    assert_eq!(
        send(api_key.clone(), "application/json", body.clone()).await,
        201
    );

    for index in 0..api_key.len() {
        let status = send(flip(&api_key, index), "application/json", body.clone()).await;
        assert_eq!(status, 401, "api key byte {index}");
    }
    assert_eq!(send(api_key.clone(), "text/plain", body.clone()).await, 415);
    for (from, to) in [
        ("\"merchant_txn_ref\"", "\"merchant_txn_reF\""),
        ("\"merchant_id\"", "\"merchantId\""),
        ("\"amount\"", "\"Amount\""),
        ("\"number\"", "\"numbeR\""),
        ("\"expiry_month\"", "\"expiryMonth\""),
        ("\"success_url\"", "\"successUrl\""),
        ("\"userAgent\"", "\"user_agent\""),
    ] {
        assert!(body.contains(from), "the client sends {from}");
        let status = send(
            api_key.clone(),
            "application/json",
            body.replacen(from, to, 1),
        )
        .await;
        assert_eq!(status, 400, "{from} renamed {to} was accepted");
    }
    sandbox.stop().await;
}
