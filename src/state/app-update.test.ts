import { describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import { createAppUpdateSlice } from './app-update';
import type { AppState } from './store';

/** The update slice on a store that has only what it reads besides itself: `running`. */
const makeStore = () => create<AppState>()((...a) => ({ running: false, ...createAppUpdateSlice(...a) }) as unknown as AppState);

describe('app update slice', () => {
  it('marks a waiting version and applies it only when asked and no video is running', async () => {
    const store = makeStore();
    const apply = vi.fn(async () => undefined);
    expect(store.getState().updateReady).toBe(false);
    await store.getState().applyUpdate();
    store.getState().updateFound(apply);
    expect(store.getState().updateReady).toBe(true);
    expect(apply).not.toHaveBeenCalled();
    store.setState({ running: true });
    await store.getState().applyUpdate();
    expect(apply).not.toHaveBeenCalled();
    store.setState({ running: false });
    await store.getState().applyUpdate();
    expect(apply).toHaveBeenCalledTimes(1);
  });

  it('reloads into a version that took control only once no video is running, and once', async () => {
    const store = makeStore();
    const reload = vi.fn();
    store.setState({ running: true });
    store.getState().reloadWhenIdle(reload);
    store.getState().reloadWhenIdle(reload);
    store.setState({ running: true });
    expect(reload).not.toHaveBeenCalled();
    store.setState({ running: false });
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    store.setState({ running: true });
    store.setState({ running: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('reloads at once when no video is running', async () => {
    const store = makeStore();
    const reload = vi.fn();
    store.getState().reloadWhenIdle(reload);
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
  });
});
