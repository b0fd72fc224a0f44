/// <reference lib="webworker" />
/** The pipeline worker: the pipeline service (../pipeline/job.ts) on the browser's engines, exposed to the bridge. */
import { expose } from 'comlink';
import './transfer-errors';
import { createPipeline } from '../pipeline/job';
import { browserJobEnv } from './browser-env';
import { withJobs } from './jobs';
import { holdLifeLock } from '../platform/liveness';

void holdLifeLock();

expose(withJobs(createPipeline(browserJobEnv())));
