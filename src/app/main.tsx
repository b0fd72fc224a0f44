import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerSW } from 'virtual:pwa-register';
import { bridge, bridgeTestHooks } from '../bridge/pipeline';
import type { ErrorCode } from '../errors';
import { useStore } from '../state/store';
import { App } from '../ui/App';
import '../ui/app.css';

// test builds: the e2e tests make a worker of the next extraction fail (window.faultForTest, ../faults.ts), or its
// writes meet a full disk (window.quotaForTest)
if (__TEST_HOOKS__) Object.assign(window, { faultForTest: bridgeTestHooks?.faultForTest, quotaForTest: bridgeTestHooks?.quotaForTest });

// the queue of an earlier visit (finished results, a run to go on with)
void useStore.getState().restoreQueue();

// test builds only: a test makes the next extraction fail once with a typed error (e2e/retry.spec.ts)
if (__TEST_HOOKS__ && bridgeTestHooks) {
  const hooks = bridgeTestHooks;
  Object.assign(window, {
    failNextExtractForTest: (code: ErrorCode, passes?: number) => hooks.failNextExtract(bridge(), code, passes),
  });
}

const root = document.getElementById('root');
if (!root) throw new Error('#root missing');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

/** How often a page left open (a long batch) asks whether a new version was published. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

// Prompt mode: a new version installs in the background and waits; the store shows "A new version is ready" when
// no video is running, and only the user's click activates it and reloads (updateServiceWorker(true)).
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  // a new version that takes control of this page (applied by the click here or in another tab of the app; the
  // first service worker taking over a first visit is no new version) reloads it, but only once no video runs here
  const reload = () => useStore.getState().reloadWhenIdle(() => window.location.reload());
  let controlled = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (controlled) reload();
    controlled = true;
  });
  const updateServiceWorker = registerSW({
    immediate: true,
    onNeedRefresh: () => useStore.getState().updateFound(() => updateServiceWorker(true)),
    onNeedReload: reload,
    onRegisteredSW: (_url, registration) => {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
  });
}
