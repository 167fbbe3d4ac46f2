//! What operators do from the command line: create staff accounts, dump and load content.

use crate::auth::password;
use crate::store::{Db, Dump, Inserted, NewUser, DUMP_FORMAT};
use crate::{now, DomainError, Mublog};
use shared::{validate, FieldError, Me};

impl Mublog {
    /// A verified staff account (Django's `createsuperuser`). The password policy applies.
    pub async fn create_superuser(&self, email: &str, password_text: &str) -> Result<Me, DomainError> {
        let email = validate::email(email)?;
        password::check_policy(password_text)?;
        let name = validate::display_name(None, &email)?;
        let hash = password::hash(&self.hashing, password_text.to_owned()).await?;
        let mut tx = self.db.begin().await?;
        let mut candidates = crate::auth::handle_candidates(&email);
        let user = loop {
            let handle = candidates.next().ok_or_else(|| DomainError::Internal("no free handle".into()))?;
            let new = NewUser { email: &email, display_name: &name, handle: &handle, password_hash: &hash };
            match Db::insert_user(&mut tx, new, now()).await? {
                Inserted::New(user) => break user,
                Inserted::Duplicate => {
                    return Err(FieldError::new("email", "An account with this email exists.").into())
                }
                Inserted::HandleTaken => continue,
            }
        };
        Db::set_staff_in(&mut tx, user.id, true).await?;
        tx.commit().await?;
        self.db.mark_email_verified(user.id, now()).await?;
        tracing::info!(user = %user.id, "staff account created");
        self.me(user.id).await
    }

    pub async fn export(&self) -> Result<Dump, DomainError> {
        Ok(self.db.export().await?)
    }

    /// Loads a dump into an empty database; refuses to mix it with existing content.
    pub async fn import(&self, dump: &Dump) -> Result<(), DomainError> {
        if dump.format != DUMP_FORMAT {
            return Err(FieldError::new("format", format!("unknown dump format {}", dump.format)).into());
        }
        // Image columns become file names: a dump must not smuggle in a path.
        for post in &dump.posts {
            let image = &post.image;
            let names_ok = match (&image.image_key, &image.image_ext) {
                (None, None) => image.image_sizes.is_none(),
                (Some(key), Some(ext)) => {
                    crate::media::content_type(&crate::media::file_name(key, ext, None)).is_some()
                        && image.image_sizes.as_deref().is_none_or(|sizes| {
                            sizes.split(',').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
                        })
                }
                _ => false,
            };
            if !names_ok {
                let detail = format!(
                    "post {}: its image_key, image_ext or image_sizes is not one mublog generates",
                    post.id
                );
                return Err(FieldError::new("posts", detail).into());
            }
        }
        if !self.db.is_empty().await? {
            return Err(
                FieldError::new("database", "the database is not empty; import into a new one").into()
            );
        }
        Ok(self.db.import(dump).await?)
    }
}
