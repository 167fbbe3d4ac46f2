//! The domain's rules, tested once, here: on a scratch SQLite file, through the same calls the
//! adapters make. The HTTP tests check only how adapters map these outcomes to answers.

mod live;
mod posts;
mod proxy;
mod sessions;

use crate::auth::FAMILY_TTL_SECS;
use crate::store::{Db, Inserted, NewUser};
use crate::{now, AccessTokens, Caller, DomainError, Mailer, MediaStore, Mublog};

/// A [`Mublog`] on its own database, mail outbox and media folder, removed when dropped.
pub(crate) struct Scratch {
    pub app: Mublog,
    _dir: tempfile::TempDir,
}

/// What a member may do besides reading.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Member {
    Unverified,
    Verified,
    Staff,
}

/// Three members signed in: see [`Scratch::cast`].
pub(crate) struct Cast {
    pub ada: Caller,
    pub grace: Caller,
    pub boss: Caller,
}

impl Scratch {
    pub async fn new() -> Scratch {
        let (dir, db) = crate::store::scratch_db().await;
        Scratch::on(db, dir)
    }

    /// A [`Mublog`] on `db`, with its outbox and media in `dir`.
    pub fn on(db: Db, dir: tempfile::TempDir) -> Scratch {
        let mailer = Mailer::new(None, &Mailer::outbox(dir.path()), "mublog <mail@example.com>").unwrap();
        let media = MediaStore::local(dir.path().join("media")).unwrap();
        let tokens = AccessTokens::new(b"a test key that is 32 bytes long");
        let app = Mublog::new(db, tokens, mailer, media, "http://mublog.test");
        Scratch { app, _dir: dir }
    }

    fn db(&self) -> &Db {
        self.app.db()
    }

    /// A new member, signed in on one device, as [`Mublog::caller`] sees them.
    pub async fn member(&self, handle: &str, kind: Member) -> Caller {
        let email = format!("{handle}@example.com");
        let mut tx = self.db().begin().await.unwrap();
        let new = NewUser { email: &email, display_name: handle, handle, password_hash: "unused" };
        let Inserted::New(user) = Db::insert_user(&mut tx, new, now()).await.unwrap() else {
            panic!("{handle} exists already");
        };
        if kind == Member::Staff {
            Db::set_staff_in(&mut tx, user.id, true).await.unwrap();
        }
        tx.commit().await.unwrap();
        if kind != Member::Unverified {
            self.db().mark_email_verified(user.id, now()).await.unwrap();
        }
        self.sign_in(user.id).await
    }

    /// The usual cast: ada and grace, verified members, and boss, staff.
    pub async fn cast(&self) -> Cast {
        let ada = self.member("ada", Member::Verified).await;
        Cast {
            ada,
            grace: self.member("grace", Member::Verified).await,
            boss: self.member("boss", Member::Staff).await,
        }
    }

    /// Another sign-in of an existing member.
    pub async fn sign_in(&self, user: shared::UserId) -> Caller {
        let token_hash = uuid::Uuid::new_v4().into_bytes();
        let family =
            self.db().insert_family(user, &token_hash, "test", now(), now() + FAMILY_TTL_SECS).await.unwrap();
        self.app.caller(&self.access_token(user, family.id)).await.unwrap()
    }

    pub fn access_token(&self, user: shared::UserId, session: shared::SessionId) -> String {
        self.app.tokens.issue(user, session, now()).unwrap()
    }
}

/// The name of a domain error's variant, for asserting which rule refused.
#[track_caller]
pub(crate) fn refusal<T: std::fmt::Debug>(result: Result<T, DomainError>) -> String {
    let error = result.expect_err("should be refused");
    format!("{error:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}
