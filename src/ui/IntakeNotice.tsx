import { useStore } from '../state/store';
import { intakeNotice } from './intake';

/** "12 videos added, 3 other files skipped" after an intake that left files out; dismissible. */
export function IntakeNotice() {
  const report = useStore((s) => s.intakeReport);
  const dismiss = useStore((s) => s.dismissIntakeReport);
  const text = report ? intakeNotice(report.added, report.skipped) : null;
  if (!text) return null;
  return (
    <div className="banner" role="status" data-testid="intake-notice">
      <span data-testid="intake-notice-text">{text}</span>
      <button type="button" onClick={dismiss} aria-label="Dismiss this notice" data-testid="intake-notice-dismiss">
        ×
      </button>
    </div>
  );
}
