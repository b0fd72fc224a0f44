import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { pickedFolder, VIDEO_ACCEPT, type Intake } from './intake';
import { readDrop } from './intake-dom';

/** Accepts files and folders dropped anywhere on the page, or chosen with the pickers. */
export function DropZone({ onIntake }: { onIntake: (intake: Intake<File>) => void }) {
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  useEffect(() => {
    // not a React attribute: set on the element (Chromium, Firefox and Safari all know it)
    if (folderInput.current) folderInput.current.webkitdirectory = true;
  }, []);

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
      if (!e.dataTransfer) return;
      readDrop(e.dataTransfer).then(
        (intake) => {
          if (intake.chosen.length + intake.inFolders.length + intake.unreadable > 0) onIntake(intake);
        },
        () => undefined,
      );
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [onIntake]);

  const onPickFiles = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    if (files.length > 0) onIntake({ chosen: files, inFolders: [], unreadable: 0 });
  };
  const onPickFolder = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    if (files.length > 0) onIntake(pickedFolder(files));
  };

  return (
    <section className={over ? 'dropzone over' : 'dropzone'} data-testid="dropzone">
      <p>
        Drop videos or folders of videos anywhere on this page, or{' '}
        <button type="button" onClick={() => filesInput.current?.click()}>
          choose files
        </button>{' '}
        or{' '}
        <button type="button" onClick={() => folderInput.current?.click()} data-testid="choose-folder">
          choose a folder
        </button>
      </p>
      <p className="hint">Everything runs on this computer: the videos never leave it.</p>
      <input ref={filesInput} type="file" multiple accept={VIDEO_ACCEPT} hidden onChange={onPickFiles} aria-label="Video files" data-testid="file-input" />
      <input ref={folderInput} type="file" hidden onChange={onPickFolder} aria-label="A folder of videos" data-testid="folder-input" />
    </section>
  );
}
