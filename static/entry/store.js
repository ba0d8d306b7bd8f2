// What the entry pages keep on the device: drafts, the send queue and the questionnaire
// definitions in IndexedDB (they survive a reload and a browser restart); the shift and the
// device id in localStorage.

const DB_NAME = "qualiprefs-saisie";
const DB_VERSION = 1;
export const DRAFTS = "drafts"; // keyPath uuid: questionnaires being filled
export const QUEUE = "queue"; // keyPath uuid: completed questionnaires not yet stored by the server
export const DEFINITIONS = "definitions"; // keyPath url: last questionnaire and communes JSON

let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openDb() {
  if (!opening) {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const [name, keyPath] of [
        [DRAFTS, "uuid"],
        [QUEUE, "uuid"],
        [DEFINITIONS, "url"],
      ]) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath });
      }
    };
    opening = promised(request);
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

async function run(storeName, mode, action) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const result = action(transaction.objectStore(storeName));
    // Resolve once the transaction is committed, not when the request succeeds: a write
    // reported done must be on disk.
    transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const idb = {
  get: (store, key) => run(store, "readonly", (s) => s.get(key)),
  all: (store) => run(store, "readonly", (s) => s.getAll()),
  put: (store, value) => run(store, "readwrite", (s) => s.put(value)),
  delete: (store, key) => run(store, "readwrite", (s) => s.delete(key)),
};

export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Plain http on a local network has no randomUUID: build a version 4 UUID by hand.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

export const local = {
  get: readJson,
  set: (key, value) => localStorage.setItem(key, JSON.stringify(value)),
  remove: (key) => localStorage.removeItem(key),
};

/** A random id made once per device (browser profile), sent with every questionnaire. */
export function deviceId() {
  let id = localStorage.getItem("entry.device");
  if (!id) {
    id = newUuid();
    localStorage.setItem("entry.device", id);
  }
  return id;
}

/** The shift: {campaign, campaignTitle, site, siteName, questionnaire, channel, departement}. */
export const shift = {
  read: () => readJson("entry.shift"),
  write: (value) => local.set("entry.shift", value),
  clear: () => local.remove("entry.shift"),
};

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** Ask the browser not to evict our storage under pressure (best effort). */
export function persistStorage() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
}

const WARM_TIMEOUT = 30_000;

/** Register the service worker and ask it to keep `urls` (pages, JSON) for offline use.
 * Resolves to true once the worker says that everything the entry pages need offline is
 * kept (its static files and `urls`), false otherwise. */
export async function registerServiceWorker(root, urls = []) {
  if (!("serviceWorker" in navigator)) return false;
  try {
    await navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope });
    const registration = await navigator.serviceWorker.ready;
    if (!urls.length || !registration.active) return false;
    return await new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(false), WARM_TIMEOUT); // an older worker never answers
      channel.port1.onmessage = (event) => {
        clearTimeout(timer);
        const lacking = event.data && event.data.missing;
        resolve(Array.isArray(lacking) && lacking.length === 0);
      };
      registration.active.postMessage({ type: "warm", urls }, [channel.port2]);
    });
  } catch (error) {
    console.warn("Service worker indisponible", error);
    return false;
  }
}

/** Replace the 0 of a URL reversed with pk 0 (data-form-url="/saisie/remplir/0/"). */
export function urlFor(pattern, pk) {
  return pattern.replace(/\/0\/(?=[^/]*$)/, `/${pk}/`);
}
