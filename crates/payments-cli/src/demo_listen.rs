//! The demo's callback chapter: `payments listen` (this very binary, as a developer would run
//! it in a terminal) receives a Zaif notification and a 3-D Secure result from the sandbox,
//! confirms each with the provider, and forwards it to a stand-in for the merchant's app.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use payments::Url;
use payments::paymentoptions::{
    Card, PaymentOptionsClient, PaymentSource, PurchaseOutcome, PurchaseRequest, ReturnUrl,
};
use payments::zaif::{CreateInvoice, CryptoCurrency, ZaifClient};
use payments_sandbox::{CHALLENGE_CARD, Sandbox};

use crate::demo::Story;

/// The merchant's app: answers 200 to whatever is forwarded.
async fn merchant_app() -> Result<String, String> {
    let app = axum::Router::new().fallback(|| async { "ok" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}/hooks"))
}

/// `payments listen` running, and its stdout lines.
struct Listening {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Listening {
    /// The next line that is not part of the start-up banner, within 10 s.
    fn next(&self) -> Result<String, String> {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .map_err(|_| "`payments listen` printed nothing within 10 s".to_owned())?;
            if !line.starts_with("  ") {
                return Ok(line);
            }
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(sandbox: &Sandbox, forward_to: &str) -> Result<(Listening, String), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let mut command = Command::new(exe);
    command
        .args(["listen", "--forward-to", forward_to])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in sandbox.env() {
        command.env(name, value);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run payments listen: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    let listening = Listening { child, lines };
    let first = listening
        .lines
        .recv_timeout(Duration::from_secs(20))
        .map_err(|_| "`payments listen` did not start".to_owned())?;
    let address = first
        .strip_prefix("listening on ")
        .ok_or_else(|| format!("unexpected first line: {first}"))?
        .to_owned();
    Ok((listening, address))
}

pub(crate) async fn story(sandbox: &Sandbox, story: &mut Story) {
    let forward_to = match merchant_app().await {
        Ok(url) => url,
        Err(error) => return story.step("start a stand-in for the merchant's app", Err(error)),
    };
    println!("    $ payments listen --forward-to {forward_to}");
    let (listening, address) = match listen(sandbox, &forward_to) {
        Ok(started) => started,
        Err(error) => return story.step("payments listen", Err(error)),
    };
    let env = sandbox.env();

    let zaif = async {
        let zaif = ZaifClient::from_env_with(&env).map_err(|e| e.to_string())?;
        let invoice = zaif
            .create_invoice(
                &CreateInvoice::builder(CryptoCurrency::Btc, 2000)
                    .order_number("DEMO-LISTEN-1")
                    .notification_uri(format!("{address}/zaif"))
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .await
            .map_err(|e| e.to_string())?;
        sandbox.pay_zaif_invoice(&invoice.invoice_id)?;
        listening.next()
    };
    story.step(
        "a Zaif notification reaches `payments listen`, is confirmed with getInvoice and forwarded",
        zaif.await,
    );

    let three_ds = async {
        let gateway = PaymentOptionsClient::from_env_with(&env).map_err(|e| e.to_string())?;
        let card = Card::new(CHALLENGE_CARD, "12", "2099", "737", "Jane Doe")
            .map_err(|e| e.to_string())?;
        let webhook =
            Url::parse(&format!("{address}/paymentoptions")).map_err(|e| e.to_string())?;
        let success = Url::parse("https://shop.example/thanks").map_err(|e| e.to_string())?;
        let request = PurchaseRequest::builder(
            payments::Money::parse("4200", payments::Currency::JPY).map_err(|e| e.to_string())?,
            PaymentSource::Card(Box::new(card)),
            "DEMO-LISTEN-2",
            std::net::IpAddr::from([203, 0, 113, 7]),
        )
        .return_url(
            ReturnUrl::default()
                .with_success(success)
                .with_webhook(webhook),
        )
        .build()
        .map_err(|e| e.to_string())?;
        let PurchaseOutcome::ChallengeRequired(challenge) = gateway
            .purchase_v2(&request)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Err("the 3-D Secure card was not challenged".to_owned());
        };
        let id = payments_sandbox::challenge_id(&challenge.redirect_url)
            .ok_or("the challenge's URL is not the sandbox's")?;
        sandbox.answer_paymentoptions_challenge(&id, true)?;
        listening.next()
    };
    story.step(
        "the customer passes 3-D Secure; its webhook is confirmed by status and forwarded",
        three_ds.await,
    );
}
