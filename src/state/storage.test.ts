import { describe, expect, it } from 'vitest';
import { leftoverFiles, unownedResults } from './storage';

describe('unownedResults', () => {
  it('lists the folders no queue entry owns; files (bundles) are never cleaned up', () => {
    const r = (id: string, folder = true) => ({ id, bytes: 1, folder, name: id, complete: true });
    const results = [r('a'), r('b'), r('all.zip', false), r('c')];
    expect(unownedResults(results, new Set(['a', 'c'])).map((x) => x.id)).toEqual(['b']);
    expect(unownedResults(results, new Set())).toHaveLength(3);
  });
});

describe('leftoverFiles', () => {
  it('lists the unfinished files beside the folders: not a finished bundle, not a folder', () => {
    const r = (id: string, folder = false, complete = !id.endsWith('.part')) => ({ id, bytes: 1, folder, name: id, complete });
    expect(leftoverFiles([r('all.zip'), r('all.zip.part'), r('x', true, false)]).map((x) => x.id)).toEqual(['all.zip.part']);
  });
});
