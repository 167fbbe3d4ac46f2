//! Demo content for development, so a new checkout shows a living feed.

use crate::auth::password;
use crate::{now, DomainError, Mublog};

/// Every demo account signs in with this password (development only).
pub const DEMO_PASSWORD: &str = "mublog-demo";
const DEMO_USERS: [(&str, &str); 5] = [
    ("ada@example.com", "Ada"),
    ("grace@example.com", "Grace"),
    ("linus@example.com", "Linus"),
    ("margaret@example.com", "Margaret"),
    ("ken@example.com", "Ken"),
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
    for (email, name) in DEMO_USERS {
        if let crate::store::Inserted::New(u) = db.insert_user(email, name, &hash, start).await? {
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
