import { describe, expect, it } from 'vitest';
import { MemoryDir } from '../io/output';
import { describeResults } from './results';

async function dirWith(files: Record<string, string>): Promise<MemoryDir> {
  const dir = new MemoryDir();
  for (const [name, text] of Object.entries(files)) {
    const f = await dir.create(name);
    await f.write(new TextEncoder().encode(text));
    await f.close();
  }
  return dir;
}

describe('describeResults', () => {
  it('names a finished folder from meta.json, an interrupted one from its resume record, others by id; temporary files are not complete', async () => {
    const folders = new Map<string, MemoryDir>([
      ['a', await dirWith({ 'meta.json': JSON.stringify({ source: { name: 'cat.mp4', bytes: 1 } }), 'rgb_fc.npy': 'x' })],
      ['b', await dirWith({ '.resume.json': JSON.stringify({ key: JSON.stringify({ source: ['dog.webm', 5, 1] }) }) })],
      ['c', await dirWith({ 'rgb_fc.npy': 'x' })],
      ['d', await dirWith({ 'meta.json': '{ cut off' })],
      ['e', await dirWith({ '.resume.json': JSON.stringify({ key: JSON.stringify({ source: ['eel.mp4', 5, 1] }) }), 'rgb_fc.npy': 'x' })],
    ]);
    // a meta.json whose write stopped (a full disk) is only its temporary file: the folder is not complete
    const f = await (folders.get('e') as MemoryDir).create('meta.json');
    await f.write(new TextEncoder().encode('{ cut off'));
    await f.abandon();
    const entries = [
      { id: 'a', bytes: 10, folder: true },
      { id: 'b', bytes: 20, folder: true },
      { id: 'c', bytes: 30, folder: true },
      { id: 'd', bytes: 40, folder: true },
      { id: 'e', bytes: 45, folder: true },
      { id: 'all.zip', bytes: 50, folder: false },
      { id: 'all.zip.part', bytes: 60, folder: false },
    ];
    const got = await describeResults(entries, async (id) => folders.get(id) as MemoryDir);
    expect(got).toEqual([
      { id: 'a', bytes: 10, folder: true, name: 'cat.mp4', complete: true },
      { id: 'b', bytes: 20, folder: true, name: 'dog.webm', complete: false },
      { id: 'c', bytes: 30, folder: true, name: 'c', complete: false },
      { id: 'd', bytes: 40, folder: true, name: 'd', complete: true },
      { id: 'e', bytes: 45, folder: true, name: 'eel.mp4', complete: false },
      { id: 'all.zip', bytes: 50, folder: false, name: 'all.zip', complete: true },
      { id: 'all.zip.part', bytes: 60, folder: false, name: 'all.zip.part', complete: false },
    ]);
  });
});
