//! The staff admin's reads and writes on users and posts. Every list is a keyset page (`id <
//! cursor`, newest first) through an index chosen so that a page costs the same at a million
//! rows as at a hundred; `admin_queries_use_indexes` below checks the plans.

use super::posts::{post_head_columns, PostHead};
use super::select::{and_bind, and_time_range, bind_values, Built};
use super::users::USER_COLUMNS;
use super::{fts_phrase, Change, Db, Dialect, Tx, UserRow};
use shared::{PostId, UserId};

/// Which users to list. `search` is an FTS5 phrase of three or more characters.
#[derive(Debug, Default)]
pub struct UserSelection<'a> {
    pub search: Option<&'a str>,
    pub verified: Option<bool>,
    pub staff: Option<bool>,
    pub active: Option<bool>,
    pub before: Option<i64>,
}

/// Which posts to list. `ids` bounds a date range (ids grow with time; see `ids_between`).
#[derive(Debug, Default)]
pub struct PostSelection<'a> {
    pub author: Option<UserId>,
    /// A LIKE pattern.
    pub body_like: Option<&'a str>,
    pub hidden: Option<bool>,
    pub created: (Option<i64>, Option<i64>),
    pub before: Option<i64>,
}

/// A post as the admin lists it, hidden or not.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModeratedPost {
    #[sqlx(flatten)]
    pub head: PostHead,
    pub hidden_at: Option<i64>,
    pub hidden_reason: Option<String>,
    pub hidden_by: Option<UserId>,
}

