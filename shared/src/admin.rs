//! The staff admin's requests and answers. Filters arrive as the admin pages' query strings
//! carry them: optional, and checked by the domain (a bad date or cursor is a 422 naming it).

use crate::{JobId, PostId, SessionView, UserId, UserView};
use serde::{Deserialize, Serialize};

/// One page of an admin list, newest first. Pass `next_cursor` back as `cursor` for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// Server time (unix seconds), so ages render the same on the server and in the browser.
    pub now: i64,
}

/// `/admin/users`: search (three or more characters, anywhere in the email, handle or names)
/// and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserFilter {
    pub q: Option<String>,
    pub verified: Option<bool>,
    pub staff: Option<bool>,
    pub active: Option<bool>,
    pub cursor: Option<String>,
}

/// An account as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: UserId,
    pub email: String,
    pub handle: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub staff: bool,
    pub verified: bool,
    pub active: bool,
    pub created_at: i64,
}

/// A user's detail view: the account, their newest posts and their live sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserDetail {
    pub user: AdminUser,
    pub posts: Vec<AdminPost>,
    pub sessions: Vec<SessionView>,
    pub now: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    /// Refuses sign-in and ends every session at once.
    Deactivate,
    Reactivate,
    GrantStaff,
    RevokeStaff,
    ResendVerification,
    SignOutEverywhere,
}

impl UserAction {
    /// The name the audit trail records.
    pub fn as_str(self) -> &'static str {
        match self {
            UserAction::Deactivate => "deactivate",
            UserAction::Reactivate => "reactivate",
            UserAction::GrantStaff => "grant_staff",
            UserAction::RevokeStaff => "revoke_staff",
            UserAction::ResendVerification => "resend_verification",
            UserAction::SignOutEverywhere => "sign_out_everywhere",
        }
    }
}

/// `/admin/posts`: text search, author (handle or id), a date range (`YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM`, UTC) and hidden or visible.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostFilter {
    pub q: Option<String>,
    pub author: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub hidden: Option<bool>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPost {
    pub id: PostId,
    pub author: UserView,
    pub body: String,
    pub created_at: i64,
    pub hidden: Option<Hidden>,
}

/// Why and when staff hid a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hidden {
    pub at: i64,
    pub reason: String,
    pub by: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PostAction {
    /// Takes the post out of every feed and the API; the reason is kept.
    Hide {
        reason: String,
    },
    Unhide,
    Delete,
}

/// `/admin/requests`: exact path or route template, method, status, user (handle or id) and a
/// time range. Text as typed into the filter form; the domain checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequestFilter {
    pub path: Option<String>,
    pub route: Option<String>,
    pub method: Option<String>,
    pub status: Option<String>,
    pub user: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub cursor: Option<String>,
}

/// One served request, as the request log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct RequestEntry {
    pub at: i64,
    pub method: String,
    pub path: String,
    pub route: String,
    #[cfg_attr(feature = "sqlx", sqlx(try_from = "i32"))]
    pub status: u16,
    pub duration_us: i64,
    pub user_id: Option<UserId>,
    pub client_ip: String,
    pub user_agent: String,
}

/// A logged request, with its row id (the admin's cursor). On the wire, one flat object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct RequestRecord {
    pub id: i64,
    #[serde(flatten)]
    #[cfg_attr(feature = "sqlx", sqlx(flatten))]
    pub entry: RequestEntry,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsWindow {
    #[default]
    Hour,
    Day,
}

impl StatsWindow {
    pub fn seconds(self) -> i64 {
        match self {
            StatsWindow::Hour => 3600,
            StatsWindow::Day => 24 * 3600,
        }
    }
}

/// Status-code counts and the slowest requests of the last hour or day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStats {
    pub window: StatsWindow,
    /// `(status, requests)`, by status.
    pub statuses: Vec<(u16, i64)>,
    pub slowest: Vec<RequestRecord>,
    pub now: i64,
}

/// `/admin/jobs`: one state (`queued`, `failed` (queued again after a failure), `running`,
/// `done`, `dead`) or all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobFilter {
    pub state: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct JobRecord {
    pub id: JobId,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// One staff action: who did what to which record, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub actor: Option<UserView>,
    pub action: String,
    pub target_type: String,
    pub target_id: i64,
    pub detail: String,
}
