import { useCallback } from 'react';
import { useStore } from '../state/store';
import { Announcer } from './Announcer';
import { CapabilitiesPanel } from './CapabilitiesPanel';
import { DropZone } from './DropZone';
import { sortIntake, type Intake } from './intake';
import { IntakeNotice } from './IntakeNotice';
import { ModelsPanel } from './ModelsPanel';
import { QueueList } from './QueueList';
import { SettingsPanel } from './SettingsPanel';
import { StoragePanel } from './StoragePanel';
import { Toolbar } from './Toolbar';
import { UpdatePrompt } from './UpdatePrompt';

export function App() {
  const addFiles = useStore((s) => s.addFiles);
  const importModel = useStore((s) => s.importModel);
  const onIntake = useCallback(
    (intake: Intake<File>) => {
      const { videos, checkpoints, skipped } = sortIntake(intake);
      for (const f of checkpoints) void importModel({ file: f, name: f.name });
      if (videos.length > 0 || skipped > 0) addFiles(videos, { skipped });
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
        <UpdatePrompt />
        <ModelsPanel />
        <SettingsPanel />
        <DropZone onIntake={onIntake} />
        <IntakeNotice />
        <Toolbar />
        <QueueList />
        <StoragePanel />
        <CapabilitiesPanel />
        <Announcer />
      </main>
    </div>
  );
}
