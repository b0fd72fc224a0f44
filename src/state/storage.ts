/**
 * Storage slice: what the app keeps in the browser (usage and quota, whether the storage is persistent), the
 * results folders with their sizes, deleting them, and cleaning up the folders no queue entry owns (left by
 * removed or failed videos, or by an earlier version) and unfinished bundles. Also the frame a timeline shows on
 * request.
 */
import type { StateCreator } from 'zustand';
import { bridge, type ResultInfo, type StorageStatus } from '../bridge/pipeline';
import { describeError } from '../errors';
import type { VideoSummary } from '../pipeline/video';
import { savedQueue } from './saved-queue';
import type { AppState } from './store';

export interface StorageState {
  status?: StorageStatus;
  results: ResultInfo[];
  loading: boolean;
  error?: string;
  /** The browser's answer to the last persist() request (undefined before any). */
  persistAnswer?: boolean;
  /** Folders removed by the last clean-up. */
  cleaned?: number;
}

/** The frame shown for a finished video's timeline (by queue item id). */
export interface FrameView {
  seconds: number;
  url?: string;
  loading: boolean;
  error?: string;
}

export interface StorageSlice {
  storage: StorageState;
  /** Lists the results folders again (every folder is walked: not once per video of a running batch). */
  refreshStorage(): Promise<void>;
  /**
   * A video just finished into results folder `id`: its entry is added from what the run wrote (no walk of the other
   * folders, so a long batch does not slow down with every finished video), and the usage is read again.
   */
  noteResult(id: string, summary: VideoSummary): Promise<void>;
  requestPersistence(): Promise<void>;
  /** Deletes a results folder; a queue entry that owns it is removed with it. */
  deleteResult(id: string): Promise<void>;
  /** Deletes every results folder no queue entry (here or saved) owns; how many. */
  cleanUpResults(): Promise<number>;
  frames: Record<string, FrameView>;
  /** Decodes the frame of a finished video at `seconds` of its timeline. */
  showFrame(itemId: string, seconds: number): Promise<void>;
}

/** The folders among `results` that no owner claims (bundles and other files are not folders: kept). */
export function unownedResults(results: readonly ResultInfo[], owned: ReadonlySet<string>): ResultInfo[] {
  return results.filter((r) => r.folder && !owned.has(r.id));
}

/** `results` with `entry` in its place (listings are sorted by id), replacing an entry of the same id. */
export function withResult(results: readonly ResultInfo[], entry: ResultInfo): ResultInfo[] {
  const rest = results.filter((r) => r.id !== entry.id);
  const at = rest.findIndex((r) => r.id.localeCompare(entry.id) > 0);
  return at < 0 ? [...rest, entry] : [...rest.slice(0, at), entry, ...rest.slice(at)];
}

/** Unfinished files directly under results/ (a bundle whose writing stopped: a closed page, a full disk). */
export function leftoverFiles(results: readonly ResultInfo[]): ResultInfo[] {
  return results.filter((r) => !r.folder && !r.complete);
}

/** The result ids the queue owns: its entries now, and those saved for the next visit. */
async function ownedIds(state: AppState): Promise<Set<string>> {
  const owned = new Set(state.queue.flatMap((q) => (q.resultId ? [q.resultId] : [])));
  const saved = await savedQueue.load().catch(() => ({ items: [] }));
  for (const item of saved.items) if (item.resultId) owned.add(item.resultId);
  return owned;
}

export const createStorageSlice: StateCreator<AppState, [], [], StorageSlice> = (set, get) => {
  const patch = (p: Partial<StorageState>) => set((s) => ({ storage: { ...s.storage, ...p } }));
  return {
    storage: { results: [], loading: false },
    frames: {},

    async refreshStorage() {
      patch({ loading: true });
      try {
        const [status, results] = await Promise.all([bridge().storageStatus(), bridge().listResults()]);
        patch({ status, results, loading: false, error: undefined });
      } catch (e) {
        patch({ loading: false, error: describeError(e) });
      }
    },

    async noteResult(id, summary) {
      const bytes = Object.values(summary.files).reduce((n, b) => n + b, 0);
      set((s) => ({
        storage: { ...s.storage, results: withResult(s.storage.results, { id, bytes, folder: true, name: summary.meta.source.name, complete: true }) },
      }));
      try {
        patch({ status: await bridge().storageStatus() });
      } catch (e) {
        patch({ error: describeError(e) });
      }
    },

    async requestPersistence() {
      try {
        const answer = await bridge().requestPersistence();
        patch({ persistAnswer: answer });
      } catch (e) {
        patch({ persistAnswer: false, error: describeError(e) });
      }
      await get().refreshStorage();
    },

    async deleteResult(id) {
      const owner = get().queue.find((q) => q.resultId === id);
      if (owner?.status === 'running') return;
      if (owner) get().removeItem(owner.id);
      try {
        await bridge().removeResult(id);
      } catch (e) {
        patch({ error: describeError(e) });
      }
      await get().refreshStorage();
    },

    async cleanUpResults() {
      await get().refreshStorage();
      const unowned = unownedResults(get().storage.results, await ownedIds(get()));
      let removed = 0;
      for (const r of unowned) {
        try {
          await bridge().removeResult(r.id);
          removed++;
        } catch (e) {
          patch({ error: describeError(e) });
        }
      }
      // (not while a bundle is being written: its file is one of them)
      const leftovers = get().bundleStatus.busy ? [] : leftoverFiles(get().storage.results);
      for (const r of leftovers)
        await bridge()
          .removeResult(r.id)
          .catch(() => undefined);
      patch({ cleaned: removed });
      await get().refreshStorage();
      return removed;
    },

    async showFrame(itemId, seconds) {
      const item = get().queue.find((q) => q.id === itemId);
      const video = item?.summary?.meta.video;
      const setFrame = (view: FrameView) =>
        set((s) => {
          const old = s.frames[itemId]?.url;
          if (old && old !== view.url) URL.revokeObjectURL(old);
          return { frames: { ...s.frames, [itemId]: view } };
        });
      if (!item || !video) return;
      if (!item.file) {
        setFrame({ seconds, loading: false, error: 'The video file is not open in this page (it was restored after a reload): its frames cannot be shown.' });
        return;
      }
      set((s) => ({ frames: { ...s.frames, [itemId]: { ...s.frames[itemId], seconds, loading: true, error: undefined } } }));
      try {
        const jpeg = await bridge().frameAt(item.file, seconds, video);
        // a later click wins
        if (get().frames[itemId]?.seconds !== seconds) return;
        setFrame({ seconds, url: URL.createObjectURL(jpeg), loading: false });
      } catch (e) {
        setFrame({ seconds, loading: false, error: describeError(e) });
      }
    },
  };
};
