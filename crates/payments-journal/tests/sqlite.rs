//! What only the SQLite store can get wrong: a journal file that is corrupt, newer, locked or
//! read-only is refused naming its path, and nothing is sent without a claim. The promises
//! every store keeps are in `journal.rs`.

// Test helpers panic on failure by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;

use payments_core::Error;
use payments_journal::{Journaled, SqliteStore, StoreProblem};

#[tokio::test]
async fn bad_journal_files_are_named_and_nothing_is_sent_without_a_claim() {
    let dir = tempfile::tempdir().unwrap();
    // Corrupt: not a database.
    let corrupt = dir.path().join("corrupt.sqlite3");
    std::fs::write(&corrupt, b"this is not a database, just text ".repeat(200)).unwrap();
    match SqliteStore::open(&corrupt).unwrap_err() {
        payments_journal::JournalError::Store { path, problem } => {
            assert_eq!(path, corrupt);
            assert!(matches!(problem, StoreProblem::Corrupt(_)), "{problem:?}");
        }
        other => panic!("{other:?}"),
    }
    let shown = Error::from(SqliteStore::open(&corrupt).unwrap_err()).to_string();
    assert!(shown.contains("corrupt.sqlite3"), "{shown}");

    // Newer schema: written by a later version.
    let newer = dir.path().join("newer.sqlite3");
    drop(SqliteStore::open(&newer).unwrap());
    {
        let connection = rusqlite_user_version(&newer, 99);
        drop(connection);
    }
    match SqliteStore::open(&newer).unwrap_err() {
        payments_journal::JournalError::Store { path, problem } => {
            assert_eq!(path, newer);
            assert_eq!(
                problem,
                StoreProblem::NewerSchema {
                    found: 99,
                    supported: payments_journal::SCHEMA_VERSION
                }
            );
        }
        other => panic!("{other:?}"),
    }

    // Locked: another process holds the write lock past the busy timeout.
    let locked = dir.path().join("locked.sqlite3");
    let store = Arc::new(SqliteStore::open_with(&locked, Duration::from_millis(200)).unwrap());
    let holder = hold_write_lock(&locked);
    let provider = Scripted::new();
    let journaled = Journaled::new(provider.clone(), store);
    let err = journaled
        .create_payment(&key("b-1"), &card_request("1000", "4111111111111111"))
        .await
        .unwrap_err();
    assert_eq!(journal_code(&err), "store");
    assert!(err.to_string().contains("locked.sqlite3"), "{err}");
    assert!(err.to_string().contains("locked"), "{err}");
    assert_eq!(provider.sent(), 0, "nothing is sent without its claim");
    drop(holder);
}

/// Sets the schema version of a journal file, as a later version of the crate would.
fn rusqlite_user_version(path: &std::path::Path, version: i64) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .pragma_update(None, "user_version", version)
        .unwrap();
    connection
}

/// Another connection holding the write lock (an open write transaction).
fn hold_write_lock(path: &std::path::Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.execute_batch("BEGIN IMMEDIATE").unwrap();
    connection
}

/// A journal file this user cannot write is refused when opened, naming its path. As root
/// (who may write anything), the check runs again as `nobody` through `setpriv`.
#[test]
fn a_read_only_journal_is_refused_naming_its_path() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if let Ok(path) = std::env::var("PAYMENTS_JOURNAL_READ_ONLY_PATH") {
        match SqliteStore::open(&path).unwrap_err() {
            payments_journal::JournalError::Store {
                path: named,
                problem,
            } => {
                assert_eq!(named, std::path::PathBuf::from(&path));
                assert!(matches!(problem, StoreProblem::ReadOnly(_)), "{problem:?}");
            }
            other => panic!("{other:?}"),
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read-only.sqlite3");
    drop(SqliteStore::open(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    // Root opens any file: then the check runs as `nobody`, from a copy of this test binary
    // where `nobody` may run it, wherever the checkout is.
    let copy_dir = is_root.then(|| tempfile::tempdir().unwrap());
    let mut command = match &copy_dir {
        Some(bin) => {
            std::fs::set_permissions(bin.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            let copy = bin.path().join("journal-test");
            std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
            let mut setpriv = std::process::Command::new("setpriv");
            setpriv
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(copy);
            setpriv
        }
        None => std::process::Command::new(std::env::current_exe().unwrap()),
    };
    let status = command
        .args([
            "a_read_only_journal_is_refused_naming_its_path",
            "--exact",
            "--nocapture",
        ])
        .env("PAYMENTS_JOURNAL_READ_ONLY_PATH", &path)
        .status()
        .expect("the read-only check runs in a process of its own (as nobody under root)");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        status.success(),
        "the read-only check failed as another user"
    );
}
