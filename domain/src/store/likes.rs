//! Likes, written in batches. Every write waits its turn on the one writer connection, and
//! each statement costs two hand-offs to the thread sqlx runs that connection on; under load
//! most of a like's time went there. Likes that arrive while a batch is being written wait
//! and go together in the next: one `INSERT` for the likes, one `DELETE` for the unlikes and
//! one read of the new counts (on a reader), however many requests there are.

use super::select::{bind_values, Built};
use super::{Backend, Db};
use shared::{LikeState, PostId, UserId};
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// The most likes one batch writes (three bound values each, far below either database's limit).
const BATCH: usize = 256;

/// One like or unlike waiting for the writer, and where to send its post's new count (`None`
/// when the post is missing or hidden).
pub(super) struct LikeWrite {
    user: UserId,
    post: PostId,
    liked: bool,
    now: i64,
    written: oneshot::Sender<Result<Option<i64>, String>>,
}

/// The like counts of the posts a batch touched, by post.
type Counts = HashMap<PostId, i64>;

/// The task's handle on the database: the connections without the queue, so that the task
/// ends when the last [`Db`] (and with it the last sender) is dropped.
struct Batches {
    backend: Backend,
    changes: tokio::sync::broadcast::Sender<super::Change>,
}

/// Starts the task that writes queued likes and reads their counts; it ends when every sender
/// is dropped.
/// Each batch's posts are announced as liked once its answers are sent.
pub(super) fn spawn_like_writer(
    backend: Backend,
    changes: tokio::sync::broadcast::Sender<super::Change>,
) -> mpsc::Sender<LikeWrite> {
    let (queue, mut waiting) = mpsc::channel::<LikeWrite>(4 * BATCH);
    let db = Batches { backend, changes };
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        while waiting.recv_many(&mut batch, BATCH).await > 0 {
            let outcome = write_batch(&db, &batch).await.map_err(|e| {
                tracing::error!(error = %e, likes = batch.len(), "writing a batch of likes failed");
                e.to_string()
            });
            for like in batch.drain(..) {
                let count = outcome.as_ref().map(|counts| counts.get(&like.post).copied());
                // A request that gave up waiting no longer needs the answer.
                let _ = like.written.send(count.map_err(Clone::clone));
            }
            // Only visible posts have counts: likes refused or rolled back announce nothing.
            if let Ok(counts) = outcome {
                let liked: Vec<_> = counts.into_keys().map(super::Change::Liked).collect();
                Db::announce(&db.backend, &db.changes, &liked).await;
            }
        }
    });
    queue
}

/// The batch's likes in one statement and its unlikes in another. When one member sends both
/// in one batch, the later wins, as it would have one after the other. Each statement touches
/// visible posts only, and the primary key on (post_id, user_id) keeps counts exact. The counts
/// are read afterwards, and see what the writes committed.
///
/// Rows go in post order: on PostgreSQL, batches from several instances then lock the posts
/// whose counts they raise in the same order, and cannot deadlock.
async fn write_batch(db: &Batches, batch: &[LikeWrite]) -> Result<Counts, sqlx::Error> {
    let mut last: HashMap<(PostId, UserId), (bool, i64)> = HashMap::with_capacity(batch.len());
    for like in batch {
        last.insert((like.post, like.user), (like.liked, like.now));
    }
    let (mut likes, mut unlikes): (Vec<_>, Vec<_>) = last.into_iter().partition(|(_, (liked, _))| *liked);
    likes.sort_unstable_by_key(|(key, _)| *key);
    unlikes.sort_unstable_by_key(|(key, _)| *key);
    for (rows, statement) in
        [(&likes, insert_likes_sql as fn(&[Keyed]) -> Built), (&unlikes, delete_likes_sql)]
    {
        if !rows.is_empty() {
            let q = statement(rows);
            on_writer!(db, |pool| execute!(bind_values!(sqlx::query(q.text()), q), pool))?;
        }
    }
    // Each post once, however many of the batch's likes it has.
    let mut posts: Vec<PostId> = likes.iter().chain(&unlikes).map(|((post, _), _)| *post).collect();
    posts.sort_unstable();
    posts.dedup();
    let q = counts_sql(&posts);
    let counts: Vec<(PostId, i64)> =
        on_readers!(db, |pool| bind_values!(sqlx::query_as(q.text()), q).fetch_all(pool).await)?;
    Ok(counts.into_iter().collect())
}

