import { useStore } from '../state/store';

/** Offers a waiting new version of the app, only while no video is running; it is applied only on a click. */
export function UpdatePrompt() {
  const ready = useStore((s) => s.updateReady);
  const running = useStore((s) => s.running);
  const applyUpdate = useStore((s) => s.applyUpdate);
  if (!ready || running) return null;
  return (
    <div className="banner" role="status" data-testid="update-prompt">
      <button type="button" className="primary" onClick={() => void applyUpdate()} data-testid="update-reload">
        A new version is ready — reload
      </button>
    </div>
  );
}
