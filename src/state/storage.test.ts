import { describe, expect, it } from 'vitest';
import { leftoverFiles, unownedResults, withResult } from './storage';

describe('unownedResults', () => {
  it('lists the folders no queue entry owns; files (bundles) are never cleaned up', () => {
    const r = (id: string, folder = true) => ({ id, bytes: 1, folder, name: id, complete: true });
    const results = [r('a'), r('b'), r('all.zip', false), r('c')];
    expect(unownedResults(results, new Set(['a', 'c'])).map((x) => x.id)).toEqual(['b']);
    expect(unownedResults(results, new Set())).toHaveLength(3);
  });
});

describe('withResult', () => {
  const r = (id: string, bytes = 1) => ({ id, bytes, folder: true, name: id, complete: true });
  it('puts a new entry where a listing (sorted by id) would have it', () => {
    expect(withResult([r('a'), r('c')], r('b')).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(withResult([r('a'), r('c')], r('d')).map((x) => x.id)).toEqual(['a', 'c', 'd']);
    expect(withResult([], r('a')).map((x) => x.id)).toEqual(['a']);
  });
  it('replaces an entry of the same id (a resumed or retried video), keeping one', () => {
    const out = withResult([r('a'), r('b', 5), r('c')], r('b', 9));
    expect(out.map((x) => [x.id, x.bytes])).toEqual([
      ['a', 1],
      ['b', 9],
      ['c', 1],
    ]);
  });
});

describe('leftoverFiles', () => {
  it('lists the unfinished files beside the folders: not a finished bundle, not a folder', () => {
    const r = (id: string, folder = false, complete = !id.endsWith('.part')) => ({ id, bytes: 1, folder, name: id, complete });
    expect(leftoverFiles([r('all.zip'), r('all.zip.part'), r('x', true, false)]).map((x) => x.id)).toEqual(['all.zip.part']);
  });
});
