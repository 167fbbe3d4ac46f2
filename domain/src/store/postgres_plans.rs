//! PostgreSQL's plans for every list a page runs, on tables of a million rows: each must walk
//! an index to its first row and stop at the limit, never read a whole table or sort one.
//! (SQLite's plans are checked beside each query.)

use super::select::{Built, Value};
use super::{audit, jobs, likes, live, moderation, posts, request_log, Db, Dialect};
use super::{PostSelection, RequestSelection, UserSelection};
use shared::{PostId, UserId};

const ROWS: i64 = 1_000_000;

/// A million users, posts, likes, sign-ins, jobs, logged requests and audit rows. The values
/// the filters pick (staff, deactivated, unverified, hidden, dead jobs, server errors) are as
/// rare as on a real site: a filter on a common value rightly walks the primary key.
async fn fill(db: &Db) {
    let statements = [
        "INSERT INTO users (email, display_name, handle, password_hash, created_at, email_verified_at,
                            is_staff, deactivated_at)
         SELECT 'user' || i || '@example.com', 'User ' || i, 'user' || i, 'x', 1700000000 + i,
                CASE WHEN i % 100 <> 0 THEN 1 END, i % 10000 = 0, CASE WHEN i % 5000 = 0 THEN 1 END
         FROM generate_series(1, $1) i",
        "INSERT INTO posts (author_id, body, created_at, hidden_at)
         SELECT 1 + i * 7919 % $1, 'post ' || i || ' about ' || (ARRAY['rust', 'sqlite', 'postgres', 'leptos'])[1 + i % 4],
                1700000000 + i, CASE WHEN i % 10000 = 0 THEN 1 END
         FROM generate_series(1, $1) i",
        // Counts are not what these plans read: the trigger would double the load's time.
        "ALTER TABLE likes DISABLE TRIGGER likes_count",
        "INSERT INTO likes (post_id, user_id, created_at) SELECT i, 1 + i % 1000, 0 FROM generate_series(1, $1) i",
        "ALTER TABLE likes ENABLE TRIGGER likes_count",
        "INSERT INTO refresh_families (user_id, created_at, expires_at, last_used_at)
         SELECT 1 + i % 100000, i, i + 2592000, i FROM generate_series(1, $1) i",
        "INSERT INTO jobs (kind, payload, state, max_attempts, run_at, created_at, finished_at, last_error)
         SELECT 'send_verification', '{}',
                CASE i % 1000 WHEN 3 THEN 'dead' WHEN 4 THEN 'queued' ELSE 'done' END, 5, i, i, i,
                CASE WHEN i % 1000 IN (3, 4) THEN 'boom' END
         FROM generate_series(1, $1) i",
        "INSERT INTO request_log (at, method, path, route, status, duration_us, user_id, client_ip, user_agent)
         SELECT 1700000000 + i / 10, 'GET', '/posts/' || (i % 5000),
                CASE WHEN i % 1000 = 1 THEN '/admin' ELSE '/posts/{id}' END,
                CASE WHEN i % 1000 = 0 THEN 500 ELSE 200 END, i % 9000, 1 + i % 100000, '192.0.2.1', 'x'
         FROM generate_series(1, $1) i",
        "INSERT INTO audit_log (at, actor_id, action, target_type, target_id)
         SELECT i, 1, 'hide_post', 'post', i FROM generate_series(1, $1) i",
        "ANALYZE",
    ];
    let super::Backend::Postgres(pool) = &db.backend else { unreachable!("a PostgreSQL test") };
    for statement in statements {
        let query = sqlx::query(statement);
        let query = if statement.contains("$1") { query.bind(ROWS) } else { query };
        query.execute(pool).await.unwrap_or_else(|e| panic!("{e}: {statement}"));
    }
}

/// Every plan node, depth first: `(node type, relation, index)`.
fn nodes(plan: &serde_json::Value, out: &mut Vec<(String, String, String)>) {
    let text = |key: &str| plan[key].as_str().unwrap_or_default().to_owned();
    out.push((text("Node Type"), text("Relation Name"), text("Index Name")));
    for child in plan["Plans"].as_array().into_iter().flatten() {
        nodes(child, out);
    }
}

async fn plan_of(db: &Db, q: &Built) -> Vec<(String, String, String)> {
    let super::Backend::Postgres(pool) = &db.backend else { unreachable!("a PostgreSQL test") };
    let sql = format!("EXPLAIN (FORMAT JSON) {}", q.text());
    let (explained,): (serde_json::Value,) =
        super::select::bind_values!(sqlx::query_as(&sql), q).fetch_one(pool).await.unwrap();
    let mut out = Vec::new();
    nodes(&explained[0]["Plan"], &mut out);
    out
}

fn int(value: i64) -> Value {
    Value::Int(Some(value))
}

