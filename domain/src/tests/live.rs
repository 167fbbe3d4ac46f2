//! Live updates: what is announced, when, and which stream hears it.

use super::{refusal, Cast, Scratch};
use crate::live::{LiveStream, Missing};
use crate::store::{Db, ImageColumns};
use crate::{now, Mublog};
use shared::admin::PostAction;
use shared::{LiveEvent, LiveQuery, PostId};
use std::time::Duration;
use tokio::sync::broadcast::error::TryRecvError;

/// Runs `app`'s hub until the returned sender is dropped.
fn start_hub(app: &Mublog) -> tokio::sync::watch::Sender<bool> {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(crate::live::run(app.clone(), stopping));
    stop
}

/// A scratch app with its cast, and its hub running until the third value is dropped.
async fn live_app() -> (Scratch, Cast, tokio::sync::watch::Sender<bool>) {
    let s = Scratch::new().await;
    let cast = s.cast().await;
    let hub = start_hub(&s.app);
    (s, cast, hub)
}

async fn next(stream: &mut LiveStream) -> LiveEvent {
    tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("an event in time")
        .unwrap()
        .event
}

/// Nothing arrives within half a second (ten hub windows).
async fn silent(stream: &mut LiveStream) {
    let heard = tokio::time::timeout(Duration::from_millis(500), stream.next()).await;
    assert!(heard.is_err(), "unexpected {heard:?}");
}

/// Waits until the hub has sent what the set-up wrote (two windows).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(250)).await;
}

fn watching(posts: &[PostId]) -> LiveQuery {
    let posts = posts.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
    LiveQuery { posts: Some(posts), ..LiveQuery::default() }
}

/// A post's announcement is part of its transaction: rolled back, nobody hears it.
async fn only_commits_are_announced(db: &Db, author: shared::UserId, heard: &mut LiveStream) {
    let mut tx = db.begin().await.unwrap();
    Db::insert_post_in(&mut tx, author, "never was", &ImageColumns::default(), now()).await.unwrap();
    drop(tx);
    silent(heard).await;
    let mut tx = db.begin().await.unwrap();
    let post = Db::insert_post_in(&mut tx, author, "is", &ImageColumns::default(), now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next(heard).await, LiveEvent::NewPost { post_id: post, author_id: author });
}

#[tokio::test]
async fn a_rolled_back_post_is_never_announced() {
    let s = Scratch::new().await;
    let cast = s.cast().await;
    let mut changes = s.db().changes();
    let mut tx = s.db().begin().await.unwrap();
    Db::insert_post_in(&mut tx, cast.ada.user(), "draft", &ImageColumns::default(), now()).await.unwrap();
    drop(tx);
    assert_eq!(changes.try_recv(), Err(TryRecvError::Empty));

    let _hub = start_hub(&s.app);
    let everything = LiveQuery { after: Some(PostId(0)), ..LiveQuery::default() };
    let mut stream = s.app.watch(&everything, Missing::ReportGone).await.unwrap();
    assert!(matches!(next(&mut stream).await, LiveEvent::Synced { .. }));
    only_commits_are_announced(s.db(), cast.ada.user(), &mut stream).await;
}

#[tokio::test]
async fn a_page_hears_counts_edits_and_removals_of_its_posts_only() {
    let (s, cast, _hub) = live_app().await;
    let shown = s.app.create_post(&cast.ada, "watched").await.unwrap().id;
    let other = s.app.create_post(&cast.ada, "not on the page").await.unwrap().id;
    s.app.set_like(&cast.grace, shown, true).await.unwrap();
    settle().await;

    let mut stream = s.app.watch(&watching(&[shown]), Missing::ReportGone).await.unwrap();
    assert_eq!(next(&mut stream).await, LiveEvent::Likes { post_id: shown, like_count: 1 });
    assert!(matches!(next(&mut stream).await, LiveEvent::Synced { .. }));

    s.app.set_like(&cast.grace, other, true).await.unwrap();
    s.app.set_like(&cast.ada, shown, true).await.unwrap();
    assert_eq!(next(&mut stream).await, LiveEvent::Likes { post_id: shown, like_count: 2 });
    s.app.edit_post(&cast.ada, shown, "watched, edited").await.unwrap();
    assert!(matches!(next(&mut stream).await, LiveEvent::Edited { post_id, ref body, .. }
        if post_id == shown && body == "watched, edited"));

    let staff = s.app.staff(&cast.boss).await.unwrap();
    s.app.act_on_post(staff, shown, PostAction::Hide { reason: "spam".into() }).await.unwrap();
    assert_eq!(next(&mut stream).await, LiveEvent::Gone { post_id: shown });
    // A hidden post's events stop: its likes are refused and announce nothing.
    assert_eq!(refusal(s.app.set_like(&cast.grace, shown, false).await), "NotFound");
    silent(&mut stream).await;
}

