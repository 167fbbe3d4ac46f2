"""The cluster's checks (run by scripts/test-cluster): two mublog instances on one PostgreSQL
database, with Redis and S3, behind nginx with the site config from deploy/. Every request
goes through nginx, over TLS; the test's nginx names the instance that served each answer in
`X-Served-By`, so each check knows which instance did what. Prints one line per check and
exits non-zero at the first that fails. Standard library only.
"""

import concurrent.futures
import http.client
import itertools
import json
import os
import re
import signal
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib

NGINX = ("127.0.0.1", int(os.environ["CLUSTER_NGINX_PORT"]))
INSTANCES = {f"127.0.0.1:{port}": pid for port, pid in
             zip(os.environ["CLUSTER_PORTS"].split(), os.environ["CLUSTER_PIDS"].split())}
DATABASE_URL = os.environ["DATABASE_URL"]
MAILDIR = os.environ["CLUSTER_MAILDIR"]
TLS = ssl.create_default_context(cafile=os.environ["CLUSTER_CERT"])
PASSWORD = "mublog-demo"


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self.served_by = headers.get("x-served-by", "")

    def json(self):
        return json.loads(self.body)


local = threading.local()


def request(method, path, body=None, token=None, client="198.51.100.1", headers=None):
    """One request through nginx on this thread's kept-alive connection; `client` is the
    address the request claims to come from (nginx on loopback is trusted to pass it on)."""
    all_headers = {"Host": "127.0.0.1", "X-Forwarded-For": client, **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    for attempt in range(2):
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPSConnection(*NGINX, context=TLS, timeout=30)
        try:
            local.conn.request(method, path, body=body, headers=all_headers)
            res = local.conn.getresponse()
            return Answer(res.status, {k.lower(): v for k, v in res.getheaders()}, res.read())
        except (ConnectionError, http.client.HTTPException):
            # nginx closed an idle kept-alive connection: open a new one, once.
            local.conn.close()
            local.conn = None
            if attempt:
                raise


class EventStream:
    """A live stream (server-sent events) through nginx, on a connection of its own."""

    def __init__(self, path):
        self.conn = http.client.HTTPSConnection(*NGINX, context=TLS, timeout=10)
        self.conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept": "text/event-stream"})
        self.res = self.conn.getresponse()
        check(self.res.status == 200, f"{path}: {self.res.status}")
        self.served_by = self.res.getheader("x-served-by", "")

    def next(self):
        """The next event's name and data (keep-alive comments skipped)."""
        name = data = None
        while True:
            line = self.res.readline().decode().rstrip("\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:])
            elif line == "" and name:
                return name, data

    def close(self):
        self.conn.close()


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", flush=True)
        sys.exit(1)


def served(answer, instance):
    return answer.served_by.split(",")[-1].strip() == instance


def steer_to(instance):
    """Cheap requests until nginx's round robin hands the next one to `instance`."""
    for _ in range(10):
        last = request("GET", "/api/version")
        if not served(last, instance):
            return
    check(False, f"nginx never left {instance}")


def sign_in(email, client, via=None):
    if via:
        steer_to(via)
    answer = request("POST", "/api/v1/token", {"email": email, "password": PASSWORD}, client=client)
    check(answer.status == 200, f"sign-in of {email}: {answer.status} {answer.body[:200]!r}")
    return answer


def psql(sql):
    out = subprocess.run(["psql", "-qAt", DATABASE_URL, "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def png(width, height):
    """A real PNG: a colour gradient (mublog re-encodes it)."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 7 % 256, y * 5 % 256, 90))
                    for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def populate():
    """Beside `mublog seed`'s users: 200 accounts whose verification mail is the jobs' work,
    and 20 likers (who sign in with the seeded password) with 100 posts."""
    psql("""INSERT INTO users (email, display_name, handle, password_hash, created_at)
            SELECT 'job' || i || '@example.com', 'Job ' || i, 'job' || i, 'x', 0 FROM generate_series(1, 200) i;
            INSERT INTO users (email, display_name, handle, password_hash, created_at, email_verified_at)
            SELECT 'liker' || i || '@example.com', 'Liker ' || i, 'liker' || i,
                   (SELECT password_hash FROM users WHERE email = 'seed1@example.com'), 0, 0
            FROM generate_series(1, 20) i;
            INSERT INTO posts (author_id, body, created_at)
            SELECT (SELECT id FROM users WHERE email = 'liker1@example.com'), 'Likeable ' || i, 0
            FROM generate_series(1, 100) i""")


def main():
    a, b = list(INSTANCES)
    populate()

    # 1. Sign in on one instance; refresh, post and like on the other.
    signed = sign_in("seed1@example.com", "203.0.113.1", via=a)
    check(served(signed, a), f"sign-in served by {a}: {signed.served_by}")
    tokens = signed.json()
    steer_to(b)
    refreshed = request("POST", "/api/v1/token/refresh", {"refresh_token": tokens["refresh_token"]})
    check(refreshed.status == 200 and served(refreshed, b), f"refresh on {b}: {refreshed.status} {refreshed.served_by}")
    access = refreshed.json()["access_token"]
    steer_to(b)
    posted = request("POST", "/api/v1/posts", {"body": "Written on the other instance"}, token=access)
    check(posted.status == 201 and served(posted, b), f"post on {b}: {posted.status} {posted.body[:200]!r}")
    post = posted.json()["id"]
    steer_to(b)
    liked = request("PUT", f"/api/v1/posts/{post}/like", token=access)
    check(liked.status == 200 and served(liked, b), f"like on {b}: {liked.status} {liked.body[:200]!r}")
    print(f"ok: signed in on {a}; refreshed, posted and liked on {b}")

    # 2. A like written through A is in the feed read from B at once, and reaches within a
    # second a reader whose live stream B serves.
    other = sign_in("seed2@example.com", "203.0.113.2").json()["access_token"]
    steer_to(b)
    stream = EventStream(f"/api/v1/events?posts={post}")
    check(served(stream, b), f"the stream from {b}: {stream.served_by}")
    check(stream.next() == ("likes", {"type": "likes", "post_id": post, "like_count": 1}), "the count, at once")
    check(stream.next()[0] == "synced", "then synced")
    # B's hub listens to the database from its start; let the stream's subscription settle.
    time.sleep(0.2)
    steer_to(a)
    written = time.monotonic()
    liked = request("PUT", f"/api/v1/posts/{post}/like", token=other)
    check(liked.status == 200 and served(liked, a), f"like on {a}: {liked.status}")
    heard = stream.next()
    latency = time.monotonic() - written
    check(heard == ("likes", {"type": "likes", "post_id": post, "like_count": 2}), f"the like, live on {b}: {heard}")
    check(latency < 1.0, f"the like reached {b}'s reader in {latency:.3f} s")
    stream.close()
    print(f"ok: a like written on {a} reached a reader streaming from {b} in {latency * 1000:.0f} ms")
    steer_to(b)
    feed = request("GET", "/api/v1/posts?limit=50", token=other)
    check(served(feed, b), f"feed from {b}")
    mine = [p for p in feed.json()["posts"] if p["id"] == post]
    check(mine and mine[0]["like_count"] == 2 and mine[0]["liked"], f"the feed from {b}: {mine}")
    print(f"ok: a like written on {a} is in the feed read from {b} at once (2 likes, liked)")

    # 3. A session revoked through A is refused by B on its next request.
    session = sign_in("seed3@example.com", "203.0.113.3").json()
    steer_to(b)
    check(request("GET", "/api/v1/me", token=session["access_token"]).status == 200, "the session works on B")
    steer_to(a)
    revoked = request("POST", "/api/v1/token/revoke", {"refresh_token": session["refresh_token"]})
    check(revoked.status in (200, 204) and served(revoked, a), f"revoke on {a}: {revoked.status}")
    steer_to(b)
    refused = request("GET", "/api/v1/me", token=session["access_token"])
    check(refused.status == 401 and served(refused, b), f"revoked session on {b}: {refused.status}")
    print(f"ok: a session revoked on {a} is refused by {b} on its next request (401)")

    # 4. Ten wrong passwords spread over A and B; the eleventh is refused on either.
    spread = {a: 0, b: 0}
    for _ in range(10):
        wrong = request("POST", "/api/v1/token", {"email": "seed4@example.com", "password": "wrong guess"},
                        client="203.0.113.4")
        check(wrong.status == 401, f"a wrong password: {wrong.status}")
        spread[wrong.served_by.split(",")[-1].strip()] += 1
    check(spread[a] and spread[b], f"the attempts went to both: {spread}")
    for instance in (a, b):
        steer_to(instance)
        right = request("POST", "/api/v1/token", {"email": "seed4@example.com", "password": PASSWORD},
                        client="203.0.113.4")
        check(right.status == 429 and served(right, instance), f"the 11th on {instance}: {right.status}")
    print(f"ok: 10 wrong passwords ({spread[a]} on {a}, {spread[b]} on {b}); the 11th refused on both (429)")

    # 5. 200 jobs, each executed exactly once across both instances' workers.
    psql("UPDATE users SET email_verified_at = NULL WHERE email LIKE 'job%@example.com'")
    psql("""INSERT INTO jobs (kind, payload, max_attempts, run_at, created_at)
            SELECT 'send_verification', '{"kind":"send_verification","user":' || id || '}', 5, 0, 0
            FROM users WHERE email LIKE 'job%@example.com';
            NOTIFY mublog_jobs""")
    deadline = time.time() + 60
    while psql("SELECT COUNT(*) FROM jobs WHERE kind = 'send_verification' AND state <> 'done'") != "0":
        check(time.time() < deadline, "the 200 jobs did not finish within 60 s")
        time.sleep(0.2)
    attempts = psql("SELECT COUNT(*), SUM(attempts) FROM jobs WHERE kind = 'send_verification'")
    check(attempts == "200|200", f"200 jobs, one attempt each: {attempts}")
    recipients = {}
    for name in os.listdir(os.path.join(MAILDIR, "new")):
        with open(os.path.join(MAILDIR, "new", name), errors="replace") as mail:
            to = next(line for line in mail if line.lower().startswith("to:"))
        address = re.search(r"[\w.+-]+@[\w.-]+", to).group(0)
        recipients[address] = recipients.get(address, 0) + 1
    jobs = {k: v for k, v in recipients.items() if k.startswith("job")}
    check(len(jobs) == 200 and set(jobs.values()) == {1}, f"one mail to each of 200: {len(jobs)} {set(jobs.values())}")
    ran = {i: sum(1 for line in open(f"{os.environ['CLUSTER_LOGS']}/{port}.log")
                  if "job done" in line and "send_verification" in line)
           for i, port in enumerate(os.environ["CLUSTER_PORTS"].split())}
    check(sum(ran.values()) == 200 and all(ran.values()), f"both instances ran jobs: {ran}")
    print(f"ok: 200 jobs ran exactly once each ({ran[0]} on {a}, {ran[1]} on {b}); 200 mails, one each")

    # 6. A picture uploaded through A is served through B.
    boundary = "mublogclusterboundary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nA picture\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"g.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + png(320, 200) + f"\r\n--{boundary}--\r\n".encode()
    steer_to(a)
    uploaded = request("POST", "/api/v1/posts", form, token=access,
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    check(uploaded.status == 201 and served(uploaded, a), f"upload on {a}: {uploaded.status} {uploaded.body[:300]!r}")
    url = uploaded.json()["image"]["url"]
    steer_to(b)
    picture = request("GET", url)
    check(picture.status == 200 and served(picture, b) and picture.headers.get("content-type", "").startswith("image/"),
          f"{url} from {b}: {picture.status} {picture.headers.get('content-type')}")
    print(f"ok: a picture uploaded on {a} is served by {b} ({len(picture.body)} bytes, {picture.headers['content-type']})")

    # 7. kill -9 of one instance while 2,000 likes are sent: nginx fails over, every
    # acknowledged like is stored, and every post's count is its likes.
    likers = [sign_in(f"liker{n}@example.com", f"203.0.113.{100 + n}").json()["access_token"] for n in range(1, 21)]
    posts = [int(p) for p in psql("SELECT id FROM posts WHERE author_id IN "
                                  "(SELECT id FROM users WHERE email LIKE 'liker%') ORDER BY id").split()]
    check(len(posts) >= 100, f"100 posts to like: {len(posts)}")
    work = [(liker, token, post) for liker, token in enumerate(likers) for post in posts[:100]]
    victim = b
    sent = itertools.count(1)
    killed = threading.Event()

    def like(item):
        _, token, post = item
        if next(sent) == 500:
            os.kill(int(INSTANCES[victim]), signal.SIGKILL)
            killed.set()
        try:
            answer = request("PUT", f"/api/v1/posts/{post}/like", token=token, client="198.51.100.200")
            return item, answer.status
        except OSError as e:
            return item, str(e)

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(like, work))
    check(killed.is_set(), "the instance was killed mid-run")
    acknowledged = [item for item, status in outcomes if status == 200]
    failed = [(item[2], status) for item, status in outcomes if status != 200]
    stored = set(psql("SELECT post_id || ':' || user_id FROM likes").split())
    ids = dict(line.split("|") for line in psql("SELECT email, id FROM users WHERE email LIKE 'liker%'").split())
    missing = [i for i in acknowledged if f"{i[2]}:{ids[f'liker{i[0] + 1}@example.com']}" not in stored]
    check(not missing, f"{len(missing)} acknowledged likes are not stored: {missing[:5]}")
    mismatched = psql("SELECT COUNT(*) FROM posts p WHERE like_count <> (SELECT COUNT(*) FROM likes l WHERE l.post_id = p.id)")
    check(mismatched == "0", f"{mismatched} posts whose count is not their likes")
    # Only requests in flight on the killed instance may fail; nginx repeats a PUT elsewhere.
    check(len(failed) <= 16, f"{len(failed)} likes failed: {failed[:5]}")
    print(f"ok: kill -9 of {victim} after 500 of 2,000 likes: {len(acknowledged)} acknowledged and stored, "
          f"{len(failed)} failed, every count matches")


if __name__ == "__main__":
    main()
