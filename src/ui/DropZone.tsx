import { useEffect, useRef, useState, type ChangeEvent } from 'react';

/** Accepts files dropped anywhere on the page, or chosen with the picker. */
export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  useEffect(() => {
    const onDragOver = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setOver(true);
    };
    const onDragLeave = (e: DragEvent) => {
      if (e.relatedTarget === null) setOver(false);
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 0) onFiles(files);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [onFiles]);

  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    if (files.length > 0) onFiles(files);
  };

  return (
    <section className={over ? 'dropzone over' : 'dropzone'} data-testid="dropzone">
      <p>
        Drop videos anywhere on this page, or{' '}
        <button type="button" onClick={() => input.current?.click()}>
          choose files
        </button>
      </p>
      <p className="hint">Everything runs on this computer: the videos never leave it.</p>
      <input ref={input} type="file" multiple accept="video/*,.mkv,.avi,.mov,.webm,.mp4" hidden onChange={onPick} data-testid="file-input" />
    </section>
  );
}