pub(super) type Keyed = ((PostId, UserId), (bool, i64));

pub(super) fn insert_likes_sql(likes: &[Keyed]) -> Built {
    let mut q = Built::new("INSERT INTO likes (post_id, user_id, created_at) SELECT * FROM (VALUES ");
    for ((post, user), (_, now)) in likes {
        q.row([(*post).into(), (*user).into(), (*now).into()]);
    }
    q.push(
        ") AS v WHERE EXISTS (SELECT 1 FROM posts WHERE id = v.column1 AND hidden_at IS NULL)
         ON CONFLICT (post_id, user_id) DO NOTHING",
    );
    q
}

pub(super) fn delete_likes_sql(unlikes: &[Keyed]) -> Built {
    let mut q = Built::new("DELETE FROM likes WHERE (post_id, user_id) IN (VALUES ");
    for ((post, user), _) in unlikes {
        q.row([(*post).into(), (*user).into()]);
    }
    // Unliking a hidden post is refused (its count is not read), and changes nothing either.
    q.push(") AND EXISTS (SELECT 1 FROM posts WHERE id = likes.post_id AND hidden_at IS NULL)");
    q
}

pub(super) fn counts_sql(posts: &[PostId]) -> Built {
    let mut q = Built::new("SELECT id, like_count FROM posts WHERE hidden_at IS NULL AND id IN ");
    q.list(posts);
    q
}

