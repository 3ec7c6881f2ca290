//! Running the `payments` binary against a sandbox on 127.0.0.1, with every output checked
//! for secrets and card data.

#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::process::{Command, Stdio};

use payments_sandbox::{CHALLENGE_CARD, DECLINE_CARD, Sandbox, SandboxConfig};

pub const PAN: &str = "5200000000001005";
pub const CVC: &str = "739";

/// Output of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// The secrets and card data no output may contain.
pub fn forbidden(sandbox: &Sandbox) -> Vec<String> {
    let mut values: Vec<String> = sandbox
        .env()
        .into_iter()
        .filter(|(name, _)| name.contains("SECRET") || name.contains("API_KEY"))
        .map(|(_, value)| value)
        .collect();
    let secret = payments::Secret::new("sandbox-zaif-secret");
    values.push(
        payments::zaif::AuthMethod::Sha1
            .hash(&secret)
            .expose()
            .to_owned(),
    );
    values.push(
        payments::zaif::AuthMethod::Md5
            .hash(&secret)
            .expose()
            .to_owned(),
    );
    values.extend([PAN, DECLINE_CARD, CHALLENGE_CARD, "520000000000"].map(str::to_owned));
    values.extend(
        [
            payments_sandbox::INTERSTREAM_GATEWAY_KEY,
            payments_sandbox::INTERSTREAM_PAYPAL_PASSWORD,
            payments_sandbox::INTERSTREAM_PAYPAL_SIGNATURE,
        ]
        .map(str::to_owned),
    );
    values
}

pub fn assert_clean(run: &Run, forbidden: &[String]) {
    let all = run.all();
    for value in forbidden {
        assert!(!all.contains(value.as_str()), "{value} printed:\n{all}");
    }
    let lower = all.to_ascii_lowercase();
    assert!(
        !lower.contains(&format!("\"cvc\":\"{CVC}\"")) && !lower.contains(&format!("cvc: {CVC}")),
        "{all}"
    );
}

/// Runs `payments` with exactly `env`, `args` and `stdin`.
pub fn payments(env: &[(String, String)], args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_payments"))
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        // A command refused before it reads its input exits and closes the pipe; that is
        // the behaviour under test, not a failure to feed it.
        match child.stdin.take().unwrap().write_all(input.as_bytes()) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

pub struct Setup {
    pub sandbox: Sandbox,
    pub env: Vec<(String, String)>,
    pub forbidden: Vec<String>,
    pub _dir: tempfile::TempDir,
    pub dir: std::path::PathBuf,
}

impl Setup {
    pub async fn new() -> Setup {
        Setup::with_config(SandboxConfig::default()).await
    }

    /// A sandbox started with `config` (its Zaif confirmations made quick).
    pub async fn with_config(mut config: SandboxConfig) -> Setup {
        config.zaif.confirmation_interval = std::time::Duration::from_millis(20);
        let sandbox = Sandbox::start(config).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut env: Vec<(String, String)> = sandbox
            .env()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        env.push((
            "ZAIF_NONCE_FILE".into(),
            dir.path().join("nonce").display().to_string(),
        ));
        let forbidden = forbidden(&sandbox);
        Setup {
            dir: dir.path().to_path_buf(),
            sandbox,
            env,
            forbidden,
            _dir: dir,
        }
    }

    /// Runs the binary off the async runtime, and checks its output is clean.
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_with(&self.env, args, stdin).await
    }

    pub async fn run_with(
        &self,
        env: &[(String, String)],
        args: &[&str],
        stdin: Option<&str>,
    ) -> Run {
        let env = env.to_vec();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let stdin = stdin.map(str::to_owned);
        let run = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            payments(&env, &args, stdin.as_deref())
        })
        .await
        .unwrap();
        assert_clean(&run, &self.forbidden);
        run
    }

    pub fn card_file(&self, number: &str) -> String {
        let path = self.dir.join(format!("card-{number}.json"));
        std::fs::write(
            &path,
            format!(r#"{{"number":"{number}","expiry_month":"12","expiry_year":"2099","cvc":"{CVC}","name":"Hanako Yamada"}}"#),
        )
        .unwrap();
        path.display().to_string()
    }
}
