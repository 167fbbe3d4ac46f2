use super::{Db, Dialect, Tx};
use shared::{Me, UserId, UserView};

/// The `password_hash` of users who never sign in with a password (as Django's unusable
/// password): not a PHC string, so no password verifies against it.
pub const UNUSABLE_PASSWORD: &str = "!";

/// A user as stored; also the record `mublog export` writes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub handle: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
    /// Set while the account is deactivated by staff.
    #[serde(default)]
    pub deactivated_at: Option<i64>,
    /// The DjaoDjin session proxy's name for this user, when the proxy signs them in.
    #[serde(default)]
    pub proxy_username: Option<String>,
}

pub(crate) const USER_COLUMNS: &str = "id, email, display_name, handle, first_name, last_name, \
     password_hash, is_staff, email_verified_at, created_at, deactivated_at, proxy_username";
/// [`USER_COLUMNS`] of a join's `users u`.
pub(crate) const USER_COLUMNS_OF_U: &str = "u.id, u.email, u.display_name, u.handle, u.first_name, \
     u.last_name, u.password_hash, u.is_staff, u.email_verified_at, u.created_at, u.deactivated_at, \
     u.proxy_username";

impl UserRow {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }

    pub fn me(&self) -> Me {
        Me {
            id: self.id,
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            handle: self.handle.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email_verified: self.email_verified_at.is_some(),
            staff: self.is_staff,
            organizations: None,
            proxied: false,
        }
    }

    pub fn view(&self) -> UserView {
        UserView { id: self.id, display_name: self.display_name.clone(), handle: self.handle.clone() }
    }
}

/// The fields of a new account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub handle: &'a str,
    pub password_hash: &'a str,
}

pub enum Inserted<T> {
    New(T),
    /// The email is registered already.
    Duplicate,
    /// The handle is taken (the caller may pick another).
    HandleTaken,
}

/// What ties a user to the DjaoDjin proxy: its name for them, and their names as it knows them.
pub struct ProxyLink<'a> {
    pub username: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

/// A profile change; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProfileChange<'a> {
    pub display_name: Option<&'a str>,
    pub handle: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
}

/// `column = $n`, ignoring case as the column's unique index does: SQLite's email and handle
/// indexes use `NOCASE`, PostgreSQL's are on `lower(column)`.
fn same_text(dialect: Dialect, column: &str, n: u8) -> String {
    match dialect {
        Dialect::Sqlite => format!("{column} = ${n} COLLATE NOCASE"),
        Dialect::Postgres => format!("lower({column}) = lower(${n})"),
    }
}

impl Db {
    /// Inserts a user inside the caller's transaction (which also enqueues their welcome mail).
    pub async fn insert_user(
        tx: &mut Tx,
        user: NewUser<'_>,
        now: i64,
    ) -> Result<Inserted<UserRow>, sqlx::Error> {
        let insert = format!(
            "INSERT INTO users (email, display_name, handle, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
             RETURNING {USER_COLUMNS}"
        );
        let email_taken =
            format!("SELECT EXISTS (SELECT 1 FROM users WHERE {})", same_text(tx.dialect(), "email", 1));
        in_tx!(tx, |conn| {
            let row: Option<UserRow> = sqlx::query_as(&insert)
                .bind(user.email)
                .bind(user.display_name)
                .bind(user.handle)
                .bind(user.password_hash)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                return Ok(Inserted::New(row));
            }
            let email_taken: bool = sqlx::query_scalar(&email_taken).bind(user.email).fetch_one(conn).await?;
            Ok(if email_taken { Inserted::Duplicate } else { Inserted::HandleTaken })
        })
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {}", same_text(self.dialect(), "email", 1));
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
    }

    pub async fn user_by_handle(&self, handle: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users WHERE {}", same_text(self.dialect(), "handle", 1));
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(handle).fetch_optional(pool).await)
    }

    /// The user the DjaoDjin proxy calls `username` (linked by [`Db::link_proxy_user_in`]).
    pub async fn user_by_proxy_username(&self, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE proxy_username = $1");
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(username).fetch_optional(pool).await)
    }

    /// Links a new user to the proxy's `username`, verified (the proxy vouches for them), with
    /// the names the proxy knows; false when another user has that username already.
    pub async fn link_proxy_user_in(
        tx: &mut Tx,
        id: UserId,
        link: ProxyLink<'_>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let sql =
            "UPDATE users SET proxy_username = $1, email_verified_at = $2, first_name = $3, last_name = $4
             WHERE id = $5 AND NOT EXISTS (SELECT 1 FROM users WHERE proxy_username = $1)";
        let linked = in_tx!(tx, |conn| {
            let update =
                sqlx::query(sql).bind(link.username).bind(now).bind(link.first_name).bind(link.last_name);
            execute!(update.bind(id), conn)
        })?;
        Ok(linked == 1)
    }

    /// Applies a profile change; false when the new handle belongs to someone else.
    pub async fn update_profile(&self, id: UserId, change: ProfileChange<'_>) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE users SET display_name = COALESCE($1, display_name), handle = COALESCE($2, handle),
                 first_name = COALESCE($3, first_name), last_name = COALESCE($4, last_name)
             WHERE id = $5";
        let updated = on_writer!(self, |pool| {
            let update = sqlx::query(sql)
                .bind(change.display_name)
                .bind(change.handle)
                .bind(change.first_name)
                .bind(change.last_name)
                .bind(id);
            execute!(update, pool)
        });
        match updated {
            Ok(_) => Ok(true),
            Err(e) if super::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Marks the email verified (idempotent: the first verification time is kept).
    pub async fn mark_email_verified(&self, id: UserId, now: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        Self::mark_email_verified_in(&mut tx, id, now).await?;
        tx.commit().await
    }

    pub async fn mark_email_verified_in(tx: &mut Tx, id: UserId, now: i64) -> Result<(), sqlx::Error> {
        let sql = "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2";
        in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(now).bind(id), conn))?;
        Ok(())
    }

    /// Grants or removes staff inside the caller's transaction; false if nothing changed.
    pub async fn set_staff_in(tx: &mut Tx, user: UserId, staff: bool) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE users SET is_staff = $1 WHERE id = $2 AND is_staff != $1";
        let changed = in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(staff).bind(user), conn))?;
        Ok(changed == 1)
    }

    pub async fn set_password_hash_in(tx: &mut Tx, id: UserId, hash: &str) -> Result<(), sqlx::Error> {
        let sql = "UPDATE users SET password_hash = $1 WHERE id = $2";
        in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(hash).bind(id), conn))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// Every request behind the DjaoDjin proxy looks its user up by the proxy's name.
    #[tokio::test]
    async fn a_proxy_username_is_found_through_its_index() {
        let (_dir, db) = crate::store::scratch_db().await;
        let mut lookup = super::super::select::Built::new("SELECT id FROM users WHERE proxy_username = $1");
        lookup.bind("ada");
        let steps = crate::store::query_plan(&db, &lookup).await;
        crate::store::assert_seeks(&steps, "users_by_proxy_username");
    }
}
