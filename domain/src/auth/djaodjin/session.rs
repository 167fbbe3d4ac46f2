//! What a proxy session says about its user, and the questions deployutils' `AccessiblesMixin`
//! answers from it: which profiles (organizations) the user has a role on, which plans those
//! are subscribed to, whether the user manages an account or the site itself.

use serde::Deserialize;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// The role that lets a user act for a profile.
pub const MANAGER: &str = "manager";

/// A decoded session (a missing `Option` is `None`). Only the keys below are kept: anything else the proxy adds (some are
/// secrets) is dropped on decoding, so it can never reach a log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProxySession {
    pub username: String,
    /// Role name to the profiles the user has that role on.
    #[serde(default)]
    pub roles: BTreeMap<String, Vec<Profile>>,
    pub site: Option<Site>,
    pub last_visited: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub picture: Option<String>,
}

/// A profile (an organization, or a user's personal profile) the user has a role on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Profile {
    pub slug: String,
    pub printable_name: Option<String>,
    pub created_at: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Subscription {
    pub plan: String,
    pub ends_at: Option<String>,
}

/// The site the proxy serves; its `slug` names the profile that owns it (the "broker").
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Site {
    pub slug: Option<String>,
}

impl Subscription {
    /// Whether the subscription still runs at `at`. An `ends_at` that is missing or cannot be
    /// read counts as ended: deployutils reads it as "now", which lets an unreadable date pass
    /// for the instant of the check, and a grant should not rest on that.
    pub fn active_at(&self, at: OffsetDateTime) -> bool {
        self.ends_at.as_deref().and_then(parse_moment).is_some_and(|ends| at < ends)
    }
}

/// An RFC 3339 time (what the proxy writes), or a bare date, read as its midnight UTC.
fn parse_moment(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        let date = Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        Some(date.midnight().assume_utc())
    })
}

impl ProxySession {
    /// The profiles the user has a role on, limited to `roles` when given
    /// (`get_accessible_profiles`). A profile held through two roles is listed under each.
    pub fn accessible_profiles<'a>(&'a self, roles: Option<&'a [&str]>) -> impl Iterator<Item = &'a Profile> {
        self.roles
            .iter()
            .filter(move |(role, _)| roles.is_none_or(|wanted| wanted.contains(&role.as_str())))
            .flat_map(|(_, profiles)| profiles)
    }

    /// The plans that appear under a subscription of a profile the user has a role on, each once
    /// (`get_accessible_plans`): of `profile` only when given, and only those still running at
    /// `at` when given.
    pub fn accessible_plans(&self, profile: Option<&str>, at: Option<OffsetDateTime>) -> Vec<&str> {
        let mut plans = Vec::new();
        let subscriptions = self
            .accessible_profiles(None)
            .filter(|p| profile.is_none_or(|wanted| p.slug == wanted))
            .flat_map(|p| &p.subscriptions);
        for subscription in subscriptions {
            if at.is_none_or(|at| subscription.active_at(at)) && !plans.contains(&subscription.plan.as_str())
            {
                plans.push(subscription.plan.as_str());
            }
        }
        plans
    }

    /// Whether the user has one of `roles` on the profile `account`.
    pub fn has_role(&self, account: &str, roles: &[&str]) -> bool {
        self.accessible_profiles(Some(roles)).any(|p| p.slug == account)
    }

    pub fn manages(&self, account: &str) -> bool {
        self.has_role(account, &[MANAGER])
    }

    /// The profiles the user is a manager of.
    pub fn managed_accounts(&self) -> Vec<&str> {
        self.accessible_profiles(Some(&[MANAGER])).map(|p| p.slug.as_str()).collect()
    }

    /// The profiles the user has roles on, each once, with those roles and the plans it is
    /// subscribed to at `at`: what `/api/v1/me` and the settings page show.
    pub fn organizations(&self, at: OffsetDateTime) -> Vec<shared::Organization> {
        let mut organizations: Vec<shared::Organization> = Vec::new();
        for (role, profiles) in &self.roles {
            for profile in profiles {
                let known = organizations.iter().position(|o| o.slug == profile.slug);
                let organization = match known {
                    Some(i) => &mut organizations[i],
                    None => {
                        organizations.push(shared::Organization {
                            slug: profile.slug.clone(),
                            printable_name: profile
                                .printable_name
                                .clone()
                                .unwrap_or_else(|| profile.slug.clone()),
                            roles: Vec::new(),
                            plans: self
                                .accessible_plans(Some(&profile.slug), Some(at))
                                .into_iter()
                                .map(str::to_owned)
                                .collect(),
                        });
                        organizations.last_mut().expect("just pushed")
                    }
                };
                organization.roles.push(role.clone());
            }
        }
        organizations
    }

