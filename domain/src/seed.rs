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

/// Seeds users, ~50 posts spread over the last days, and likes. Only call on an empty database.
pub async fn seed_demo(app: &Mublog) -> Result<(), DomainError> {
    let db = app.db();
    // One hash for all demo users keeps seeding fast; these accounts guard nothing.
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let start = now() - 3 * 24 * 3600;
    let mut ids = Vec::new();
    for (email, handle, first_name, last_name) in DEMO_USERS {
        let mut tx = db.begin().await?;
        let user = NewUser { email, display_name: first_name, handle, password_hash: &hash };
        let inserted = Db::insert_user(&mut tx, user, start).await?;
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
        let at = start + (i as i64) * 4 * 3600 + (i as i64 * 37 % 3600);
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
