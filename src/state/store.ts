/** The one store, made of slices. Components read it through selectors. */
import { create } from 'zustand';
import { createAppUpdateSlice, type AppUpdateSlice } from './app-update';
import { createCapabilitiesSlice, type CapabilitiesSlice } from './capabilities';
import { createModelsSlice, type ModelsSlice } from './models';
import { createQueueSlice, type QueueSlice } from './queue';
import { createSettingsSlice, type SettingsSlice } from './settings';
import { createStorageSlice, type StorageSlice } from './storage';

export type AppState = QueueSlice & SettingsSlice & ModelsSlice & AppUpdateSlice & CapabilitiesSlice & StorageSlice;

export const useStore = create<AppState>()((...a) => ({
  ...createQueueSlice(...a),
  ...createSettingsSlice(...a),
  ...createModelsSlice(...a),
  ...createAppUpdateSlice(...a),
  ...createCapabilitiesSlice(...a),
  ...createStorageSlice(...a),
}));
