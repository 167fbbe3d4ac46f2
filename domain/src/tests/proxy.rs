//! Behind the DjaoDjin proxy: a session's user is made on first sight and found again by the
//! proxy's username; its roles and plans grant staff and posting for the request alone.

use super::{refusal, Member, Scratch};
use crate::auth::djaodjin::{ProxyPowers, ProxySession};
use crate::Device;
use shared::admin::UserAction;
use shared::LoginRequest;

fn session(value: serde_json::Value) -> ProxySession {
    serde_json::from_value(value).unwrap()
}

fn ada() -> ProxySession {
    session(serde_json::json!({
        "username": "ada.lovelace",
        "full_name": "Ada Lovelace",
        "email": "Ada@Example.com",
        "site": {"slug": "mublog"},
        "roles": {"contributor": [{"slug": "acme", "subscriptions": [
            {"plan": "writer", "ends_at": "2099-01-01T00:00:00Z"},
            {"plan": "reader", "ends_at": "2001-01-01T00:00:00Z"}
        ]}]}
    }))
}

#[tokio::test]
async fn a_sessions_user_is_made_once_verified_and_cannot_sign_in_with_a_password() {
    let s = Scratch::new().await;
    let powers = ProxyPowers::default();
    let first = s.app.proxy_caller(&ada(), &powers).await.unwrap();
    let again = s.app.proxy_caller(&ada(), &powers).await.unwrap();
    assert_eq!(first.user(), again.user(), "found again by the proxy's username");
    assert_eq!(first.session(), None);

    let me = s.app.me(first.user()).await.unwrap();
    assert_eq!((me.handle.as_str(), me.display_name.as_str()), ("ada_lovelace", "Ada Lovelace"));
    assert_eq!((me.first_name.as_str(), me.last_name.as_str()), ("Ada", "Lovelace"));
    assert_eq!(me.email, "ada@example.com");
    assert!(me.email_verified, "the proxy vouches for its users");

    for password in ["", "!", "any password at all"] {
        let creds = LoginRequest { email: "ada@example.com".into(), password: password.into() };
        assert_eq!(refusal(s.app.login(creds, &Device::default()).await.map(|_| ())), "InvalidCredentials");
    }
}

#[tokio::test]
async fn an_email_of_another_account_is_not_taken_over() {
    let s = Scratch::new().await;
    let owner = s.member("ada", Member::Verified).await;
    let mut stranger = ada();
    stranger.username = "ada".into();
    stranger.email = Some("ada@example.com".into());
    let caller = s.app.proxy_caller(&stranger, &ProxyPowers::default()).await.unwrap();
    assert_ne!(caller.user(), owner.user());
    let me = s.app.me(caller.user()).await.unwrap();
    assert!(me.handle.starts_with("ada") && me.handle != "ada", "{}", me.handle);
    assert_eq!(me.email, format!("{}@proxy.invalid", me.handle));
    assert_eq!(s.app.me(owner.user()).await.unwrap().email, "ada@example.com");
}

#[tokio::test]
async fn roles_on_the_site_make_staff_and_plans_allow_posting_for_the_request() {
    let s = Scratch::new().await;
    let powers = ProxyPowers { staff_roles: vec!["manager".into()], posting_plans: vec!["writer".into()] };

    let subscriber = s.app.proxy_caller(&ada(), &powers).await.unwrap();
    assert_eq!(refusal(s.app.staff(&subscriber).await), "Forbidden", "a contributor elsewhere");
    let post = s.app.create_post(&subscriber, "written on an active plan").await.unwrap().id;

    let mut lapsed = ada();
    lapsed.roles.get_mut("contributor").unwrap()[0].subscriptions[0].ends_at = Some("2020-01-01".into());
    let lapsed = s.app.proxy_caller(&lapsed, &powers).await.unwrap();
    assert_eq!(lapsed.user(), subscriber.user());
    assert_eq!(refusal(s.app.create_post(&lapsed, "no active plan").await), "PlanRequired");
    s.app.set_like(&lapsed, post, true).await.expect("liking needs no plan");

    let manager = session(serde_json::json!({
        "username": "boss", "site": {"slug": "mublog"},
        "roles": {"manager": [{"slug": "mublog"}]}
    }));
    let manager = s.app.proxy_caller(&manager, &powers).await.unwrap();
    let staff = s.app.staff(&manager).await.unwrap();
    assert_eq!(refusal(s.app.create_post(&manager, "staff have no plan").await), "PlanRequired");
    assert!(s.app.proxy_caller(&ada(), &ProxyPowers::default()).await.is_ok());

    s.app.act_on_user(staff, subscriber.user(), UserAction::Deactivate).await.unwrap();
    assert_eq!(refusal(s.app.proxy_caller(&ada(), &powers).await), "AccountDeactivated");
}
