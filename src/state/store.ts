/** The one store, made of slices. Components read it through selectors. */
import { create } from 'zustand';
import { createQueueSlice, type QueueSlice } from './queue';
import { createSettingsSlice, type SettingsSlice } from './settings';

export type AppState = QueueSlice & SettingsSlice;

export const useStore = create<AppState>()((...a) => ({
  ...createQueueSlice(...a),
  ...createSettingsSlice(...a),
}));
