/**
 * `npm run flow` as a user runs it (tsx) on the fixture's first 4 frames: the CPU backend against OpenCV, and the
 * WebGPU backend (Chromium's software adapter, the built app's harness page) against the CPU backend.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalFilter } from '../../src/decode/filter';
import { CACHE_DIR, FIXTURE, REPO_ROOT, epeStats, opencvFlowForVideo, readNpy } from './reference';

const exec = promisify(execFile);
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');
const FRAMES = 4;

async function flowCli(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(TSX, [join(REPO_ROOT, 'tools/cli/flow.ts'), FIXTURE, '--max-frames', String(FRAMES), ...args], {
    cwd: REPO_ROOT,
    maxBuffer: 1 << 20,
  });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('npm run flow', () => {
  let dir = '';
  beforeAll(async () => {
    await mkdir(CACHE_DIR, { recursive: true });
    dir = await mkdtemp(join(CACHE_DIR, 'cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--backend cpu writes (n−1, 256, 342, 2) float32 equal to OpenCV; --backend webgpu agrees with it', { timeout: 300_000 }, async () => {
    const cpuOut = join(dir, 'cpu.npy');
    const cpu = await flowCli(['--out', cpuOut]);
    expect(cpu).toMatchObject({ frames: FRAMES, pairs: FRAMES - 1, width: 342, height: 256, backend: 'cpu' });
    const flow = readNpy(cpuOut);
    expect(flow.shape).toEqual([FRAMES - 1, 256, 342, 2]);
    const ref = opencvFlowForVideo(FIXTURE, canonicalFilter(), FRAMES);
    const vsOpenCv = epeStats(flow.data as Float32Array, ref.flow.data as Float32Array);
    expect(vsOpenCv.mean).toBeLessThanOrEqual(0.01);
    expect(vsOpenCv.p999).toBeLessThanOrEqual(0.1);

    const gpuOut = join(dir, 'webgpu.npy');
    const gpu = await flowCli(['--out', gpuOut, '--backend', 'webgpu', '--batch', '2']);
    expect(gpu).toMatchObject({ pairs: FRAMES - 1, backend: 'webgpu' });
    expect(String(gpu.adapter)).not.toBe('');
    const gpuFlow = readNpy(gpuOut);
    expect(gpuFlow.shape).toEqual(flow.shape);
    const data = gpuFlow.data as Float32Array;
    expect(data.every(Number.isFinite)).toBe(true);
    const vsCpu = epeStats(data, flow.data as Float32Array);
    console.info(
      `flow CLI: cpu vs OpenCV mean EPE ${vsOpenCv.mean.toExponential(2)}; webgpu (${String(gpu.adapter)}) vs cpu mean EPE ${vsCpu.mean.toExponential(2)}, max ${vsCpu.max.toExponential(2)}`,
    );
    expect(vsCpu.mean).toBeLessThanOrEqual(0.05);
  });

  it('an unknown backend is refused with a clear message', async () => {
    await expect(flowCli(['--out', join(dir, 'x.npy'), '--backend', 'cuda'])).rejects.toThrow(/--backend must be cpu or webgpu/);
  });
});
