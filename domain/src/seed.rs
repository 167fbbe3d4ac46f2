//! Demo content for development, so a new checkout shows a living feed.

use crate::auth::password;
use crate::store::{Db, Inserted, NewUser, ProfileChange};
use crate::{now, DomainError, Mublog};

/// Every demo account signs in with this password (development only).
pub const DEMO_PASSWORD: &str = "mublog-demo";
/// Email, handle, first and last name. Demo accounts are verified and their profiles set up.
const DEMO_USERS: [(&str, &str, &str, &str); 5] = [
    ("ada@example.com", "ada", "Ada", "Lovelace"),
    ("grace@example.com", "grace", "Grace", "Hopper"),
    ("linus@example.com", "linus", "Linus", "Torvalds"),
    ("margaret@example.com", "margaret", "Margaret", "Hamilton"),
    ("ken@example.com", "ken", "Ken", "Thompson"),
];
const DEMO_LINES: [&str; 10] = [
    "Shipped a tiny fix today and it felt enormous.",
    "Hot take: the best code is the code you deleted.",
    "Reading about keyset pagination. OFFSET, we need to talk.",
    "Coffee, compiler, repeat.",
    "Rewrote it in Rust. It was worth it this time.",
    "If a test cannot fail, is it even a test?",
    "Today I learned SQLite can do window functions.",
    "Tabs vs spaces is settled: whatever rustfmt says.",
    "A good error message is a love letter to your future self.",
    "Small commits, big smiles.",
];
const DEMO_POSTS: usize = 50;
/// Seconds between demo posts: 50 of them fill the three days before the last hour.
const DEMO_POST_SPACING: i64 = (3 * 24 * 3600 - 3600) / DEMO_POSTS as i64;
/// The demo account that can try the staff admin at `/admin`.
pub const DEMO_STAFF: &str = "margaret@example.com";