pub(super) fn users_sql(dialect: Dialect, s: &UserSelection<'_>, limit: u32) -> Built {
    let columns = USER_COLUMNS.split(", ").map(|c| format!("u.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let mut q = Built::new(format!("SELECT {columns} FROM "));
    // Walk the smaller set, newest first, and stop at the limit: the accounts a rare filter
    // picks (staff, deactivated, unverified), each row's own fields matched against the search
    // (as the trigram index would: anywhere, any case); otherwise the search's matches. At a
    // million accounts, walking a search that matches everyone for a rare filter took 4.9 s,
    // and asking the trigram index about each row 1.3 s. PostgreSQL plans this itself: its
    // trigram indexes serve each field's `ILIKE`.
    let rare_filter = s.staff == Some(true) || s.active == Some(false) || s.verified == Some(false);
    let walk_search = s.search.filter(|_| !rare_filter && dialect == Dialect::Sqlite);
    match walk_search {
        Some(phrase) => {
            q.push("users_search s JOIN users u ON u.id = s.rowid WHERE users_search MATCH ");
            q.bind(fts_phrase(phrase));
            q.push(" AND s.rowid < ");
        }
        None => {
            q.push("users u WHERE u.id < ");
        }
    }
    q.bind(s.before.unwrap_or(i64::MAX));
    if let (Some(phrase), None) = (s.search, walk_search) {
        let pattern = super::contains_pattern(phrase);
        let like = match dialect {
            Dialect::Sqlite => "LIKE",
            Dialect::Postgres => "ILIKE",
        };
        let mut separator = " AND (";
        for column in ["email", "handle", "display_name", "first_name", "last_name"] {
            q.push(separator).push(&format!("u.{column} {like} ")).bind(pattern.clone()).push(r" ESCAPE '\'");
            separator = " OR ";
        }
        q.push(")");
    }
    // Written exactly as the partial indexes' conditions, so the database can use them.
    let staff = match dialect {
        Dialect::Sqlite => ("u.is_staff = 1", "u.is_staff = 0"),
        Dialect::Postgres => ("u.is_staff", "NOT u.is_staff"),
    };
    let conditions = [
        (s.staff, staff),
        (s.active, ("u.deactivated_at IS NULL", "u.deactivated_at IS NOT NULL")),
        (s.verified, ("u.email_verified_at IS NOT NULL", "u.email_verified_at IS NULL")),
    ];
    for (wanted, (yes, no)) in conditions {
        if let Some(wanted) = wanted {
            q.push(" AND ").push(if wanted { yes } else { no });
        }
    }
    q.push(if walk_search.is_some() { " ORDER BY s.rowid DESC" } else { " ORDER BY u.id DESC" });
    q.push(" LIMIT ").bind(limit);
    q
}

const MODERATED_POST_COLUMNS: &str =
    concat!(post_head_columns!(), ", p.hidden_at, p.hidden_reason, p.hidden_by");

pub(super) fn posts_sql(dialect: Dialect, s: &PostSelection<'_>, limit: u32) -> Built {
    let mut q = Built::new(format!(
        "SELECT {MODERATED_POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id < "
    ));
    q.bind(s.before.unwrap_or(i64::MAX));
    and_bind(&mut q, "p.author_id = ", s.author);
    if let Some(pattern) = s.body_like {
        let like = match dialect {
            Dialect::Sqlite => " AND p.body LIKE ",
            Dialect::Postgres => " AND p.body ILIKE ",
        };
        q.push(like).bind(pattern).push(r" ESCAPE '\'");
    }
    match s.hidden {
        Some(true) => q.push(" AND p.hidden_at IS NOT NULL"),
        Some(false) => q.push(" AND p.hidden_at IS NULL"),
        None => &mut q,
    };
    and_time_range(
        &mut q,
        s.created,
        ("p.created_at", "p.id"),
        ("(SELECT id FROM posts WHERE created_at >= ", " ORDER BY created_at, id LIMIT 1)"),
        ("(SELECT id FROM posts WHERE created_at < ", " ORDER BY created_at DESC, id DESC LIMIT 1)"),
    );
    q.push(" ORDER BY p.id DESC LIMIT ").bind(limit);
    q
}

impl Db {
    pub async fn select_users(&self, s: &UserSelection<'_>, limit: u32) -> Result<Vec<UserRow>, sqlx::Error> {
        let q = users_sql(self.dialect(), s, limit);
        on_readers!(self, |pool| bind_values!(sqlx::query_as(q.text()), q).fetch_all(pool).await)
    }

    pub async fn select_posts(
        &self,
        s: &PostSelection<'_>,
        limit: u32,
    ) -> Result<Vec<ModeratedPost>, sqlx::Error> {
        let q = posts_sql(self.dialect(), s, limit);
        on_readers!(self, |pool| bind_values!(sqlx::query_as(q.text()), q).fetch_all(pool).await)
    }

    pub async fn moderated_post(&self, id: PostId) -> Result<Option<ModeratedPost>, sqlx::Error> {
        let sql = format!(
            "SELECT {MODERATED_POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1"
        );
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
    }

    /// Deactivates (`Some(now)`) or reactivates (`None`) an account; false if nothing changed.
    pub async fn set_deactivated_in(tx: &mut Tx, user: UserId, at: Option<i64>) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE users SET deactivated_at = $1
             WHERE id = $2 AND (deactivated_at IS NULL) = ($1 IS NOT NULL)";
        let changed = in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(at).bind(user), conn))?;
        Ok(changed == 1)
    }

    /// Hides a visible post (`Some`) or shows a hidden one (`None`); false if nothing changed.
    pub async fn set_hidden_in(
        tx: &mut Tx,
        post: PostId,
        hidden: Option<(i64, &str, UserId)>,
    ) -> Result<bool, sqlx::Error> {
        let (at, reason, by) = match hidden {
            Some((at, reason, by)) => (Some(at), Some(reason), Some(by)),
            None => (None, None, None),
        };
        let sql = "UPDATE posts SET hidden_at = $1, hidden_reason = $2, hidden_by = $3
             WHERE id = $4 AND (hidden_at IS NULL) = ($1 IS NOT NULL)";
        let changed =
            in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(at).bind(reason).bind(by).bind(post), conn))?;
        // A post shown again is not pushed to pages: it reappears when they load.
        if changed == 1 && at.is_some() {
            Self::announce_in(tx, Change::Removed(post));
        }
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{assert_seeks, query_plan as plan};

    /// Every admin list is a seek plus `limit` rows: no full scans, no sorts.
    #[tokio::test]
    async fn admin_queries_use_indexes() {
        let (_dir, db) = crate::store::scratch_db().await;
        let users = |s| users_sql(Dialect::Sqlite, &s, 51);
        assert_seeks(&plan(&db, &users(UserSelection::default())).await, "INTEGER PRIMARY KEY (rowid<?)");
        let staff = UserSelection { staff: Some(true), ..Default::default() };
        assert_seeks(&plan(&db, &users(staff)).await, "users_staff");
        let inactive = UserSelection { active: Some(false), ..Default::default() };
        assert_seeks(&plan(&db, &users(inactive)).await, "users_deactivated");
        let unverified = UserSelection { verified: Some(false), ..Default::default() };
        assert_seeks(&plan(&db, &users(unverified)).await, "users_unverified");
        let search = UserSelection { search: Some("ada"), ..Default::default() };
        assert_seeks(&plan(&db, &users(search)).await, "VIRTUAL TABLE INDEX");
        let rare = UserSelection { search: Some("ada"), staff: Some(true), ..Default::default() };
        assert_seeks(&plan(&db, &users(rare)).await, "users_staff");

        let posts = |s| posts_sql(Dialect::Sqlite, &s, 51);
        assert_seeks(&plan(&db, &posts(PostSelection::default())).await, "(rowid<?)");
        let by_author = PostSelection { author: Some(UserId(1)), ..Default::default() };
        assert_seeks(&plan(&db, &posts(by_author)).await, "posts_by_author");
        let hidden = PostSelection { hidden: Some(true), ..Default::default() };
        assert_seeks(&plan(&db, &posts(hidden)).await, "posts_hidden");
        let dated = PostSelection { created: (Some(10), Some(20)), ..Default::default() };
        let steps = plan(&db, &posts(dated)).await;
        assert_seeks(&steps, "(rowid>? AND rowid<?)");
        assert!(steps.iter().any(|s| s.contains("posts_by_time (created_at>?)")), "{steps:#?}");
    }

    #[test]
    fn search_text_is_one_quoted_phrase() {
        assert_eq!(fts_phrase(r#"a"b OR c"#), r#""a""b OR c""#);
    }
}