#[tokio::test]
async fn many_likes_in_a_window_arrive_as_one_count() {
    let (s, cast, _hub) = live_app().await;
    let post = s.app.create_post(&cast.ada, "viral").await.unwrap().id;
    settle().await;
    let mut stream = s.app.watch(&watching(&[post]), Missing::ReportGone).await.unwrap();
    next(&mut stream).await;
    next(&mut stream).await;
    let (ada, grace) =
        tokio::join!(s.app.set_like(&cast.ada, post, true), s.app.set_like(&cast.grace, post, true));
    ada.unwrap();
    grace.unwrap();
    // One window: the final count alone (two windows would say 1, then 2).
    let first = next(&mut stream).await;
    if first != (LiveEvent::Likes { post_id: post, like_count: 2 }) {
        assert_eq!(first, LiveEvent::Likes { post_id: post, like_count: 1 });
        assert_eq!(next(&mut stream).await, LiveEvent::Likes { post_id: post, like_count: 2 });
    }
    silent(&mut stream).await;
}

#[tokio::test]
async fn a_reconnecting_page_hears_what_it_missed() {
    let (s, cast, _hub) = live_app().await;
    let kept = s.app.create_post(&cast.ada, "kept").await.unwrap().id;
    let deleted = s.app.create_post(&cast.ada, "deleted").await.unwrap().id;
    let since = now();
    s.app.set_like(&cast.grace, kept, true).await.unwrap();
    s.app.edit_post(&cast.ada, kept, "kept, edited").await.unwrap();
    s.app.delete_post(&cast.ada, deleted).await.unwrap();
    let by_grace = s.app.create_post(&cast.grace, "while you slept").await.unwrap().id;
    let by_ada = s.app.create_post(&cast.ada, "also while you slept").await.unwrap().id;
    settle().await;

    let query = LiveQuery {
        author: Some(cast.ada.user()),
        after: Some(deleted),
        since: Some(since),
        ..watching(&[kept, deleted])
    };
    let mut stream = s.app.watch(&query, Missing::ReportGone).await.unwrap();
    assert_eq!(next(&mut stream).await, LiveEvent::Likes { post_id: kept, like_count: 1 });
    assert!(matches!(next(&mut stream).await, LiveEvent::Edited { post_id, .. } if post_id == kept));
    assert_eq!(next(&mut stream).await, LiveEvent::Gone { post_id: deleted });
    assert_eq!(next(&mut stream).await, LiveEvent::NewPost { post_id: by_ada, author_id: cast.ada.user() });
    assert!(matches!(next(&mut stream).await, LiveEvent::Synced { .. }));
    assert!(by_grace < by_ada, "grace's post was skipped: the page is ada's");

    // The new post it offered is followed from now on.
    s.app.set_like(&cast.grace, by_ada, true).await.unwrap();
    assert_eq!(next(&mut stream).await, LiveEvent::Likes { post_id: by_ada, like_count: 1 });
    s.app.create_post(&cast.grace, "not ada's").await.unwrap();
    silent(&mut stream).await;
}

#[tokio::test]
async fn subscriptions_are_checked() {
    let s = Scratch::new().await;
    let cast = s.cast().await;
    let post = s.app.create_post(&cast.ada, "there").await.unwrap().id;
    let too_many: Vec<PostId> = (1..=201).map(PostId).collect();
    assert_eq!(refusal(s.app.watch(&watching(&too_many), Missing::ReportGone).await), "Validation");
    for junk in ["1,,2", "x", "-3", "0", "1;2"] {
        let query = LiveQuery { posts: Some(junk.into()), ..LiveQuery::default() };
        assert_eq!(refusal(s.app.watch(&query, Missing::ReportGone).await), "Validation", "{junk}");
    }
    assert_eq!(refusal(s.app.watch(&watching(&[post, PostId(9_999)]), Missing::Refuse).await), "NotFound");
    assert!(s.app.watch(&watching(&[post]), Missing::Refuse).await.is_ok());
}

/// Two instances on one PostgreSQL database: what one commits, the other's pages hear, and a
/// rolled-back write reaches neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_every_instance_hears_every_commit() {
    let (guard, db) = crate::store::postgres_scratch_db().await;
    let a = Scratch::on(db, tempfile::tempdir().unwrap());
    let b = Scratch::on(Db::connect(&guard.url()).await.unwrap(), tempfile::tempdir().unwrap());
    let cast = a.cast().await;
    let (_hub_a, _hub_b) = (start_hub(&a.app), start_hub(&b.app));
    let post = a.app.create_post(&cast.ada, "on a").await.unwrap().id;
    settle().await;
    let query = LiveQuery { after: Some(post), ..watching(&[post]) };
    let mut on_b = b.app.watch(&query, Missing::ReportGone).await.unwrap();
    assert_eq!(next(&mut on_b).await, LiveEvent::Likes { post_id: post, like_count: 0 });
    assert!(matches!(next(&mut on_b).await, LiveEvent::Synced { .. }));
    // The listener on b needs a moment to start listening.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let written = std::time::Instant::now();
    a.app.set_like(&cast.grace, post, true).await.unwrap();
    assert_eq!(next(&mut on_b).await, LiveEvent::Likes { post_id: post, like_count: 1 });
    assert!(written.elapsed() < Duration::from_secs(1), "{:?}", written.elapsed());
    only_commits_are_announced(a.db(), cast.ada.user(), &mut on_b).await;
    drop((a, b));
}
