//! Each store the journal runs on, opened fresh for one test: one suite, two stores.

use std::sync::Arc;

use payments_core::Secret;
use payments_journal::{IntentStore, PostgresStore, SqliteStore};
use payments_test_support::PostgresServer;

/// Generates, for each named `async fn(TestJournal)`, a module holding one test per store:
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_every_store {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::common::TestJournal::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(journal) = $crate::common::TestJournal::postgres().await {
                    super::$test(journal).await;
                }
            }
        }
    )*};
}

/// Where a test's journal lives.
#[derive(Debug)]
enum Place {
    Sqlite {
        path: std::path::PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
    },
}

/// A fresh, empty journal on one store, and a way to open it again as another process (or
/// server) would.
#[derive(Debug)]
pub struct TestJournal {
    pub store: Arc<dyn IntentStore>,
    place: Place,
}

impl TestJournal {
    /// A new journal file in a temporary folder.
    pub fn sqlite() -> TestJournal {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        TestJournal {
            store,
            place: Place::Sqlite { path, _dir: dir },
        }
    }

    /// A new database on this process's private PostgreSQL cluster; `None` (after saying so)
    /// where PostgreSQL is not installed outside CI.
    pub async fn postgres() -> Option<TestJournal> {
        let (_, url) = PostgresServer::shared_database().await?;
        let store = Arc::new(
            PostgresStore::connect(&Secret::new(url.clone()))
                .await
                .unwrap(),
        );
        Some(TestJournal {
            store,
            place: Place::Postgres { url },
        })
    }

    /// The same journal through a connection of its own: another process on this host
    /// (SQLite) or another server (PostgreSQL).
    pub async fn another_connection(&self) -> Arc<dyn IntentStore> {
        match &self.place {
            Place::Sqlite { path, .. } => Arc::new(SqliteStore::open(path).unwrap()),
            Place::Postgres { url } => Arc::new(
                PostgresStore::connect(&Secret::new(url.clone()))
                    .await
                    .unwrap(),
            ),
        }
    }

    /// Everything the store keeps, as text: the database's files (SQLite, with its WAL), or
    /// every row of every table (PostgreSQL).
    pub async fn everything_stored(&self) -> String {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
                    bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Place::Postgres { url } => {
                let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                let mut text = String::new();
                for table in ["intents", "scope_leases", "payments_journal_schema"] {
                    let rows = client
                        .query(&format!("SELECT row_to_json(t)::text FROM {table} t"), &[])
                        .await
                        .unwrap();
                    for row in rows {
                        text.push_str(&row.get::<_, String>(0));
                        text.push('\n');
                    }
                }
                text
            }
        }
    }
}
