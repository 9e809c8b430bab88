// What Steady keeps on this device, in IndexedDB: a small key-value store
// (guest favourites, recents and thought records; each signed-in person's
// offline snapshot) and the outbox of writes waiting to reach the server.

const DB_NAME = "steady";
const DB_VERSION = 1;
let opening = null;

function openDatabase() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function withStore(name, mode, action) {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(name, mode);
    const request = action(transaction.objectStore(name));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const kv = {
  get: (key) => withStore("kv", "readonly", (store) => store.get(key)),
  set: (key, value) => withStore("kv", "readwrite", (store) => store.put(value, key)),
  remove: (key) => withStore("kv", "readwrite", (store) => store.delete(key)),
};

export const outboxStore = {
  put: (entry) => withStore("outbox", "readwrite", (store) => store.put(entry)),
  all: () => withStore("outbox", "readonly", (store) => store.getAll()),
  remove: (id) => withStore("outbox", "readwrite", (store) => store.delete(id)),
};
