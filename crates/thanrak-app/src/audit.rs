//! The audit log's writer. Every view of unmasked personal data is written to the log *before*
//! the data is shown; under load, one write transaction per view would queue every request
//! behind the database's single writer. So views are committed in groups: a request hands its
//! line to one writer task and waits; the writer takes every line that is waiting, writes them
//! in one transaction and answers each request with the outcome. A request still sees nothing
//! until its line is committed, and if the log cannot be written, nothing is shown.

use thanrak_store::{NewAuditEntry, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// The most lines written in one transaction.
const MAX_GROUP: usize = 1024;
/// Lines waiting for the writer before requests wait to hand theirs over.
const QUEUE: usize = 4096;

type Done = oneshot::Sender<Result<(), String>>;

/// A handle on the audit log's writer; clones share the writer.
#[derive(Debug, Clone)]
pub struct AuditLog {
    queue: mpsc::Sender<(NewAuditEntry, Done)>,
}

impl AuditLog {
    /// Starts a writer on `store` as a task of the current tokio runtime. It ends when the last
    /// handle is dropped, after writing what was handed to it.
    pub fn start(store: Store) -> AuditLog {
        let (queue, lines) = mpsc::channel(QUEUE);
        tokio::spawn(write_groups(store, lines));
        AuditLog { queue }
    }

    /// Writes `entry` to the log; returns once it is committed.
    pub async fn append(&self, entry: NewAuditEntry) -> Result<(), StoreError> {
        let stopped = || StoreError::Unavailable("the audit log's writer has stopped".into());
        let (done, outcome) = oneshot::channel();
        self.queue
            .send((entry, done))
            .await
            .map_err(|_| stopped())?;
        outcome
            .await
            .map_err(|_| stopped())?
            .map_err(|e| StoreError::Unavailable(format!("the audit log cannot be written: {e}")))
    }
}

async fn write_groups(store: Store, mut lines: mpsc::Receiver<(NewAuditEntry, Done)>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while lines.recv_many(&mut group, MAX_GROUP).await > 0 {
        let (entries, waiting): (Vec<NewAuditEntry>, Vec<Done>) = group.drain(..).unzip();
        let outcome = store
            .audit()
            .append_batch(&entries)
            .await
            .map_err(|e| e.to_string());
        for done in waiting {
            // A request that gave up waiting no longer needs the answer.
            let _ = done.send(outcome.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn line(i: usize) -> NewAuditEntry {
        NewAuditEntry {
            at: Utc::now(),
            user_id: 1,
            user_name: "admin".into(),
            action: format!("GET /{i}"),
            round: None,
            household_ids: vec![format!("HH{i:08}")],
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_line_is_committed_before_its_request_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        let store = Store::connect(&url).await.unwrap();
        let log = AuditLog::start(store.clone());
        let tasks: Vec<_> = (0..300)
            .map(|i| {
                let (log, store) = (log.clone(), store.clone());
                tokio::spawn(async move {
                    log.append(line(i)).await.unwrap();
                    // Once append returns, the line is in the database.
                    let (all, _) = store.audit().entries(0, 1000).await.unwrap();
                    assert!(all.iter().any(|e| e.entry.action == format!("GET /{i}")));
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(store.audit().entries(0, 1).await.unwrap().1, 300);
        // A log that cannot be written is an error, so the caller shows nothing.
        store.close().await;
        assert!(log.append(line(300)).await.is_err());
    }
}
