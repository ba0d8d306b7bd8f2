// The entry pages' service worker, served at /saisie/sw.js by survey.views_offline, which puts
// self.ENTRY_CONFIG above this file: its version, the static files to precache, the pages,
// the JSON read network-first and the addresses never to touch.
//
// Static files: cache first (their cache is versioned: a new worker brings a new cache).
// Pages and questionnaire/communes JSON: network first, cache when the network fails or
// is too slow. Submissions (POST) always go to the network: the queue is in the page.

const CONFIG = self.ENTRY_CONFIG;
const STATIC_CACHE = `entry-static-${CONFIG.version}`;
const DATA_CACHE = "entry-data";
const NETWORK_TIMEOUT = 6000;

function storable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function pageKey(url) {
  const key = new URL(url, self.location.origin);
  key.search = "";
  key.hash = "";
  return key.href;
}

async function precache() {
  const cache = await caches.open(STATIC_CACHE);
  await Promise.all(
    CONFIG.precache.map(async (url) => {
      if (await cache.match(url)) return;
      try {
        const response = await fetch(url, { cache: "no-cache" });
        if (storable(response)) await cache.put(url, response);
      } catch {
        // fetched again when a page asks for it
      }
    }),
  );
}

/** Keep fresh copies of pages and JSON (a page asks for them once the shift is chosen). */
async function warm(urls) {
  const cache = await caches.open(DATA_CACHE);
  await Promise.all(
    urls.map(async (url) => {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 2 * NETWORK_TIMEOUT);
      try {
        const response = await fetch(url, {
          credentials: "same-origin",
          cache: "no-cache",
          signal: abort.signal,
        });
        if (storable(response)) await cache.put(isPage(new URL(url, self.location.origin)) ? pageKey(url) : url, response);
      } catch {
        // offline: the copy already kept stays
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      await precache();
      await warm(CONFIG.pages);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("entry-static-") && name !== STATIC_CACHE)
          .map((name) => caches.delete(name)),
      );
      // Pages kept by the previous worker name the previous static files: refresh them.
      const data = await caches.open(DATA_CACHE);
      const kept = await data.keys();
      await warm(kept.map((request) => request.url));
      await self.clients.claim();
    })(),
  );
});

/** What a page needs offline that the caches still lack (static files, then `urls`),
 * after one more try to fetch it. */
async function missing(urls) {
  await precache();
  const statics = await caches.open(STATIC_CACHE);
  const data = await caches.open(DATA_CACHE);
  const lacking = [];
  for (const url of CONFIG.precache) {
    if (!(await statics.match(url))) lacking.push(url);
  }
  for (const url of urls) {
    const key = isPage(new URL(url, self.location.origin)) ? pageKey(url) : url;
    if (!(await data.match(key, { ignoreVary: true }))) lacking.push(url);
  }
  return lacking;
}

// A page asks for `urls` once the shift is chosen; given a port, it is told when everything
// the entry pages need offline is kept (the page then says "prêt hors ligne").
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "warm" && Array.isArray(event.data.urls)) {
    const [port] = event.ports || [];
    event.waitUntil(
      warm(event.data.urls)
        .then(() => missing(event.data.urls))
        .then((lacking) => port && port.postMessage({ missing: lacking }))
        .catch(() => port && port.postMessage({ missing: null })),
    );
  }
});

const PAGES = CONFIG.pagePatterns.map((pattern) => new RegExp(pattern));

/** The entry pages, kept for offline use; no other page of the scope is ever stored. */
function isPage(url) {
  return PAGES.some((pattern) => pattern.test(url.pathname));
}

async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (storable(response)) await cache.put(request, response.clone());
  return response;
}

function networkFirst(event, key) {
  let stored = Promise.resolve();
  const network = fetch(event.request).then((response) => {
    if (storable(response)) {
      const copy = response.clone();
      stored = caches.open(DATA_CACHE).then((cache) => cache.put(key, copy));
    }
    return response;
  });
  event.waitUntil(network.then(() => stored).catch(() => null));
  return (async () => {
    const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT, null));
    try {
      const response = await Promise.race([network, timeout]);
      if (response) return response;
    } catch {
      // offline: the cache answers
    }
    const hit = await caches.match(key, { cacheName: DATA_CACHE, ignoreVary: true });
    return hit || network; // nothing kept: wait for the network, or fail like it
  })();
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.never.some((path) => url.pathname.startsWith(path))) return;
  if (url.pathname.startsWith(CONFIG.staticPrefix)) {
    event.respondWith(cacheFirst(request));
  } else if (CONFIG.networkFirst.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(networkFirst(event, request.url));
  } else if (isPage(url)) {
    event.respondWith(networkFirst(event, pageKey(request.url)));
  }
});
