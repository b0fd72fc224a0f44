import { describe, expect, it } from 'vitest';
import { capabilityReport, explainAuto, type Capabilities } from './policy';

const base: Capabilities = { webgpu: true, adapter: 'NVIDIA', softwareAdapter: false, shaderF16: true, isolated: true, cores: 16, storage: null };

describe('explainAuto', () => {
  it('says why auto picks each device', () => {
    expect(explainAuto(base)).toEqual({ device: 'webgpu', reason: 'a hardware WebGPU adapter (NVIDIA) is available' });
    expect(explainAuto({ ...base, adapter: 'SwiftShader', softwareAdapter: true })).toMatchObject({
      device: 'wasm',
      reason: expect.stringContaining('software'),
    });
    expect(explainAuto({ ...base, webgpu: false, adapter: null })).toEqual({ device: 'wasm', reason: 'this browser offers no WebGPU adapter' });
  });
  it('reports the threads an engine uses', () => {
    expect(capabilityReport(base).threads).toBe(8);
    expect(capabilityReport({ ...base, cores: 2 }).threads).toBe(2);
  });
});
