import { describe, expect, it } from 'vitest';
import { intakeNotice, isVideoName, pickedFolder, sortIntake, walkEntries, type IntakeEntry } from './intake';

interface FakeFile {
  name: string;
}

const file = (name: string): IntakeEntry<FakeFile> => ({ kind: 'file', name, file: async () => ({ name }) });
const dir = (name: string, children: IntakeEntry<FakeFile>[]): IntakeEntry<FakeFile> => ({ kind: 'directory', name, entries: async () => children });
const names = (files: FakeFile[]) => files.map((f) => f.name);

describe('isVideoName', () => {
  it('knows the extensions ffmpeg opens, in any case', () => {
    for (const n of [
      'a.mp4',
      'b.MKV',
      'c.webm',
      'd.avi',
      'e.mov',
      'f.m4v',
      'g.mpg',
      'h.mpeg',
      'i.flv',
      'j.wmv',
      'k.ogv',
      'l.3gp',
      'm.ts',
      'n.MTS',
      'o.m2ts',
      'p.gif',
    ])
      expect(isVideoName(n), n).toBe(true);
  });
  it('refuses other files and names without an extension', () => {
    for (const n of ['notes.txt', 'movie.mp4.part', 'mp4', 'README', 'subs.srt', 'song.mp3', 'model.pt', '.mp4x']) expect(isVideoName(n), n).toBe(false);
  });
});

describe('walkEntries', () => {
  it('walks nested folders depth first in name order; top-level files are chosen, the rest in folders', async () => {
    const tree = [
      dir('holiday', [
        file('clip10.mp4'),
        dir('day 2', [file('b.mkv'), dir('deeper', [file('c.webm')]), file('notes.txt')]),
        file('clip2.mp4'),
        file('.DS_Store'),
        dir('.git', [file('HEAD')]),
      ]),
      file('loose.mov'),
    ];
    const got = await walkEntries(tree);
    expect(names(got.inFolders)).toEqual(['clip2.mp4', 'clip10.mp4', 'b.mkv', 'c.webm', 'notes.txt']);
    expect(names(got.chosen)).toEqual(['loose.mov']);
    expect(got.unreadable).toBe(0);
  });
  it('counts an unreadable file or folder and goes on', async () => {
    const broken: IntakeEntry<FakeFile> = { kind: 'file', name: 'gone.mp4', file: () => Promise.reject(new Error('NotFoundError')) };
    const locked: IntakeEntry<FakeFile> = { kind: 'directory', name: 'locked', entries: () => Promise.reject(new Error('SecurityError')) };
    const got = await walkEntries([dir('d', [broken, locked, file('ok.mp4')])]);
    expect(names(got.inFolders)).toEqual(['ok.mp4']);
    expect(got.unreadable).toBe(2);
  });
});

describe('sortIntake', () => {
  it('keeps videos from folders, skips the rest, sends checkpoints to the import', () => {
    const f = (name: string) => ({ name });
    const sorted = sortIntake({
      chosen: [f('odd.m4a'), f('rgb_imagenet.pt')],
      inFolders: [f('a.mp4'), f('notes.txt'), f('flow_charades.PTH'), f('b.gif'), f('cover.jpg')],
      unreadable: 1,
    });
    // a file chosen by itself is queued whatever its name (its entry then says what is wrong with it)
    expect(names(sorted.videos)).toEqual(['odd.m4a', 'a.mp4', 'b.gif']);
    expect(names(sorted.checkpoints)).toEqual(['rgb_imagenet.pt', 'flow_charades.PTH']);
    expect(sorted.skipped).toBe(3);
  });
});

describe('pickedFolder', () => {
  it('orders a picked folder by path, depth first, without hidden files', () => {
    const f = (path: string) => ({ name: path.split('/').pop() as string, webkitRelativePath: path });
    const got = pickedFolder([
      f('top/z.mp4'),
      f('top/sub/b.mp4'),
      f('top/.hidden/x.mp4'),
      f('top/sub/a.mp4'),
      f('top/.DS_Store'),
      f('top/a10.mp4'),
      f('top/a9.mp4'),
    ]);
    expect(got.inFolders.map((x) => x.webkitRelativePath)).toEqual(['top/a9.mp4', 'top/a10.mp4', 'top/sub/a.mp4', 'top/sub/b.mp4', 'top/z.mp4']);
    expect(got.chosen).toEqual([]);
  });
});

describe('intakeNotice', () => {
  it('says how many were added and skipped, or nothing when nothing was skipped', () => {
    expect(intakeNotice(12, 3)).toBe('12 videos added, 3 other files skipped');
    expect(intakeNotice(1, 1)).toBe('1 video added, 1 other file skipped');
    expect(intakeNotice(0, 2)).toBe('0 videos added, 2 other files skipped');
    expect(intakeNotice(5, 0)).toBeNull();
  });
});
