/** Part of the worker protocol (as ./transfer-errors.ts): the lock each worker holds while it lives, for the bridge's side. */
export { holdLifeLock, isLifeMessage, watchLife, workerName } from '../platform/liveness';
