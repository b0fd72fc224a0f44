/** Capabilities slice: what this browser offers and what `auto` picks, asked of the worker once, when first shown. */
import type { StateCreator } from 'zustand';
import { bridge } from '../bridge/pipeline';
import { describeError } from '../errors';
import type { CapabilityReport } from '../platform/policy';
import type { AppState } from './store';

export interface CapabilitiesSlice {
  capabilities: { report?: CapabilityReport; error?: string; loading: boolean };
  loadCapabilities(): Promise<void>;
}

export const createCapabilitiesSlice: StateCreator<AppState, [], [], CapabilitiesSlice> = (set, get) => ({
  capabilities: { loading: false },
  async loadCapabilities() {
    const { report, loading } = get().capabilities;
    if (report || loading) return;
    set({ capabilities: { loading: true } });
    try {
      set({ capabilities: { report: await bridge().capabilities(), loading: false } });
    } catch (e) {
      set({ capabilities: { error: describeError(e), loading: false } });
    }
  },
});