    /// Whether the user manages the site's own profile.
    pub fn manages_broker(&self) -> bool {
        self.site.as_ref().and_then(|site| site.slug.as_deref()).is_some_and(|broker| self.manages(broker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn session() -> ProxySession {
        serde_json::from_value(serde_json::json!({
            "username": "ada",
            "site": {"slug": "mublog"},
            "api_key": "a secret the proxy may add",
            "roles": {
                "manager": [
                    {"slug": "mublog", "printable_name": "mublog"},
                    {"slug": "acme", "subscriptions": [{"plan": "pro", "ends_at": "2030-01-01T00:00:00Z"}]}
                ],
                "contributor": [
                    {"slug": "initech", "subscriptions": [
                        {"plan": "basic", "ends_at": "2020-06-01T12:00:00.000000Z"},
                        {"plan": "pro", "ends_at": "2031-01-01"},
                        {"plan": "odd", "ends_at": "next tuesday"}
                    ]}
                ]
            }
        }))
        .unwrap()
    }

    #[test]
    fn profiles_by_role() {
        let s = session();
        let all: Vec<_> = s.accessible_profiles(None).map(|p| p.slug.as_str()).collect();
        assert_eq!(all, ["initech", "mublog", "acme"]);
        let contributing: Vec<_> = s.accessible_profiles(Some(&["contributor"])).map(|p| &p.slug).collect();
        assert_eq!(contributing, ["initech"]);
        assert!(s.has_role("initech", &["contributor", "manager"]));
        assert!(!s.has_role("initech", &["manager"]));
        assert!(s.manages("acme") && !s.manages("initech") && !s.manages("nobody"));
        assert_eq!(s.managed_accounts(), ["mublog", "acme"]);
        assert!(s.manages_broker());
        let elsewhere = ProxySession { site: Some(Site { slug: Some("other".into()) }), ..s.clone() };
        assert!(!elsewhere.manages_broker());
        assert!(!ProxySession { site: None, ..s }.manages_broker());
    }

    #[test]
    fn plans_by_profile_and_time() {
        let s = session();
        assert_eq!(s.accessible_plans(None, None), ["basic", "pro", "odd"]);
        assert_eq!(s.accessible_plans(Some("initech"), None), ["basic", "pro", "odd"]);
        assert_eq!(s.accessible_plans(Some("acme"), None), ["pro"]);
        let now = datetime!(2026-12-07 12:00 UTC);
        assert_eq!(s.accessible_plans(None, Some(now)), ["pro"], "basic ended, odd cannot be read");
        assert_eq!(
            s.accessible_plans(Some("acme"), Some(datetime!(2030-01-01 00:00 UTC))),
            Vec::<&str>::new()
        );
        assert_eq!(
            s.accessible_plans(Some("initech"), Some(datetime!(2020-06-01 11:59 UTC))),
            ["basic", "pro"]
        );
        assert_eq!(s.accessible_plans(Some("mublog"), Some(now)), Vec::<&str>::new());
    }

    #[test]
    fn organizations_gather_a_profiles_roles_and_running_plans() {
        let mut s = session();
        s.roles.insert(
            "contributor".into(),
            vec![serde_json::from_value(serde_json::json!({"slug": "acme"})).unwrap()],
        );
        let organizations = s.organizations(datetime!(2026-12-07 12:00 UTC));
        let summary: Vec<_> = organizations
            .iter()
            .map(|o| (o.slug.as_str(), o.printable_name.as_str(), o.roles.clone(), o.plans.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "acme",
                    "acme",
                    vec!["contributor".to_owned(), "manager".to_owned()],
                    vec!["pro".to_owned()]
                ),
                ("mublog", "mublog", vec!["manager".to_owned()], vec![]),
            ]
        );
    }
}
