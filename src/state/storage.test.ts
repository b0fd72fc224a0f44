import { describe, expect, it } from 'vitest';
import { unownedResults } from './storage';

describe('unownedResults', () => {
  it('lists the folders no queue entry owns; files (bundles) are never cleaned up', () => {
    const r = (id: string, folder = true) => ({ id, bytes: 1, folder, name: id, complete: true });
    const results = [r('a'), r('b'), r('all.zip', false), r('c')];
    expect(unownedResults(results, new Set(['a', 'c'])).map((x) => x.id)).toEqual(['b']);
    expect(unownedResults(results, new Set())).toHaveLength(3);
  });
});
