//! A sign-in speaks for its member until it ends: signed out, or the account deactivated.

use super::{refusal, Member, Scratch};
use shared::admin::UserAction;

#[tokio::test]
async fn an_access_token_stops_working_when_its_sign_in_ends() {
    let s = Scratch::new().await;
    let ada = s.member("ada", Member::Verified).await;
    let phone = s.sign_in(ada.user()).await;
    let token = s.access_token(ada.user(), phone.session().unwrap());

    let sessions = s.app.sessions(&ada).await.unwrap().sessions;
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        sessions.iter().filter(|v| v.current).map(|v| v.id).collect::<Vec<_>>(),
        [ada.session().unwrap()]
    );

    let grace = s.member("grace", Member::Verified).await;
    assert_eq!(refusal(s.app.revoke_session(&grace, phone.session().unwrap()).await), "NotFound", "not hers");
    assert!(s.app.caller(&token).await.is_ok());
    s.app.revoke_session(&ada, phone.session().unwrap()).await.unwrap();
    assert_eq!(refusal(s.app.caller(&token).await), "SessionEnded");
    assert!(
        s.app.caller(&s.access_token(ada.user(), ada.session().unwrap())).await.is_ok(),
        "the other device stays"
    );

    // A token naming someone else's sign-in is refused, although correctly signed.
    assert_eq!(
        refusal(s.app.caller(&s.access_token(ada.user(), grace.session().unwrap())).await),
        "SessionEnded"
    );
    assert_eq!(refusal(s.app.caller("not a token").await), "Unauthenticated");
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sign_ins_at_once() {
    let s = Scratch::new().await;
    let ada = s.member("ada", Member::Verified).await;
    let boss = s.member("boss", Member::Staff).await;
    let token = s.access_token(ada.user(), ada.session().unwrap());
    let staff = s.app.staff(&boss).await.unwrap();

    s.app.act_on_user(staff, ada.user(), UserAction::Deactivate).await.unwrap();
    assert_eq!(refusal(s.app.caller(&token).await), "SessionEnded");
    s.app.act_on_user(staff, ada.user(), UserAction::Reactivate).await.unwrap();
    assert_eq!(refusal(s.app.caller(&token).await), "SessionEnded", "reactivating does not revive sign-ins");
}
