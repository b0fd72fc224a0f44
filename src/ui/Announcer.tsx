import { useEffect, useRef, useState } from 'react';
import { useStore } from '../state/store';
import { announce, type Announced } from './announce';
import { phase } from './Progress';

/** A polite live region: each video's state changes, and every 10% of a running one ("video.mp4: 40% — flow"). */
export function Announcer() {
  const queue = useStore((s) => s.queue);
  const memory = useRef(new Map<string, Announced>());
  const [text, setText] = useState('');
  useEffect(() => {
    const said = announce(
      queue.map((q) => ({ id: q.id, name: q.name, status: q.status, fraction: q.fraction ?? 0, phase: phase(q.progress), error: q.error?.message })),
      memory.current,
    );
    memory.current = said.memory;
    if (said.text) setText(said.text);
  }, [queue]);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
      {text}
    </div>
  );
}