/// The lists, each as the page runs it: `(what, statement, the index it must walk)`.
fn lists() -> Vec<(String, Built, &'static str)> {
    let d = Dialect::Postgres;
    let mut lists = Vec::new();
    let cursor = int(ROWS / 2);
    for (by_author, search, through) in [
        (false, false, "posts_pkey"),
        (true, false, "posts_by_author"),
        (false, true, "posts_body_trigrams"),
        (true, true, "posts_by_author"),
    ] {
        let search_value =
            if search { Value::Text(Some(posts::contains_pattern("123456 about"))) } else { int(0) };
        let values = vec![int(7), int(42), cursor.clone(), int(21), search_value];
        let mut values = values;
        if !search {
            values.pop();
        }
        let q = Built::with_values(posts::list_posts_sql(d, by_author, search), values);
        lists.push((format!("feed by_author={by_author} search={search}"), q, through));
    }
    let users = |s: UserSelection<'static>| moderation::users_sql(d, &s, 51);
    let rare = |s: UserSelection<'static>| UserSelection { before: Some(ROWS / 2), ..s };
    lists.push(("users".into(), users(rare(UserSelection::default())), "users_pkey"));
    lists.push((
        "staff".into(),
        users(rare(UserSelection { staff: Some(true), ..Default::default() })),
        "users_staff",
    ));
    lists.push((
        "deactivated".into(),
        users(rare(UserSelection { active: Some(false), ..Default::default() })),
        "users_deactivated",
    ));
    lists.push((
        "unverified".into(),
        users(rare(UserSelection { verified: Some(false), ..Default::default() })),
        "users_unverified",
    ));
    lists.push((
        "user search".into(),
        users(rare(UserSelection { search: Some("user12345"), ..Default::default() })),
        "trigrams",
    ));
    let posts = |s: PostSelection<'static>| moderation::posts_sql(d, &s, 51);
    lists.push(("admin posts".into(), posts(PostSelection::default()), "posts_pkey"));
    lists.push((
        "admin posts by author".into(),
        posts(PostSelection { author: Some(UserId(7)), ..Default::default() }),
        "posts_by_author",
    ));
    lists.push((
        "hidden posts".into(),
        posts(PostSelection { hidden: Some(true), ..Default::default() }),
        "posts_hidden",
    ));
    lists.push((
        "posts of a week".into(),
        posts(PostSelection { created: (Some(1_700_100_000), Some(1_700_700_000)), ..Default::default() }),
        "posts_by_time",
    ));
    let requests = |s: RequestSelection<'static>| request_log::requests_sql(&s, 51);
    lists.push(("requests".into(), requests(RequestSelection::default()), "request_log_pkey"));
    lists.push((
        "requests by status".into(),
        requests(RequestSelection { status: Some(500), ..Default::default() }),
        "request_log_by_status",
    ));
    lists.push((
        "requests by user".into(),
        requests(RequestSelection { user: Some(UserId(9)), ..Default::default() }),
        "request_log_by_user",
    ));
    lists.push((
        "requests by path".into(),
        requests(RequestSelection { path: Some("/posts/17"), ..Default::default() }),
        "request_log_by_path",
    ));
    lists.push((
        "requests by route".into(),
        requests(RequestSelection { route: Some("/admin"), ..Default::default() }),
        "request_log_by_route",
    ));
    lists.push((
        "requests of an hour".into(),
        requests(RequestSelection { at: (Some(1_700_050_000), Some(1_700_053_600)), ..Default::default() }),
        "request_log_by_time",
    ));
    let counts = Built::with_values(request_log::status_counts_sql(d), vec![int(1_700_099_000)]);
    lists.push(("status counts".into(), counts, "request_log_by_time"));
    for (state, through) in
        [(None, "jobs_pkey"), (Some("dead"), "jobs_by_state"), (Some("failed"), "jobs_by_state")]
    {
        let values = vec![Value::Text(state.map(str::to_owned)), int(ROWS / 2), int(51)];
        let q = Built::with_values(jobs::select_jobs_sql(state), values);
        lists.push((format!("jobs {state:?}"), q, through));
    }
    let audit = Built::with_values(audit::AUDIT_TRAIL_SQL, vec![int(ROWS / 2), int(51)]);
    lists.push(("audit trail".into(), audit, "audit_log_pkey"));
    let batch: Vec<likes::Keyed> = (1..=3).map(|n| ((PostId(n), UserId(n)), (true, 0))).collect();
    lists.push(("like batch".into(), likes::insert_likes_sql(&batch), "posts_pkey"));
    lists.push(("unlike batch".into(), likes::delete_likes_sql(&batch), "likes_pkey"));
    lists.push(("like counts".into(), likes::counts_sql(&[PostId(1), PostId(2)]), "posts_pkey"));
    lists.push(("live posts".into(), live::live_posts_sql(&[PostId(1), PostId(2)]), "posts_pkey"));
    let after = PostId(ROWS - 1_000);
    lists.push(("posts after".into(), live::posts_after_sql(after, None, 100), "posts_pkey"));
    let by_author = live::posts_after_sql(after, Some(UserId(7)), 100);
    lists.push(("posts after, by an author".into(), by_author, "posts_by_author"));
    lists
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_walks_an_index_on_a_million_rows() {
    let (_guard, db) = super::postgres_scratch_db().await;
    fill(&db).await;
    let large = ["users", "posts", "likes", "refresh_families", "jobs", "request_log", "audit_log"];
    let mut wrong = Vec::new();
    for (what, q, through) in lists() {
        let plan = plan_of(&db, &q).await;
        let seq_scan =
            plan.iter().any(|(node, relation, _)| node == "Seq Scan" && large.contains(&relation.as_str()));
        // A search may sort its matches (found through the trigram index), and a count its
        // groups; nothing may sort a table.
        let searched = plan.iter().any(|(_, _, index)| index.ends_with("_trigrams"));
        let sorts_groups = |i: usize| plan.get(i + 1).is_some_and(|(node, ..)| node == "Aggregate");
        let sort = !searched && (0..plan.len()).any(|i| plan[i].0 == "Sort" && !sorts_groups(i));
        let walks = plan.iter().any(|(_, _, index)| index.contains(through));
        if seq_scan || sort || !walks {
            wrong.push(format!(
                "{what} (seq scan {seq_scan}, sort {sort}, through {through} {walks}): {plan:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
