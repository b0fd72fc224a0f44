/** Settings slice: how videos are decoded and processed. */
import type { StateCreator } from 'zustand';
import type { AppState } from './store';

export interface Settings {
  /** Decode rate; null keeps every decoded frame. */
  fps: number | null;
}

export interface SettingsSlice {
  settings: Settings;
  setSettings(patch: Partial<Settings>): void;
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set) => ({
  settings: { fps: null },
  setSettings(patch) {
    set((s) => ({ settings: { ...s.settings, ...patch } }));
  },
});
