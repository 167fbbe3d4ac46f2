// mublog's service worker, generated per build by the server (`/sw.js`): VERSION and ASSETS
// name this build's hashed files, so a deploy changes this script, the browser installs the
// new worker, and the old cache (with the old WASM) is dropped as it activates.
const VERSION = "__VERSION__";
const CACHE = `mublog-${VERSION}`;
const OFFLINE = "/offline";
const ASSETS = __ASSETS__;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([OFFLINE, ...ASSETS])).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Never cached: anything but GET, other origins, authentication, live streams (which never
// end), and any request that carries a token. Server functions are POSTs, so they always go
// to the network.
function passThrough(request, url) {
  return (
    request.method !== "GET" ||
    url.pathname === "/api/v1/events" ||
    request.headers.get("accept") === "text/event-stream" ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/auth/") ||
    url.pathname.startsWith("/api/v1/token") ||
    url.pathname.startsWith("/dev/") ||
    request.headers.has("authorization")
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (passThrough(request, url)) return;

  // This build's files never change under their names: cache first.
  if (ASSETS.includes(url.pathname) || url.pathname.startsWith("/media/")) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
    return;
  }

  // Pages and API reads: the network first, so they are always current; the last copy (or the
  // offline page) when there is no network. Personal answers are never stored: the server
  // marks them `no-store` (anything for a signed-in reader, every admin and settings page).
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (storable(url, response)) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches
          .match(request)
          .then((hit) => hit || (request.mode === "navigate" ? caches.match(OFFLINE) : Response.error())),
      ),
  );
});

const PRIVATE = ["/admin", "/settings"];

function storable(url, response) {
  const cacheControl = response.headers.get("cache-control") || "";
  return (
    response.ok &&
    !/no-store|private/.test(cacheControl) &&
    !PRIVATE.some((p) => url.pathname === p || url.pathname.startsWith(p + "/"))
  );
}

// A page tells its worker when its reader signs out: every stored page and API answer goes,
// only this build's files and the offline page stay.
self.addEventListener("message", (event) => {
  if (event.data === "signed-out") event.waitUntil(forgetPages());
});

async function forgetPages() {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path !== OFFLINE && !ASSETS.includes(path)) await cache.delete(request);
  }
}
