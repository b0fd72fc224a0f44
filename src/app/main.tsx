import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerSW } from 'virtual:pwa-register';
import { bridgeTestHooks } from '../bridge/pipeline';
import { useStore } from '../state/store';
import { App } from '../ui/App';
import '../ui/app.css';

// test builds: the e2e tests make a worker of the next extraction fail (window.faultForTest, ../faults.ts)
if (__TEST_HOOKS__) Object.assign(window, { faultForTest: bridgeTestHooks?.faultForTest });

// the queue of an earlier visit (finished results, a run to go on with)
void useStore.getState().restoreQueue();

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
  let reloading = false;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    window.location.reload();
  };
  const updateServiceWorker = registerSW({
    immediate: true,
    onNeedRefresh: () =>
      useStore.getState().updateFound(() => {
        // the plugin reloads only a page that was controlled when it loaded; one opened before the first service
        // worker took over (a first visit left running) reloads when the new version takes control
        navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
        return updateServiceWorker(true);
      }),
    onNeedReload: reload,
    onRegisteredSW: (_url, registration) => {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
  });
}
