/**
 * App update slice: a new version of the app (a new service worker) waits until the user applies it. The app entry
 * (src/app/main.tsx) registers the service worker and reports a waiting version here with the function that
 * applies it; nothing reloads the page by itself, so a running extraction is never cut off.
 */
import type { StateCreator } from 'zustand';
import type { AppState } from './store';

export interface AppUpdateSlice {
  /** A new version is installed and waiting (shown to the user only while no video is running). */
  updateReady: boolean;
  /** Called by the service worker registration when a new version waits; `apply` activates it and reloads. */
  updateFound(apply: () => Promise<void>): void;
  /** Activates the waiting version and reloads the page into it (only on the user's click, never during a run). */
  applyUpdate(): Promise<void>;
}

let applyWaiting: (() => Promise<void>) | null = null;

export const createAppUpdateSlice: StateCreator<AppState, [], [], AppUpdateSlice> = (set, get) => ({
  updateReady: false,
  updateFound(apply) {
    applyWaiting = apply;
    set({ updateReady: true });
  },
  async applyUpdate() {
    if (!get().updateReady || get().running || !applyWaiting) return;
    await applyWaiting();
  },
});
