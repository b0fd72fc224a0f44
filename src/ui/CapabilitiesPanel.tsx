import { useStore } from '../state/store';
import { formatBytes } from './format';

const DEVICE_NAMES = { webgpu: 'WebGPU', wasm: 'WebAssembly' } as const;

/** What this browser offers (WebGPU adapter, threads, storage) and which device `auto` picks, and why. */
export function CapabilitiesPanel() {
  const { report, error, loading } = useStore((s) => s.capabilities);
  const load = useStore((s) => s.loadCapabilities);
  return (
    <details className="capabilities" data-testid="capabilities" onToggle={(e) => e.currentTarget.open && void load()}>
      <summary>What this browser offers</summary>
      {error ? <p className="error">{error}</p> : null}
      {loading ? <p className="dim">Checking…</p> : null}
      {report ? (
        <dl>
          <dt>WebGPU</dt>
          <dd data-testid="cap-webgpu">
            {report.webgpu
              ? `${report.adapter ?? 'unknown adapter'}${report.softwareAdapter ? ' (software, emulated on the CPU)' : ' (hardware)'}, shader-f16 ${report.shaderF16 ? 'yes' : 'no'}`
              : 'no adapter'}
          </dd>
          <dt>Threads</dt>
          <dd data-testid="cap-threads">
            {report.cores} cores, {report.threads} threads per engine;{' '}
            {report.isolated ? 'cross-origin isolated (WebAssembly threads available)' : 'not cross-origin isolated (WebAssembly runs on one thread)'}
          </dd>
          <dt>Storage</dt>
          <dd data-testid="cap-storage">{report.storage ? `${formatBytes(report.storage.usage)} used of ${formatBytes(report.storage.quota)}` : 'unknown'}</dd>
          <dt>Device “auto”</dt>
          <dd data-testid="cap-auto">
            <strong>{DEVICE_NAMES[report.auto.device]}</strong>: {report.auto.reason}. The precision is the one chosen in the settings
            {report.auto.device === 'webgpu' && report.shaderF16 ? ' (fp16 computes in half precision on this GPU)' : ''}.
          </dd>
        </dl>
      ) : null}
    </details>
  );
}
