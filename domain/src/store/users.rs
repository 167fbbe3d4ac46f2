use super::{is_unique_violation, Db};
use shared::{Me, UserId, UserView};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_staff: bool,
}

impl UserRow {
    pub fn me(&self) -> Me {
        Me { id: self.id, display_name: self.display_name.clone(), email: self.email.clone() }
    }

    pub fn view(&self) -> UserView {
        UserView { id: self.id, display_name: self.display_name.clone() }
    }
}

pub enum Inserted<T> {
    New(T),
    Duplicate,
}

impl Db {
    pub async fn insert_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Inserted<UserRow>, sqlx::Error> {
        let row = sqlx::query_as::<_, UserRow>(
            "INSERT INTO users (email, display_name, password_hash, created_at)
             VALUES (?, ?, ?, ?)
             RETURNING id, email, display_name, password_hash, is_staff",
        )
        .bind(email)
        .bind(display_name)
        .bind(password_hash)
        .bind(now)
        .fetch_one(self.pool())
        .await;
        match row {
            Ok(user) => Ok(Inserted::New(user)),
            Err(e) if is_unique_violation(&e) => Ok(Inserted::Duplicate),
            Err(e) => Err(e),
        }
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT id, email, display_name, password_hash, is_staff FROM users WHERE email = ?")
            .bind(email)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT id, email, display_name, password_hash, is_staff FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn set_display_name(&self, id: UserId, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET display_name = ? WHERE id = ?")
            .bind(name)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
