import { useStore } from '../state/store';
import type { StreamName } from '../pipeline/extract';
import { MODEL_DTYPES, type ModelDtype } from '../model/types';

/** The shortest chunk whose kept steps still see their whole receptive field (../pipeline/memory-budget.ts). */
const MIN_CHUNK_FRAMES = 128;
const MiB = 1024 * 1024;

/** Which streams, which models, which precision and device, which decode rate. */
export function SettingsPanel() {
  const settings = useStore((s) => s.settings);
  const models = useStore((s) => s.models);
  const setSettings = useStore((s) => s.setSettings);
  const running = useStore((s) => s.running);

  const toggleStream = (stream: StreamName, on: boolean) => {
    const streams = on ? [...new Set([...settings.streams, stream])] : settings.streams.filter((s) => s !== stream);
    setSettings({ streams: (['rgb', 'flow'] as const).filter((s) => streams.includes(s)) });
  };

  return (
    <section className="panel settings" data-testid="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <fieldset disabled={running}>
        {(['rgb', 'flow'] as const).map((stream) => (
          <div className="row" key={stream}>
            <label>
              <input
                type="checkbox"
                checked={settings.streams.includes(stream)}
                onChange={(e) => toggleStream(stream, e.target.checked)}
                data-testid={`stream-${stream}`}
              />{' '}
              {stream === 'rgb' ? 'RGB stream' : 'Flow stream (TV-L1)'}
            </label>
            <select
              value={settings.models[stream] ?? ''}
              onChange={(e) => setSettings({ models: { ...settings.models, [stream]: e.target.value || undefined } })}
              aria-label={`${stream === 'rgb' ? 'RGB' : 'Flow'} model`}
              data-testid={`model-${stream}`}
            >
              <option value="">— no {stream} model —</option>
              {models
                .filter((m) => m.modality === stream)
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name} ({m.classes} classes)
                  </option>
                ))}
            </select>
          </div>
        ))}
        <div className="row">
          <label>
            Precision{' '}
            <select value={settings.dtype} onChange={(e) => setSettings({ dtype: e.target.value as ModelDtype })} data-testid="dtype">
              {MODEL_DTYPES.map((d) => (
                <option key={d} value={d}>
                  {d === 'q8' ? 'q8 (int8 weights, default)' : d === 'fp16' ? 'fp16' : 'fp32 (reference)'}
                </option>
              ))}
            </select>
          </label>
          <label>
            Device{' '}
            <select value={settings.device} onChange={(e) => setSettings({ device: e.target.value as typeof settings.device })} data-testid="device">
              <option value="auto">auto (WebGPU if available)</option>
              <option value="webgpu">WebGPU</option>
              <option value="wasm">CPU (WebAssembly)</option>
            </select>
          </label>
          <label>
            Frame rate{' '}
            <input
              type="number"
              min={0.1}
              step="any"
              placeholder="every frame"
              value={settings.fps ?? ''}
              onChange={(e) => setSettings({ fps: e.target.value === '' ? null : Number(e.target.value) })}
              data-testid="fps"
            />
          </label>
          <label>
            Only the first{' '}
            <input
              type="number"
              min={2}
              step={1}
              placeholder="all"
              value={settings.maxFrames ?? ''}
              onChange={(e) => setSettings({ maxFrames: e.target.value === '' ? null : Math.max(2, Math.floor(Number(e.target.value))) })}
              data-testid="max-frames"
              className="short"
            />{' '}
            frames
          </label>
          <label>
            Chunks of{' '}
            <input
              type="number"
              min={MIN_CHUNK_FRAMES}
              step={16}
              placeholder="auto"
              value={settings.maxChunkFrames ?? ''}
              onChange={(e) =>
                setSettings({
                  maxChunkFrames: e.target.value === '' ? null : Math.max(MIN_CHUNK_FRAMES, Math.floor(Number(e.target.value) || MIN_CHUNK_FRAMES)),
                })
              }
              data-testid="chunk"
              className="short"
              title="Frames per model pass: longer videos run in exact overlapping chunks (smaller: less memory; an interrupted video resumes from its last finished chunk). Empty: chosen with the model's form from the memory budget (the least model time that fits)"
            />{' '}
            frames
          </label>
          <label>
            Memory budget{' '}
            <input
              type="number"
              min={256}
              step={256}
              placeholder="auto"
              value={settings.memoryBudgetBytes ? Math.round(settings.memoryBudgetBytes / MiB) : ''}
              onChange={(e) =>
                setSettings({ memoryBudgetBytes: e.target.value === '' ? null : Math.max(256, Math.floor(Number(e.target.value) || 256)) * MiB })
              }
              disabled={settings.maxChunkFrames !== null}
              data-testid="memory-budget"
              className="short"
              title="What the extraction may use (MiB), all of the browser's processes: it picks the chunk length (an explicit one wins) and the WebAssembly model's form (a tight budget runs one that holds less, a little slower). Empty: half of the device's memory as the browser reports it (at most 8 GiB)"
            />{' '}
            MiB
          </label>
          <label>
            Flow values{' '}
            <select value={settings.flowMode} onChange={(e) => setSettings({ flowMode: e.target.value as 'float' | 'jpeg8' })} data-testid="flow-mode">
              <option value="float">float</option>
              <option value="jpeg8">8-bit (classic JPEG flow)</option>
            </select>
          </label>
        </div>
      </fieldset>
    </section>
  );
}