/// Seeds users, ~50 posts spread over the last days, and likes. Only call on an empty database.
pub async fn seed_demo(app: &Mublog) -> Result<(), DomainError> {
    let db = app.db();
    // One hash for all demo users keeps seeding fast; these accounts guard nothing.
    let hash = password::hash(&app.hashing, DEMO_PASSWORD.to_owned()).await?;
    let start = now() - 3 * 24 * 3600;
    let mut ids = Vec::new();
    for (email, handle, first_name, last_name) in DEMO_USERS {
        let mut tx = db.begin().await?;
        let user = NewUser { email, display_name: first_name, handle, password_hash: &hash };
        let inserted = Db::insert_user(&mut tx, user, start).await?;
        if let (Inserted::New(u), DEMO_STAFF) = (&inserted, email) {
            Db::set_staff_in(&mut tx, u.id, true).await?;
        }
        tx.commit().await?;
        if let Inserted::New(u) = inserted {
            let names = ProfileChange {
                first_name: Some(first_name),
                last_name: Some(last_name),
                ..ProfileChange::default()
            };
            db.update_profile(u.id, names).await?;
            db.mark_email_verified(u.id, start).await?;
            ids.push(u.id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    for i in 0..DEMO_POSTS {
        let author = ids[i % ids.len()];
        let body = format!("{} (#{})", DEMO_LINES[i % DEMO_LINES.len()], i + 1);
        // Spread over the three days up to an hour ago, so none is dated in the future.
        let at = start + (i as i64) * DEMO_POST_SPACING + (i as i64 * 37 % 600);
        let post = db.insert_post(author, &body, at).await?;
        // A deterministic spread of likes: some posts popular, some not.
        for (j, liker) in ids.iter().enumerate() {
            if (i + j * 3) % 4 != 0 {
                db.set_like(*liker, post, true, at + 60).await?;
            }
        }
    }
    tracing::info!(users = ids.len(), posts = DEMO_POSTS, "seeded demo content");
    Ok(())
}

const FIRST_NAMES: [&str; 12] = [
    "Ada",
    "Alan",
    "Barbara",
    "Dennis",
    "Edsger",
    "Frances",
    "Grace",
    "John",
    "Katherine",
    "Leslie",
    "Radia",
    "Tim",
];
const LAST_NAMES: [&str; 10] = [
    "Lovelace", "Turing", "Liskov", "Ritchie", "Dijkstra", "Allen", "Hopper", "McCarthy", "Johnson",
    "Lamport",
];
const WORDS: [&str; 24] = [
    "shipping",
    "coffee",
    "rust",
    "tests",
    "deploy",
    "keyset",
    "pagination",
    "sqlite",
    "refactor",
    "review",
    "lunch",
    "bug",
    "feature",
    "today",
    "finally",
    "again",
    "tiny",
    "huge",
    "release",
    "docs",
    "hydration",
    "wasm",
    "queue",
    "index",
];

/// What `seed_at_scale` created.
pub struct Seeded {
    pub users: u64,
    pub posts: u64,
    pub likes: u64,
}

/// `mublog seed --users N --posts N [--likes N]`: realistic content at scale, in one
/// transaction. Users are verified, sign in with [`DEMO_PASSWORD`], and are named
/// `seed{n}@example.com`; posts spread over the last 30 days, with a few likes each, or with
/// `likes` spread evenly over them (each post liked by distinct users, at most one per user).
pub async fn seed_at_scale(
    app: &Mublog,
    users: u64,
    posts: u64,
    likes: Option<u64>,
) -> Result<Seeded, DomainError> {
    use rand::Rng;
    let db = app.db();
    let hash = password::hash(&app.hashing, DEMO_PASSWORD.to_owned()).await?;
    let now = now();
    let start = now - 30 * 24 * 3600;
    let mut rng = rand::thread_rng();
    let mut tx = db.begin().await?;
    let first_id = db.next_user_id().await?;
    let mut ids = Vec::with_capacity(users as usize);
    for n in first_id..first_id + users as i64 {
        let (first, last) = (
            FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
            LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())],
        );
        let (email, handle) = (format!("seed{n}@example.com"), format!("seed{n}"));
        let user = NewUser {
            email: &email,
            display_name: &format!("{first} {last}"),
            handle: &handle,
            password_hash: &hash,
        };
        if let Inserted::New(u) = Db::insert_user(&mut tx, user, start).await? {
            Db::seed_profile(&mut tx, u.id, first, last, start).await?;
            ids.push(u.id);
        }
    }
    if ids.is_empty() {
        return Ok(Seeded { users: 0, posts: 0, likes: 0 });
    }
    let likes_of = |i: u64, rng: &mut rand::rngs::ThreadRng| match likes {
        Some(total) => (total / posts.max(1) + u64::from(i < total % posts.max(1))) as usize,
        None => rng.gen_range(0..4),
    };
    let mut liked = 0;
    for i in 0..posts {
        let author = ids[rng.gen_range(0..ids.len())];
        let words: Vec<&str> =
            (0..rng.gen_range(3..20)).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect();
        let at = start + (i as i64 * 30 * 24 * 3600) / posts.max(1) as i64;
        let id = Db::insert_post_in(&mut tx, author, &words.join(" "), &Default::default(), at).await?;
        let count = likes_of(i, &mut rng).min(ids.len());
        for liker in rand::seq::index::sample(&mut rng, ids.len(), count) {
            liked += Db::seed_like(&mut tx, id, ids[liker], at + 60).await?;
        }
    }
    tx.commit().await?;
    Ok(Seeded { users: ids.len() as u64, posts, likes: liked })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccessTokens, Mailer, MediaStore};

    /// Demo content lies in the past: a new checkout's feed reads "3d", "1h" and so on, never
    /// a wall of "now" for posts dated days ahead.
    #[tokio::test]
    async fn demo_posts_are_dated_in_the_past() {
        let (dir, db) = crate::store::scratch_db().await;
        let mailer = Mailer::new(None, &dir.path().join("outbox"), "mublog <noreply@example.com>").unwrap();
        let media = MediaStore::local(dir.path().join("media")).unwrap();
        let app = Mublog::new(
            db,
            AccessTokens::new(b"demo-seed-test-secret-0123456789"),
            mailer,
            media,
            "http://x",
        );
        seed_demo(&app).await.unwrap();
        let (count, newest, oldest): (i64, i64, i64) =
            sqlx::query_as("SELECT COUNT(*), MAX(created_at), MIN(created_at) FROM posts")
                .fetch_one(app.db().pool())
                .await
                .unwrap();
        let now = now();
        assert_eq!(count, DEMO_POSTS as i64);
        assert!(newest <= now - 1800, "the newest demo post is {}s ahead of now", newest - now);
        assert!(oldest >= now - 3 * 24 * 3600 - 60, "the oldest is about three days old");
    }
}
