/**
 * Shards: `--shard I/N` keeps the inputs whose key (the path relative to the list's folder or the directory
 * given) hashes to I modulo N, so N processes over the same list share it out without talking to each other.
 * In an indexed batch job (Kubernetes: JOB_COMPLETION_INDEX) the index comes from the environment and the count
 * from --shards N or JOB_COMPLETIONS.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  index: number;
  count: number;
}

function integer(what: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${v}`);
  return n;
}

export function parseShard(shard: string | undefined, shards: string | undefined, env: NodeJS.ProcessEnv): Shard | null {
  let index: number;
  let count: number;
  if (shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (!m) throw new Error(`--shard must be I/N (0-based I < N), got ${shard}`);
    [index, count] = [Number(m[1]), Number(m[2])];
  } else {
    const n = shards ?? (env.JOB_COMPLETION_INDEX !== undefined ? env.JOB_COMPLETIONS : undefined);
    if (n === undefined) {
      if (shards === undefined && env.JOB_COMPLETION_INDEX === undefined) return null;
      throw new Error('JOB_COMPLETION_INDEX is set but not the shard count: give --shards N (or JOB_COMPLETIONS)');
    }
    count = integer(shards !== undefined ? '--shards' : 'JOB_COMPLETIONS', n, 1);
    if (env.JOB_COMPLETION_INDEX === undefined) throw new Error('--shards N needs JOB_COMPLETION_INDEX in the environment (or use --shard I/N)');
    index = integer('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX, 0);
  }
  if (count < 1 || index >= count) throw new Error(`shard ${index}/${count}: the index must be below the count`);
  return { index, count };
}

/** The shard (0 … count−1) an input key belongs to: sha1 of the key, its first 8 bytes modulo count. */
export function shardOf(key: string, count: number): number {
  const h = createHash('sha1').update(key).digest();
  return Number(h.readBigUInt64BE(0) % BigInt(count));
}
