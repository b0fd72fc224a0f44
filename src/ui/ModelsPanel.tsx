import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { DownloadOffer, DownloadProgress } from '../io/model-record';
import { PUBLISHED_CHECKPOINTS } from '../state/models';
import { useStore } from '../state/store';
import { formatBytes } from './format';

const STAGE_TEXT = {
  connecting: 'connecting…',
  confirm: 'download?',
  downloading: 'downloading…',
  reading: 'reading…',
  checking: 'checking…',
  storing: 'storing…',
  converting: 'converting…',
  done: 'done',
  error: 'failed',
};

/** Where a URL import comes from and how large it says it is, shown before its body is read. */
function Offer({ offer }: { offer: DownloadOffer }) {
  return (
    <span className="dim" data-testid="import-offer" data-total={offer.total ?? ''}>
      {' '}
      from <strong>{offer.host}</strong>
      {offer.redirectedTo ? <> (served by {offer.redirectedTo})</> : null}, {offer.total === null ? 'size unknown' : formatBytes(offer.total)}{' '}
    </span>
  );
}

/** Bytes received of a URL import's body: a bar and a percentage (a moving bar and the bytes when the size is unknown). */
function Received({ name, progress }: { name: string; progress: DownloadProgress }) {
  const { received, total } = progress;
  const percent = total ? Math.min(100, Math.floor((received / total) * 100)) : null;
  return (
    <>
      {' '}
      <progress
        data-testid="import-progress"
        data-received={received}
        aria-label={`download of ${name}`}
        {...(total ? { max: total, value: Math.min(received, total) } : {})}
      />{' '}
      <span className="dim" data-testid="import-received">
        {percent === null ? `${formatBytes(received)} (size unknown)` : `${percent}% (${formatBytes(received)} of ${formatBytes(total ?? 0)})`}
      </span>{' '}
    </>
  );
}

/** Imported checkpoints, and the ways to import one (file, URL, the published ones). */
export function ModelsPanel() {
  const models = useStore((s) => s.models);
  const imports = useStore((s) => s.imports);
  const loaded = useStore((s) => s.modelsLoaded);
  const refreshModels = useStore((s) => s.refreshModels);
  const importModel = useStore((s) => s.importModel);
  const removeModel = useStore((s) => s.removeModel);
  const dismissImport = useStore((s) => s.dismissImport);
  const cancelImport = useStore((s) => s.cancelImport);
  const confirmImport = useStore((s) => s.confirmImport);
  const picker = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  useEffect(() => {
    void refreshModels();
  }, [refreshModels]);

  const onUrl = (e: FormEvent) => {
    e.preventDefault();
    const u = url.trim();
    if (!u) return;
    setUrl('');
    void importModel({ url: u, name: decodeURIComponent(u.split(/[?#]/)[0]?.split('/').pop() || 'model.pt') });
  };
  const importPublished = () => {
    const ok = window.confirm(
      'Download the four published pytorch-i3d checkpoints (about 200 MB) from GitHub? This is the only request this app makes to another site.',
    );
    if (!ok) return;
    // this one confirmation names the site and the total size: the four downloads are not asked about again one by one
    for (const c of PUBLISHED_CHECKPOINTS) void importModel({ ...c, confirmed: true });
  };

  return (
    <section className="panel models" data-testid="models" aria-labelledby="models-title">
      <h2 id="models-title">Models</h2>
      {loaded && models.length === 0 && imports.length === 0 ? (
        <p className="notice" data-testid="no-models">
          No model yet. Import a pytorch-i3d checkpoint (<code>rgb_imagenet.pt</code>, <code>flow_imagenet.pt</code>, <code>rgb_charades.pt</code>,{' '}
          <code>flow_charades.pt</code>): choose the file, drop it on the page, give its URL, or fetch the published ones. It is converted here, once, and kept
          in this browser.
        </p>
      ) : null}
      <ul className="model-list">
        {models.map((m) => (
          <li key={m.id} data-testid="model" data-modality={m.modality}>
            <strong>{m.name}</strong> <span className="tag">{m.modality}</span> <span className="tag">{m.classes} classes</span>
            {m.widthDivisor !== 1 ? <span className="tag">width ÷{m.widthDivisor}</span> : null}{' '}
            <span className="dim">
              {Object.entries(m.variants)
                .map(([dtype, bytes]) => `${dtype} ${formatBytes(bytes)}`)
                .join(', ')}
            </span>
            <button type="button" className="link" onClick={() => void removeModel(m.id)} aria-label={`remove model ${m.name}`}>
              remove
            </button>
          </li>
        ))}
        {imports.map((i) => (
          <li key={i.id} data-testid="model-import" data-stage={i.stage}>
            <strong>{i.name}</strong> <span className="dim">{STAGE_TEXT[i.stage]}</span>
            {i.stage === 'confirm' && i.offer ? <Offer offer={i.offer} /> : null}
            {i.stage === 'downloading' && i.progress ? <Received name={i.name} progress={i.progress} /> : null}
            {i.stage === 'confirm' ? (
              <>
                <button type="button" onClick={() => confirmImport(i.id)} aria-label={`download ${i.name}`} data-testid="confirm-import">
                  Download
                </button>{' '}
                <button type="button" onClick={() => cancelImport(i.id)} aria-label={`cancel import of ${i.name}`} data-testid="cancel-import">
                  Cancel
                </button>
              </>
            ) : i.error ? (
              <>
                <span className="error" role="alert" data-code={i.error.code}>
                  {' '}
                  {i.error.message} {i.error.detail}
                </span>
                <button type="button" className="link" onClick={() => dismissImport(i.id)}>
                  dismiss
                </button>
              </>
            ) : (
              <button type="button" className="link" onClick={() => cancelImport(i.id)} aria-label={`cancel import of ${i.name}`} data-testid="cancel-import">
                cancel
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" onClick={() => picker.current?.click()}>
          Import checkpoint…
        </button>
        <form onSubmit={onUrl} className="url-form">
          <input
            type="url"
            placeholder="or a checkpoint URL"
            aria-label="Checkpoint URL"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            data-testid="model-url"
          />
          <button type="submit">Import URL</button>
        </form>
        <button type="button" onClick={importPublished}>
          Get the published checkpoints
        </button>
      </div>
      <input
        ref={picker}
        type="file"
        accept=".pt,.pth"
        multiple
        hidden
        data-testid="model-input"
        onChange={(e) => {
          for (const file of e.target.files ?? []) void importModel({ file, name: file.name });
          e.target.value = '';
        }}
      />
    </section>
  );
}
