//! Committed changes, announced to every instance's live hub (see [`crate::live`]).
//!
//! On SQLite (one process) an announcement goes straight to this process's hub, after the
//! commit. On PostgreSQL it is a `NOTIFY`, sent inside the transaction: the database delivers
//! it only if that transaction commits, to the listener of every instance, this one included.
//! Either way a rolled-back write announces nothing.

use super::{Backend, Db, Tx, TxOn};
use shared::{PostId, UserId};
use tokio::sync::broadcast;

/// The PostgreSQL channel the instances announce changes on.
const CHANGES: &str = "mublog_changes";

/// Changes this process has heard and its hub has not read yet. A hub that falls this far
/// behind skips some (and says so): live counts are a courtesy, the pages are the record.
const BACKLOG: usize = 4096;

/// What changed, by id only: the hub reads the current state itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Liked(PostId),
    Posted { post: PostId, author: UserId },
    Edited(PostId),
    Removed(PostId),
}

/// This process's end of the announcements.
pub(super) fn channel() -> broadcast::Sender<Change> {
    broadcast::channel(BACKLOG).0
}

impl Change {
    /// Compact text for a `NOTIFY` payload (at most 8,000 bytes): `l12`, `p12/7`, `e12`, `r12`.
    fn encode(&self) -> String {
        match self {
            Change::Liked(post) => format!("l{post}"),
            Change::Posted { post, author } => format!("p{post}/{author}"),
            Change::Edited(post) => format!("e{post}"),
            Change::Removed(post) => format!("r{post}"),
        }
    }

    fn decode(word: &str) -> Option<Change> {
        let id = |text: &str| text.parse::<i64>().ok();
        let (kind, rest) = word.split_at_checked(1)?;
        Some(match kind {
            "l" => Change::Liked(PostId(id(rest)?)),
            "e" => Change::Edited(PostId(id(rest)?)),
            "r" => Change::Removed(PostId(id(rest)?)),
            "p" => {
                let (post, author) = rest.split_once('/')?;
                Change::Posted { post: PostId(id(post)?), author: UserId(id(author)?) }
            }
            _ => return None,
        })
    }
}

/// Payloads of at most this many changes (well under `NOTIFY`'s 8,000 bytes).
const PER_NOTIFY: usize = 256;

impl Db {
    /// Every change any instance commits from now on (this one's hub reads them).
    pub fn changes(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Announces changes already committed (the like writer's batches).
    pub(super) async fn announce(backend: &Backend, local: &broadcast::Sender<Change>, changes: &[Change]) {
        let Backend::Postgres(pool) = backend else {
            return deliver(local, changes);
        };
        for chunk in changes.chunks(PER_NOTIFY) {
            let notify = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANGES).bind(payload(chunk));
            if let Err(e) = notify.execute(pool).await {
                tracing::warn!(error = %e, "announcing changes failed; live pages miss them");
            }
        }
    }

    /// Announces `change` when (and if) `tx` commits.
    pub fn announce_in(tx: &mut Tx, change: Change) {
        tx.announced.push(change);
    }

    /// On PostgreSQL, hands every change any instance announces to this process's hub, until
    /// the connection fails for good. On SQLite there is nothing to hear: `Ok` at once.
    pub async fn hear_changes(&self) -> Result<(), sqlx::Error> {
        let Backend::Postgres(pool) = &self.backend else { return Ok(()) };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANGES).await?;
        loop {
            let heard = listener.recv().await?;
            let changes: Vec<Change> = heard.payload().split(' ').filter_map(Change::decode).collect();
            deliver(&self.changes, &changes);
        }
    }
}

impl Tx {
    /// On PostgreSQL, sends the transaction's announcements inside it, just before it commits.
    pub(super) async fn announce_before_commit(&mut self) -> Result<(), sqlx::Error> {
        if let TxOn::Postgres(conn) = &mut self.on {
            for chunk in self.announced.chunks(PER_NOTIFY) {
                let notify = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANGES).bind(payload(chunk));
                notify.execute(&mut **conn).await?;
            }
        }
        Ok(())
    }
}

fn payload(changes: &[Change]) -> String {
    changes.iter().map(Change::encode).collect::<Vec<_>>().join(" ")
}

pub(super) fn deliver(local: &broadcast::Sender<Change>, changes: &[Change]) {
    for change in changes {
        // No receiver: no hub runs here (a command-line tool), and nobody is listening.
        let _ = local.send(*change);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_survive_their_notify_payload() {
        let changes = [
            Change::Liked(PostId(12)),
            Change::Posted { post: PostId(13), author: UserId(7) },
            Change::Edited(PostId(i64::MAX)),
            Change::Removed(PostId(1)),
        ];
        let decoded: Vec<Change> = payload(&changes).split(' ').filter_map(Change::decode).collect();
        assert_eq!(decoded, changes);
        for junk in ["", "x1", "l", "lx", "p1", "p1/", "p/2", "é1"] {
            assert_eq!(Change::decode(junk), None, "{junk:?}");
        }
    }
}
