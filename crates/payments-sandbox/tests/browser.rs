//! The dashboard in a real browser (Debian's chromium, driven through chromedriver): after the
//! demo's kind of flows, a person sees the paid invoice, the capture and partial refund with
//! the balance left, the webhook with its answer status and the order paid in two parts; as a
//! customer, they click through a 3-D Secure challenge and a hosted payment page and then see
//! the results on the dashboard. Every page is screenshotted (desktop and phone width) under
//! `target/tmp/dashboard-screenshots/`, and none is wider than a phone.
//!
//! `.ci/run` installs chromium and chromium-driver when missing; elsewhere the test says it is
//! skipped when they are absent.

#![allow(clippy::unwrap_used)]

mod flows;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use payments::paymentoptions::{HostedLinkRequest, PaymentOptionsClient, ReturnUrl};
use payments_sandbox::{Sandbox, SandboxConfig};

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Option<(Driver, tempfile::TempDir)> {
    let present = ["/usr/bin/chromedriver", "/usr/bin/chromium"]
        .iter()
        .all(|path| std::path::Path::new(path).exists());
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium and chromium-driver are not installed, but CI must run the browser test (.ci/run installs them)"
        );
        eprintln!("skipping: chromium and chromium-driver are not installed");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    Some((
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _profile: profile,
        },
        data,
    ))
}

/// A headless chromium session, as the machine's notes say it runs here (no sandbox as root,
/// no background networking: the network is closed).
async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1400",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    // chromedriver takes a moment to listen.
    for _ in 0..100 {
        if let Ok(client) = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&driver.url)
            .await
        {
            return client;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer at {}", driver.url)
}

/// The visible text of the page's `main`.
async fn main_text(browser: &Client) -> String {
    browser
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn screenshots() -> std::path::PathBuf {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_sees_what_happened_and_a_customer_clicks_through() {
    let Some((driver, profile)) = chromedriver() else {
        return;
    };
    let mut config = SandboxConfig::default();
    config.zaif.confirmation_interval = Duration::from_millis(20);
    let sandbox = Sandbox::start(config).await.unwrap();
    let hooks = flows::merchant().await;
    let made = flows::run(&sandbox, &hooks).await;
    sandbox.pay_zaif_invoice(&made.invoice).unwrap();
    let challenged = flows::challenge(&sandbox, &hooks, "BROWSER-3DS-1").await;
    let gateway = PaymentOptionsClient::from_env_with(&flows::env_of(&sandbox)).unwrap();
    let link = gateway
        .hosted_link(
            &HostedLinkRequest::new(
                flows::yen("2500"),
                "BROWSER-HPP-1",
                ReturnUrl::default()
                    .with_success(format!("{hooks}/thanks").parse().unwrap())
                    .with_webhook(hooks.parse().unwrap()),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    flows::settle().await;
    let browser = browser(&driver, profile.path()).await;
    let base = sandbox.url();

    // As a customer: the 3-D Secure challenge page, approved by clicking, and the hosted
    // payment page, paid by clicking.
    for page in [
        format!("{base}/3ds/challenge/{challenged}"),
        format!("{base}/hpp/{}", link.id),
    ] {
        browser.goto(&page).await.unwrap();
        browser
            .wait()
            .for_element(Locator::Css("form[action$='/approve'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The form's answer sends the customer on to the shop: wait until they arrive, so the
        // next page is not raced by this navigation.
        browser
            .wait()
            .for_url(&format!("{hooks}/thanks").parse().unwrap())
            .await
            .unwrap();
    }
    flows::settle().await;

    // As the integrator: every page, read and screenshotted.
    let folder = screenshots();
    let mut texts = std::collections::HashMap::new();
    for (name, path) in flows::PAGES {
        browser.goto(&format!("{base}{path}")).await.unwrap();
        texts.insert(name, main_text(&browser).await);
        let png = browser.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG");
        std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
    }
    let zaif = &texts["zaif"];
    let invoice_row = zaif
        .lines()
        .find(|line| line.contains(&made.invoice))
        .unwrap_or_else(|| panic!("the invoice is listed: {zaif}"));
    assert!(
        ["paid", "confirmed", "complete"]
            .iter()
            .any(|status| invoice_row.contains(status)),
        "{invoice_row}"
    );
    let po = &texts["paymentoptions"];
    assert!(
        po.contains("700 JPY"),
        "the balance left after the partial refund: {po}"
    );
    assert!(po.contains("REFUND") && po.contains("300 JPY"), "{po}");
    let challenged_rows: Vec<&str> = po.lines().filter(|l| l.contains(&challenged)).collect();
    assert!(
        challenged_rows.iter().any(|l| l.contains("CAPTURE")),
        "the approved 3-D Secure purchase: {challenged_rows:?}"
    );
    assert!(
        challenged_rows
            .iter()
            .any(|l| l.contains("webhook") && l.contains("200")),
        "its webhook, answered 200: {challenged_rows:?}"
    );
    let link_row = po
        .lines()
        .find(|l| l.contains(&link.id))
        .unwrap_or_else(|| panic!("the link is listed: {po}"));
    assert!(link_row.trim_end().ends_with("yes"), "paid: {link_row}");
    assert!(
        po.contains("BROWSER-HPP-1") && po.contains("2500 JPY"),
        "{po}"
    );
    let store = &texts["interstream"];
    assert_eq!(store.matches("order paid in parts").count(), 2, "{store}");
    assert!(store.contains("12.50") && store.contains("7.50"), "{store}");

    // Nothing secret in what the browser shows.
    for secret in flows::forbidden(&sandbox) {
        for (name, text) in &texts {
            assert!(!text.contains(&secret), "{name} shows {secret}");
        }
    }

    // Readable on a phone: nothing wider than the screen (tables scroll within themselves).
    browser.set_window_size(390, 844).await.unwrap();
    for (name, path) in flows::PAGES {
        browser.goto(&format!("{base}{path}")).await.unwrap();
        let overflow = browser
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap_or(1) <= 0,
            "{name} is wider than a phone by {overflow}px"
        );
        let png = browser.screenshot().await.unwrap();
        std::fs::write(folder.join(format!("{name}-phone.png")), png).unwrap();
    }
    browser.close().await.unwrap();
    sandbox.stop().await;
}
