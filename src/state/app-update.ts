/**
 * App update slice: a new version of the app (a new service worker) waits until the user applies it. The app entry
 * (src/app/main.tsx) registers the service worker and reports a waiting version here with the function that
 * applies it; nothing reloads the page by itself, so a running extraction is never cut off. A version applied in
 * another tab of the app takes control of this one too: this page then reloads into it once no video runs here.
 */
import type { StateCreator } from 'zustand';
import { savedQueue } from './saved-queue';
import type { AppState } from './store';

export interface AppUpdateSlice {
  /** A new version is installed and waiting (shown to the user only while no video is running). */
  updateReady: boolean;
  /** Called by the service worker registration when a new version waits; `apply` activates it and reloads. */
  updateFound(apply: () => Promise<void>): void;
  /** Activates the waiting version and reloads the page into it (only on the user's click, never during a run). */
  applyUpdate(): Promise<void>;
  /**
   * The new version took control of this page (applied here, or in another tab): `reload` runs once, when no video
   * is running (at once if none is) and the queue's state is written.
   */
  reloadWhenIdle(reload: () => void): void;
}

let applyWaiting: (() => Promise<void>) | null = null;

export const createAppUpdateSlice: StateCreator<AppState, [], [], AppUpdateSlice> = (set, get, store) => {
  let reloadAsked = false;
  return {
    updateReady: false,
    updateFound(apply) {
      applyWaiting = apply;
      set({ updateReady: true });
    },
    async applyUpdate() {
      if (!get().updateReady || get().running || !applyWaiting) return;
      await applyWaiting();
    },
    reloadWhenIdle(reload) {
      if (reloadAsked) return;
      reloadAsked = true;
      // the queue's last changes (the finished video's state) are written before the page goes
      const go = () => void savedQueue.settled().then(reload);
      if (!get().running) {
        go();
        return;
      }
      const stop = store.subscribe((s) => {
        if (s.running) return;
        stop();
        go();
      });
    },
  };
};
