import { useStore } from '../state/store';
import { DropZone } from './DropZone';
import { QueueList } from './QueueList';

export function App() {
  const addFiles = useStore((s) => s.addFiles);
  return (
    <div className="app">
      <header>
        <h1>I3D features</h1>
        <p>
          I3D <code>fc</code> and <code>map</code> features and Charades/Kinetics predictions for your videos, computed in this
          browser tab.
        </p>
      </header>
      <main>
        <DropZone onFiles={addFiles} />
        <QueueList />
      </main>
    </div>
  );
}
