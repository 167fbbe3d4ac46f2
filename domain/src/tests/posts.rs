//! Who may post, edit, delete and like, and what a like counts.

use super::{refusal, Cast, Member, Scratch};
use shared::admin::{PostAction, UserAction};
use shared::PostQuery;

#[tokio::test]
async fn an_unverified_member_reads_but_cannot_post_or_like() {
    let s = Scratch::new().await;
    let ada = s.member("ada", Member::Unverified).await;
    let grace = s.member("grace", Member::Verified).await;
    let post = s.app.create_post(&grace, "hello").await.unwrap();

    assert_eq!(refusal(s.app.create_post(&ada, "too soon").await), "EmailUnverified");
    assert_eq!(refusal(s.app.set_like(&ada, post.id, true).await), "EmailUnverified");
    assert_eq!(refusal(s.app.edit_post(&grace, post.id, "").await), "Validation");
    let feed = s.app.list_posts(Some(ada.user()), &PostQuery::default()).await.unwrap();
    assert_eq!(feed.posts.len(), 1, "reading needs no verification, and nothing was written");
    assert_eq!(feed.posts[0].like_count, 0);

    // Verification takes effect on the next request of the same sign-in.
    s.app.db().mark_email_verified(ada.user(), crate::now()).await.unwrap();
    let ada = s.app.caller(&s.access_token(ada.user(), ada.session().unwrap())).await.unwrap();
    assert!(s.app.create_post(&ada, "now it works").await.is_ok());
}

#[tokio::test]
async fn only_the_author_or_staff_change_a_post_and_staff_changes_are_audited() {
    let s = Scratch::new().await;
    let Cast { ada, grace, boss } = s.cast().await;
    let post = s.app.create_post(&ada, "  my words \n").await.unwrap();
    assert_eq!(post.body, "my words", "trimmed");

    assert_eq!(refusal(s.app.edit_post(&grace, post.id, "hers now").await), "Forbidden");
    assert_eq!(refusal(s.app.delete_post(&grace, post.id).await), "Forbidden");
    assert_eq!(s.app.edit_post(&ada, post.id, "mine, edited").await.unwrap().body, "mine, edited");

    let staff = s.app.staff(&boss).await.unwrap();
    assert!(
        s.app.audit_trail(staff, None).await.unwrap().items.is_empty(),
        "an author's edit is not audited"
    );
    assert_eq!(s.app.edit_post(&boss, post.id, "moderated").await.unwrap().body, "moderated");
    s.app.delete_post(&boss, post.id).await.unwrap();
    let trail = s.app.audit_trail(staff, None).await.unwrap().items;
    let actions: Vec<_> = trail.iter().map(|r| (r.action.as_str(), r.target_id)).collect();
    assert_eq!(actions, [("delete_post", post.id.0), ("edit_post", post.id.0)]);
    assert_eq!(trail[1].detail, "@ada: mine, edited → moderated");

    assert_eq!(refusal(s.app.delete_post(&ada, post.id).await), "NotFound");
    assert_eq!(refusal(s.app.edit_post(&ada, post.id, "gone").await), "NotFound");
}

#[tokio::test]
async fn likes_count_once_per_member_and_hidden_posts_cannot_be_liked() {
    let s = Scratch::new().await;
    let Cast { ada, grace, boss } = s.cast().await;
    let post = s.app.create_post(&ada, "like me").await.unwrap().id;

    let counts =
        [(&ada, true, 1), (&ada, true, 1), (&grace, true, 2), (&grace, false, 1), (&grace, false, 1)];
    for (who, liked, count) in counts {
        let state = s.app.set_like(who, post, liked).await.unwrap();
        assert_eq!((state.liked, state.like_count), (liked, count));
    }
    assert!(s.app.post(Some(ada.user()), post).await.unwrap().liked, "ada's own like");
    assert!(!s.app.post(Some(grace.user()), post).await.unwrap().liked);
    assert!(!s.app.post(None, post).await.unwrap().liked);

    let staff = s.app.staff(&boss).await.unwrap();
    let hide = PostAction::Hide { reason: "spam".into() };
    s.app.act_on_post(staff, post, hide).await.unwrap();
    assert_eq!(refusal(s.app.set_like(&grace, post, true).await), "NotFound");
    assert_eq!(refusal(s.app.post(Some(ada.user()), post).await), "NotFound", "hidden from its author too");
    assert_eq!(refusal(s.app.set_like(&ada, shared::PostId(9_999), true).await), "NotFound");
}

#[tokio::test]
async fn only_active_staff_are_staff() {
    let s = Scratch::new().await;
    let ada = s.member("ada", Member::Verified).await;
    let boss = s.member("boss", Member::Staff).await;
    let chief = s.member("chief", Member::Staff).await;
    assert_eq!(refusal(s.app.staff(&ada).await), "Forbidden");
    let staff = s.app.staff(&chief).await.unwrap();
    s.app.act_on_user(staff, boss.user(), UserAction::Deactivate).await.unwrap();
    assert_eq!(refusal(s.app.staff(&boss).await), "Forbidden");
    s.app.act_on_user(staff, boss.user(), UserAction::Reactivate).await.unwrap();
    assert!(s.app.staff(&boss).await.is_ok());
}

/// A page link's cursor is the last id of the page before; an empty one (an unset form field)
/// is the first page, not an error.
#[test]
fn a_cursor_is_a_positive_id_and_an_empty_one_is_the_first_page() {
    use crate::posts::parse_cursor;
    assert_eq!(parse_cursor(None).unwrap(), None);
    assert_eq!(parse_cursor(Some("")).unwrap(), None);
    assert_eq!(parse_cursor(Some("42")).unwrap(), Some(42));
    for bad in ["0", "-1", "x", " 42", "9999999999999999999999"] {
        assert_eq!(refusal(parse_cursor(Some(bad))), "Validation", "{bad:?}");
    }
}
