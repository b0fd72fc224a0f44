// Entry of the Node flow workers (./pool-node.ts starts it by path). Worker threads cannot start from a .ts file in
// Node 20: register tsx in this thread, then load the real entry.
import { register } from 'tsx/esm/api';

register();
await import('./worker-node.ts');