impl Db {
    /// Likes or unlikes idempotently and returns the resulting count, or `None` when there is
    /// no such visible post. It goes in the next batch (see the module).
    pub async fn set_like(
        &self,
        user: UserId,
        post: PostId,
        liked: bool,
        now: i64,
    ) -> Result<Option<LikeState>, sqlx::Error> {
        let (written, done) = oneshot::channel();
        let gone = || sqlx::Error::PoolClosed;
        self.likes.send(LikeWrite { user, post, liked, now, written }).await.map_err(|_| gone())?;
        let like_count = done.await.map_err(|_| gone())?.map_err(sqlx::Error::Protocol)?;
        Ok(like_count.map(|like_count| LikeState { post_id: post, like_count, liked }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::scratch_db;

    async fn members(db: &Db, count: i64) {
        for id in 1..=count {
            sqlx::query("INSERT INTO users (id, email, handle, display_name, password_hash, created_at) VALUES ($1, $1 || '@x', 'u' || $1, 'U', '', 0)")
                .bind(id)
                .execute(db.writer())
                .await
                .unwrap();
        }
    }

    async fn likes_of(db: &Db, post: PostId) -> (i64, i64) {
        let kept = db.post(None, post).await.unwrap().map_or(-1, |p| p.like_count);
        let real: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM likes WHERE post_id = ?")
            .bind(post)
            .fetch_one(db.pool())
            .await
            .unwrap();
        (kept, real)
    }

    /// The kept count matches the likes themselves through likes, unlikes, repeats, a hidden
    /// post (refused, unchanged) and a liker's account being deleted (cascade).
    #[tokio::test]
    async fn like_counts_follow_the_likes() {
        let (_dir, db) = crate::store::scratch_db().await;
        members(&db, 3).await;
        let post = db.insert_post(UserId(1), "likeable", 0).await.unwrap();
        let count = |state: Option<LikeState>| state.unwrap().like_count;
        assert_eq!(count(db.set_like(UserId(1), post, true, 0).await.unwrap()), 1);
        assert_eq!(count(db.set_like(UserId(1), post, true, 0).await.unwrap()), 1);
        assert_eq!(count(db.set_like(UserId(2), post, true, 0).await.unwrap()), 2);
        assert_eq!(count(db.set_like(UserId(3), post, true, 0).await.unwrap()), 3);
        assert_eq!(count(db.set_like(UserId(2), post, false, 0).await.unwrap()), 2);
        assert_eq!(count(db.set_like(UserId(2), post, false, 0).await.unwrap()), 2);
        sqlx::query("DELETE FROM users WHERE id = 3").execute(db.writer()).await.unwrap();
        assert_eq!(likes_of(&db, post).await, (1, 1));
        sqlx::query("UPDATE posts SET hidden_at = 1 WHERE id = ?")
            .bind(post)
            .execute(db.writer())
            .await
            .unwrap();
        assert!(db.set_like(UserId(2), post, true, 0).await.unwrap().is_none());
        let real: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM likes").fetch_one(db.pool()).await.unwrap();
        assert_eq!(real, 1, "a hidden post takes no likes");
        assert!(db.set_like(UserId(1), post, false, 0).await.unwrap().is_none());
        let real: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM likes").fetch_one(db.pool()).await.unwrap();
        assert_eq!(real, 1, "nor loses them");
    }

    /// Two hundred members liking at once (each twice) and half of them then unliking: the
    /// requests share batches, and the count is exact.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_likes_share_batches_and_count_exactly() {
        let (_dir, db) = scratch_db().await;
        members(&db, 200).await;
        let post = db.insert_post(UserId(1), "popular", 0).await.unwrap();
        let set = |user: i64, liked: bool| {
            let db = db.clone();
            tokio::spawn(async move { db.set_like(UserId(user), post, liked, 0).await.unwrap().unwrap() })
        };
        let clicks: Vec<_> = (1..=200).flat_map(|user| [set(user, true), set(user, true)]).collect();
        for click in clicks {
            assert!(click.await.unwrap().liked);
        }
        assert_eq!(likes_of(&db, post).await, (200, 200));
        let unclicks: Vec<_> = (1..=100).map(|user| set(user, false)).collect();
        for unclick in unclicks {
            assert!(!unclick.await.unwrap().liked);
        }
        assert_eq!(likes_of(&db, post).await, (100, 100));
    }

    /// Within one batch, a member's later request wins, as it would have one after the other.
    #[tokio::test]
    async fn in_one_batch_the_later_request_wins() {
        let (_dir, db) = scratch_db().await;
        members(&db, 2).await;
        let post = db.insert_post(UserId(1), "flip", 0).await.unwrap();
        let write = |user: i64, liked: bool| {
            let (written, _) = oneshot::channel();
            LikeWrite { user: UserId(user), post, liked, now: 0, written }
        };
        let batch = [write(1, true), write(1, false), write(2, false), write(2, true)];
        let counts =
            write_batch(&Batches { backend: db.backend.clone(), changes: db.changes.clone() }, &batch)
                .await
                .unwrap();
        assert_eq!(counts, Counts::from([(post, 1)]));
        let likers: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM likes").fetch_all(db.pool()).await.unwrap();
        assert_eq!(likers, [2]);
        assert_eq!(likes_of(&db, post).await, (1, 1));
    }

    /// A batch finds each like by its primary key, and each post by its id: no scan of either
    /// table, however large.
    #[tokio::test]
    async fn batched_likes_seek_by_primary_key() {
        let (_dir, db) = scratch_db().await;
        let batch: Vec<Keyed> = (1..=3).map(|n| ((PostId(n), UserId(n)), (true, 0))).collect();
        let inserting = crate::store::query_plan(&db, &insert_likes_sql(&batch)).await;
        let deleting = crate::store::query_plan(&db, &delete_likes_sql(&batch)).await;
        let counting = crate::store::query_plan(&db, &counts_sql(&[PostId(1), PostId(2)])).await;
        for plan in [&inserting, &deleting, &counting] {
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN likes") || step.starts_with("SCAN posts")),
                "{plan:?}"
            );
            assert!(
                plan.iter().any(|step| step.starts_with("SEARCH posts USING INTEGER PRIMARY KEY")),
                "{plan:?}"
            );
        }
        assert!(deleting.iter().any(|step| step.starts_with("SEARCH likes USING")), "{deleting:?}");
    }
}
