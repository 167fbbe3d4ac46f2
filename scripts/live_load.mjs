// The live updates' load test (run by scripts/bench-live): many readers hold a live stream
// open while likes are written at a steady rate, first without readers (the baseline), then
// with them. Prints the likes' latency in both phases, and the delivery latency from the
// moment a like is sent to the moment each reader watching its post hears the new count.
// Node's standard library only.
//
//   node scripts/live_load.mjs http://127.0.0.1:3901 --clients 2000 --rate 200 --seconds 20
import http from "node:http";

const args = process.argv.slice(2);
const BASE = new URL(args[0]);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const CLIENTS = option("clients", 2000);
const RATE = option("rate", 200);
const SECONDS = option("seconds", 20);
const USERS = option("users", 300);
const POSTS = 200;
const PAGE = 20;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: BASE.hostname, port: BASE.port, method, path, agent,
        headers: { ...headers, ...(data ? { "content-type": "application/json" } : {}) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
const summary = (samples) => {
  const sorted = Float64Array.from(samples).sort();
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] };
};
const ms = (x) => `${x.toFixed(1)} ms`;

// Each user signs in once, from an address of their own (the server trusts this loopback proxy).
const tokens = [];
for (let n = 1; n <= USERS; n += 1) {
  const client = `10.9.${n >> 8}.${n & 255}`;
  const answer = await call("POST", "/api/v1/token", { email: `seed${n}@example.com`, password: "mublog-demo" },
    { "x-forwarded-for": client });
  if (answer.status !== 200) throw new Error(`sign-in of seed${n}: ${answer.status}`);
  tokens.push(answer.json.access_token);
}

// The newest 200 posts, in ten pages of 20: each reader watches one page, as the feed does.
const posts = [];
let cursor = "";
while (posts.length < POSTS) {
  const page = await call("GET", `/api/v1/posts?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
  posts.push(...page.json.posts);
  cursor = page.json.next_cursor;
}
posts.length = POSTS;
const initial = new Map(posts.map((p) => [p.id, p.like_count]));
// When each post's n-th like of this run was sent: the n-th like makes its count initial + n.
const sent = new Map(posts.map((p) => [p.id, []]));
const likers = new Map(posts.map((p) => [p.id, 0]));

let phase = "baseline";
const likeLatency = { baseline: [], streaming: [] };
let likeFailures = 0;

async function like() {
  const post = posts[Math.floor(Math.random() * POSTS)].id;
  const user = likers.get(post);
  if (user >= USERS) return;
  likers.set(post, user + 1);
  const started = performance.now();
  sent.get(post).push(started);
  const own = phase;
  try {
    const answer = await call("PUT", `/api/v1/posts/${post}/like`, undefined, { authorization: `Bearer ${tokens[user]}` });
    if (answer.status !== 200) likeFailures += 1;
    likeLatency[own].push(performance.now() - started);
  } catch {
    likeFailures += 1;
  }
}

async function writeFor(seconds) {
  const every = 1000 / RATE;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < RATE * seconds; i += 1) {
    const due = start + i * every;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(like());
  }
  await Promise.all(pending);
}

// Phase 1: likes alone.
await writeFor(SECONDS);

// The readers.
const delivery = [];
let events = 0;
let streamErrors = 0;
const readers = [];
function openReader(index) {
  const page = posts.slice((index % (POSTS / PAGE)) * PAGE, (index % (POSTS / PAGE) + 1) * PAGE).map((p) => p.id);
  const reader = { heard: new Map(), synced: false };
  readers.push(reader);
  return new Promise((resolve) => {
    const req = http.get({ host: BASE.hostname, port: BASE.port, path: `/api/v1/events?posts=${page.join(",")}`,
      headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) { streamErrors += 1; resolve(); return; }
      res.setEncoding("utf8");
      let unread = "";
      res.on("data", (chunk) => {
        unread += chunk;
        let end;
        while ((end = unread.indexOf("\n\n")) >= 0) {
          const block = unread.slice(0, end);
          unread = unread.slice(end + 2);
          const data = block.split("\n").find((line) => line.startsWith("data:"));
          if (!data) continue;
          const event = JSON.parse(data.slice(5));
          events += 1;
          if (event.type === "synced") { reader.synced = true; resolve(); continue; }
          if (event.type !== "likes") continue;
          const now = performance.now();
          const before = reader.heard.get(event.post_id);
          if (before !== undefined && reader.synced && phase === "streaming") {
            // Every like between the count it had and this one has now reached this reader.
            const times = sent.get(event.post_id);
            for (let count = before + 1; count <= event.like_count; count += 1) {
              const at = times[count - initial.get(event.post_id) - 1];
              if (at !== undefined) delivery.push(now - at);
            }
          }
          reader.heard.set(event.post_id, Math.max(before ?? 0, event.like_count));
        }
      });
      res.on("error", () => { streamErrors += 1; });
      res.on("close", () => { reader.closed = true; });
    });
    req.on("error", () => { streamErrors += 1; resolve(); });
  });
}
const opened = performance.now();
for (let i = 0; i < CLIENTS; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, (_, k) => openReader(i + k)));
}
const openSeconds = (performance.now() - opened) / 1000;

// Phase 2: the same likes with every reader listening.
phase = "streaming";
const eventsBefore = events;
const streamingStart = performance.now();
await writeFor(SECONDS);
const streamingSeconds = (performance.now() - streamingStart) / 1000;
await new Promise((r) => setTimeout(r, 1500));

// Every reader ends with every watched post's final count: nothing lost, nothing stale.
const finals = new Map();
for (const [id, times] of sent) finals.set(id, initial.get(id) + times.length);
let stale = 0;
let closed = 0;
for (const reader of readers) {
  if (reader.closed) closed += 1;
  for (const [id, count] of reader.heard) if (count !== finals.get(id)) stale += 1;
}

const base = summary(likeLatency.baseline);
const streaming = summary(likeLatency.streaming);
const heard = summary(delivery);
console.log(JSON.stringify({
  clients: CLIENTS, likes_per_second: RATE, seconds: SECONDS,
  streams_opened_in_s: Number(openSeconds.toFixed(1)), stream_errors: streamErrors, streams_closed_early: closed,
  events_per_second: Math.round((events - eventsBefore) / streamingSeconds),
  like_latency_without_readers: { p50: ms(base.p50), p99: ms(base.p99), n: base.n },
  like_latency_with_readers: { p50: ms(streaming.p50), p99: ms(streaming.p99), n: streaming.n },
  like_p99_ratio: Number((streaming.p99 / base.p99).toFixed(2)),
  like_failures: likeFailures,
  delivery_latency: { p50: ms(heard.p50), p99: ms(heard.p99), max: ms(heard.max), deliveries: heard.n },
  stale_counts_at_end: stale,
}, null, 2));
process.exit(0);
