//! Durable report storage: an append-only JSON-lines file, fsynced before a 2xx is
//! returned, and an in-memory index by idempotency key.
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

/// One stored report with what the inbox answered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stored {
    /// The idempotency key (= report id).
    pub key: String,
    /// The body as received.
    pub report: serde_json::Value,
    /// The JSON the inbox answered with (returned again on a retry).
    pub response: serde_json::Value,
}

/// What `insert` did.
pub enum Insert {
    /// New report stored.
    Created(Stored),
    /// Same key and same body: the earlier answer.
    Replay(Stored),
    /// Same key, different body.
    Conflict,
}

/// The store.
pub struct Store {
    path: PathBuf,
    inner: Mutex<Vec<Stored>>,
}

impl Store {
    /// Open (and load) the file, creating its folder.
    pub async fn open(path: &Path) -> io::Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await?;
        }
        let mut list = Vec::new();
        match tokio::fs::read_to_string(path).await {
            Ok(text) => {
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    // A torn last line (crash mid-write) is skipped: it was never acknowledged.
                    if let Ok(s) = serde_json::from_str::<Stored>(line) {
                        list.push(s);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Store { path: path.to_path_buf(), inner: Mutex::new(list) })
    }

    /// Store a report unless its key is known.
    pub async fn insert(&self, key: &str, report: serde_json::Value, response: serde_json::Value) -> io::Result<Insert> {
        let mut list = self.inner.lock().await;
        if let Some(existing) = list.iter().find(|s| s.key == key) {
            return Ok(if existing.report == report { Insert::Replay(existing.clone()) } else { Insert::Conflict });
        }
        let stored = Stored { key: key.to_string(), report, response };
        let mut line = serde_json::to_string(&stored).map_err(io::Error::other)?;
        line.push('\n');
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(&self.path).await?;
        file.write_all(line.as_bytes()).await?;
        file.sync_data().await?;
        list.push(stored.clone());
        Ok(Insert::Created(stored))
    }

    /// Every report, newest first.
    pub async fn all(&self) -> Vec<Stored> {
        let mut v = self.inner.lock().await.clone();
        v.reverse();
        v
    }
}
