// The live updates' load test (run by scripts/bench-live): many readers hold a live stream
// open while likes are written at a steady rate, first without readers (the baseline), then
// with them. Prints the likes' latency in both phases, and the delivery latency from the
// moment a like is sent to the moment each reader watching its post hears the new count.
// The writer runs on a thread of its own, so the readers' work does not delay its clock.
// Node's standard library only.
//
//   node scripts/live_load.mjs http://127.0.0.1:3901 --clients 2000 --rate 200 --seconds 20
import fs from "node:fs";
import os from "node:os";
import http from "node:http";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const POSTS = 200;
const PAGE = 20;
// The most likes one post gets in a run (one per user).
const CAP = 1000;
const clock = () => performance.timeOrigin + performance.now();

function call(agent, base, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, agent,
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

if (isMainThread) {
  await readers();
} else {
  await writer();
}

/** The writer: on each `{ phase }` message, RATE likes a second for SECONDS; answers with
 * their latencies. Each like's sending time goes to the shared table the readers read. */
async function writer() {
  const { base, rate, seconds, tokens, postIds, times, counts } = workerData;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(base);
  const sent = new Float64Array(times);
  const liked = new Int32Array(counts);
  parentPort.on("message", async () => {
    const latencies = [];
    let failures = 0;
    const every = 1000 / rate;
    const start = performance.now();
    const pending = [];
    for (let i = 0; i < rate * seconds; i += 1) {
      const wait = start + i * every - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const index = Math.floor(Math.random() * postIds.length);
      const n = liked[index];
      if (n >= Math.min(CAP, tokens.length)) continue;
      liked[index] = n + 1;
      const started = performance.now();
      sent[index * CAP + n] = clock();
      pending.push(call(agent, url, "PUT", `/api/v1/posts/${postIds[index]}/like`, undefined,
        { authorization: `Bearer ${tokens[n]}` }).then(
        (answer) => { if (answer.status !== 200) failures += 1; latencies.push(performance.now() - started); },
        () => { failures += 1; }));
    }
    await Promise.all(pending);
    parentPort.postMessage({ latencies, failures });
  });
}

async function readers() {
  const args = process.argv.slice(2);
  const base = args[0];
  const BASE = new URL(base);
  const option = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const CLIENTS = option("clients", 2000);
  const RATE = option("rate", 200);
  const SECONDS = option("seconds", 20);
  const USERS = option("users", 300);
  const SERVER_PID = option("server-pid", 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  // Each user signs in once, from an address of their own (the server trusts this proxy).
  const tokens = [];
  for (let n = 1; n <= USERS; n += 1) {
    const answer = await call(agent, BASE, "POST", "/api/v1/token",
      { email: `seed${n}@example.com`, password: "mublog-demo" }, { "x-forwarded-for": `10.9.${n >> 8}.${n & 255}` });
    if (answer.status !== 200) throw new Error(`sign-in of seed${n}: ${answer.status}`);
    tokens.push(answer.json.access_token);
  }
  // The newest 200 posts, in ten pages of 20: each reader watches one page, as the feed does.
  const posts = [];
  let cursor = "";
  while (posts.length < POSTS) {
    const page = await call(agent, BASE, "GET", `/api/v1/posts?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    posts.push(...page.json.posts);
    cursor = page.json.next_cursor;
  }
  posts.length = POSTS;
  const indexOf = new Map(posts.map((p, i) => [p.id, i]));
  const initial = posts.map((p) => p.like_count);
  const times = new SharedArrayBuffer(POSTS * CAP * 8);
  const counts = new SharedArrayBuffer(POSTS * 4);
  const sent = new Float64Array(times);
  const liked = new Int32Array(counts);
  const write = new Worker(new URL(import.meta.url), {
    workerData: { base, rate: RATE, seconds: SECONDS, tokens, postIds: posts.map((p) => p.id), times, counts },
  });
  const phase = () => new Promise((resolve) => { write.once("message", resolve); write.postMessage("go"); });
  // The readers stand in for phones elsewhere; here they share the server's two cores. Their
  // thread (this one; Linux sets priorities per thread, and the writer's thread, made above,
  // keeps its own) yields to the server and the writer, so the likes' latency shows what
  // serving the streams costs, not what simulating the phones costs.
  if (process.env.READERS_NICE) os.setPriority(Number(process.env.READERS_NICE));

  // CPU seconds used by the server (utime + stime, in ticks of 1/100 s) and by this process.
  const serverCpu = () => {
    if (!SERVER_PID) return NaN;
    const fields = fs.readFileSync(`/proc/${SERVER_PID}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const measured = async () => {
    const [server, own] = [serverCpu(), ownCpu()];
    const outcome = await phase();
    return { ...outcome, cpu: { server: serverCpu() - server, load_client: ownCpu() - own } };
  };

  const baseline = await measured();

  // The readers.
  const delivery = [];
  let events = 0;
  let streamErrors = 0;
  let streaming = false;
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
            const now = clock();
            const index = indexOf.get(event.post_id);
            const before = reader.heard.get(event.post_id);
            if (before !== undefined && streaming) {
              // Every like between the count it had and this one has now reached this reader.
              for (let count = before + 1; count <= event.like_count; count += 1) {
                const at = sent[index * CAP + count - initial[index] - 1];
                if (at) delivery.push(now - at);
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

  // The same likes with every reader listening.
  streaming = true;
  const eventsBefore = events;
  const streamingStart = performance.now();
  const withReaders = await measured();
  const streamingSeconds = (performance.now() - streamingStart) / 1000;
  await new Promise((r) => setTimeout(r, 1500));

  // Every reader ends with every watched post's final count: nothing lost, nothing stale.
  let stale = 0;
  let closed = 0;
  for (const reader of readers) {
    if (reader.closed) closed += 1;
    for (const [id, count] of reader.heard) if (count !== initial[indexOf.get(id)] + liked[indexOf.get(id)]) stale += 1;
  }

  const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  const summary = (samples) => {
    const sorted = Float64Array.from(samples).sort();
    const ms = (x) => `${x.toFixed(1)} ms`;
    return { p50: ms(percentile(sorted, 0.5)), p99: ms(percentile(sorted, 0.99)), max: ms(sorted[sorted.length - 1]), n: sorted.length };
  };
  const p99 = (samples) => Float64Array.from(samples).sort()[Math.floor(samples.length * 0.99)];
  const cpu = (phase) => ({ server: Number(phase.cpu.server.toFixed(1)), load_client: Number(phase.cpu.load_client.toFixed(1)) });
  console.log(JSON.stringify({
    clients: CLIENTS, likes_per_second: RATE, seconds: SECONDS,
    streams_opened_in_s: Number(openSeconds.toFixed(1)), stream_errors: streamErrors, streams_closed_early: closed,
    events_per_second: Math.round((events - eventsBefore) / streamingSeconds),
    like_latency_without_readers: summary(baseline.latencies),
    like_latency_with_readers: summary(withReaders.latencies),
    like_p99_ratio: Number((p99(withReaders.latencies) / p99(baseline.latencies)).toFixed(2)),
    like_failures: baseline.failures + withReaders.failures,
    delivery_latency: summary(delivery),
    stale_counts_at_end: stale,
    cpu_seconds: { baseline: cpu(baseline), streaming: cpu(withReaders) },
  }, null, 2));
  process.exit(0);
}
