/** Settings slice: what to extract and how. Persisted in localStorage. */
import type { StateCreator } from 'zustand';
import type { ExtractSettings } from '../bridge/pipeline';
import type { AppState } from './store';

export type Settings = ExtractSettings;

export const DEFAULT_SETTINGS: Settings = {
  streams: ['rgb', 'flow'],
  models: {},
  dtype: 'q8',
  device: 'auto',
  flowBackend: 'auto',
  fps: null,
  maxFrames: null,
  flowMode: 'float',
  maxChunkFrames: null,
  memoryBudgetBytes: null,
};

const KEY = 'i3d-settings';

function load(): Settings {
  try {
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null;
    if (!saved) return DEFAULT_SETTINGS;
    const parsed = JSON.parse(saved) as Partial<Settings>;
    // settings saved before the memory budget carry the old fixed default (256): the budget chooses now
    if (!('memoryBudgetBytes' in parsed) && parsed.maxChunkFrames === 256) delete parsed.maxChunkFrames;
    return { ...DEFAULT_SETTINGS, ...parsed };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export interface SettingsSlice {
  settings: Settings;
  setSettings(patch: Partial<Settings>): void;
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set, get) => ({
  settings: load(),
  setSettings(patch) {
    set((s) => ({ settings: { ...s.settings, ...patch } }));
    try {
      localStorage.setItem(KEY, JSON.stringify(get().settings));
    } catch {
      // storage full or unavailable: settings just are not remembered
    }
  },
});
