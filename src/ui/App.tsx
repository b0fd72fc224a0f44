import { useCallback } from 'react';
import { useStore } from '../state/store';
import { DropZone } from './DropZone';
import { ModelsPanel } from './ModelsPanel';
import { QueueList } from './QueueList';
import { SettingsPanel } from './SettingsPanel';
import { Toolbar } from './Toolbar';

const isCheckpoint = (f: File) => /\.(pt|pth)$/i.test(f.name);

export function App() {
  const addFiles = useStore((s) => s.addFiles);
  const importModel = useStore((s) => s.importModel);
  const onFiles = useCallback(
    (files: File[]) => {
      for (const f of files.filter(isCheckpoint)) void importModel({ file: f, name: f.name });
      const videos = files.filter((f) => !isCheckpoint(f));
      if (videos.length > 0) addFiles(videos);
    },
    [addFiles, importModel],
  );
  return (
    <div className="app">
      <header>
        <h1>I3D features</h1>
        <p>
          I3D <code>fc</code> and <code>map</code> features and Charades/Kinetics predictions for your videos, computed in this browser tab.
        </p>
      </header>
      <main>
        <ModelsPanel />
        <SettingsPanel />
        <DropZone onFiles={onFiles} />
        <Toolbar />
        <QueueList />
      </main>
    </div>
  );
}
