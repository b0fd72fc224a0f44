import { describe, expect, it } from 'vitest';
import { announce, announceOne, type AnnounceInput } from './announce';

const item = (patch: Partial<AnnounceInput>): AnnounceInput => ({ id: 'v1', name: 'video.mp4', status: 'running', fraction: 0, phase: 'decoding', ...patch });

describe('announce', () => {
  it('says a running video’s tenth and phase when either changes, and nothing in between', () => {
    let s = announceOne(item({}), undefined);
    expect(s.text).toBe('video.mp4: 0% — decoding');
    s = announceOne(item({ fraction: 0.05 }), s.state);
    expect(s.text).toBeNull();
    s = announceOne(item({ fraction: 0.12 }), s.state);
    expect(s.text).toBe('video.mp4: 10% — decoding');
    s = announceOne(item({ fraction: 0.13, phase: 'flow' }), s.state);
    expect(s.text).toBe('video.mp4: 10% — flow');
    s = announceOne(item({ fraction: 0.41, phase: 'flow' }), s.state);
    expect(s.text).toBe('video.mp4: 40% — flow');
    s = announceOne(item({ status: 'done', fraction: 1, phase: 'writing' }), s.state);
    expect(s.text).toBe('video.mp4: done');
    expect(announceOne(item({ status: 'done', fraction: 1 }), s.state).text).toBeNull();
  });

  it('says failures with their message, and not the settled videos restored at start', () => {
    expect(announceOne(item({ status: 'error', error: 'bad file' }), { status: 'running', tenth: 3, phase: 'flow' }).text).toBe('video.mp4: failed — bad file');
    expect(announceOne(item({ status: 'done' }), undefined).text).toBeNull();
    expect(announceOne(item({ status: 'ready' }), undefined).text).toBeNull();
  });

  it('joins the lines of several videos and remembers each', () => {
    const first = announce([item({}), item({ id: 'v2', name: 'b.mp4', status: 'queued' })], new Map());
    expect(first.text).toBe('video.mp4: 0% — decoding');
    const second = announce([item({ status: 'done' }), item({ id: 'v2', name: 'b.mp4', fraction: 0 })], first.memory);
    expect(second.text).toBe('video.mp4: done. b.mp4: 0% — decoding');
  });
});
