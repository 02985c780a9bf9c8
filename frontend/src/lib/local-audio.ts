// Audio files the person chose, by track id, so the rhythm view can play them without sending
// them anywhere. They are kept in this browser's IndexedDB, so a reload or a later visit still
// plays them; the server deletes uploaded audio once it is analysed. Where IndexedDB is not
// available (private windows in some browsers), they last as long as the tab.
import { clear, createStore, del, get, set } from 'idb-keyval';

const inTab = new Map<string, File>();
let store: ReturnType<typeof createStore> | null | undefined;

function browserStore() {
  if (store === undefined) store = typeof indexedDB === 'undefined' ? null : createStore('genrelens', 'audio');
  return store;
}

export async function rememberAudio(trackId: string, file: File): Promise<void> {
  inTab.set(trackId, file);
  const db = browserStore();
  if (db) await set(trackId, file, db).catch(() => undefined); // full or refused: the tab copy still plays
}

/** The file chosen in this tab, at once (no waiting for the database). */
export function audioInTab(trackId: string): File | undefined {
  return inTab.get(trackId);
}

/** The file from this tab or, after a reload, from the browser's storage. */
export async function audioFor(trackId: string): Promise<File | undefined> {
  const found = inTab.get(trackId);
  const db = browserStore();
  if (found || !db) return found;
  const stored = await get<File>(trackId, db).catch(() => undefined);
  if (stored) inTab.set(trackId, stored);
  return stored;
}

export async function forgetAudio(trackId: string): Promise<void> {
  inTab.delete(trackId);
  const db = browserStore();
  if (db) await del(trackId, db).catch(() => undefined);
}

/** On logging out: the next person at this browser does not get the last one's audio. */
export async function forgetAllAudio(): Promise<void> {
  inTab.clear();
  const db = browserStore();
  if (db) await clear(db).catch(() => undefined);
}
