//! Shared by the inbox's integration tests: fresh databases.
#![allow(dead_code)]

pub mod client;
pub mod router;
pub mod smtp;
pub mod vendors;

/// Where a test's reports go: a fresh SQLite file, or a fresh PostgreSQL database.
#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL the test command started (`scripts/postgres`), if any.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("INBOX_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var("INBOX_REQUIRE_POSTGRES").is_err(),
            "INBOX_REQUIRE_POSTGRES is set but INBOX_TEST_POSTGRES_URL is not"
        );
        eprintln!(
            "PostgreSQL variant SKIPPED: set INBOX_TEST_POSTGRES_URL (scripts/postgres prints one)"
        );
    }
    url
}

/// A unique name for a test's database.
pub fn unique() -> String {
    format!(
        "t_{}_{}",
        std::process::id(),
        &reach_us_inbox::util::random_id()[..12]
    )
}

/// A new, empty database of this kind: a SQLite path, or a PostgreSQL URL.
pub async fn fresh_db(db: Db) -> String {
    let unique = unique();
    match db {
        Db::Sqlite => std::env::temp_dir()
            .join(format!("reach-us-inbox-{unique}"))
            .join("inbox.sqlite3")
            .to_string_lossy()
            .into_owned(),
        Db::Postgres => {
            let base = postgres_url().expect("checked by the caller");
            let create = base.clone();
            let name = unique.clone();
            tokio::task::spawn_blocking(move || {
                let mut c = ::postgres::Client::connect(&create, ::postgres::NoTls)
                    .expect("connect to the test PostgreSQL");
                c.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create a test database");
            })
            .await
            .expect("create task");
            let cut = base.rfind('/').expect("a URL with a database");
            format!("{}/{unique}", &base[..cut])
        }
    }
}
