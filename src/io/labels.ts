/**
 * Class names of the two label sets the published checkpoints use, served by the app from /labels/.
 * Pure parsing; fetching is the caller's.
 */
export const LABEL_FILES = {
  charades: 'labels/charades_v1_classes.txt',
  kinetics: 'labels/kinetics400_labels.txt',
} as const;

export type LabelSet = keyof typeof LABEL_FILES;

/** The label set for a class count: 157 → Charades, 400 → Kinetics-400, else none (classes are numbered). */
export function labelSetFor(numClasses: number): LabelSet | null {
  if (numClasses === 157) return 'charades';
  if (numClasses === 400) return 'kinetics';
  return null;
}

/** One name per line; Charades lines are "c000 Holding some clothes" (the id is dropped). */
export function parseLabels(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^c\d{3}\s+/, ''));
}

/** Names for `numClasses` classes: the label set's when it matches, else "class 0", "class 1", …. */
export function classNames(numClasses: number, labels: Partial<Record<LabelSet, string[]>>): string[] {
  const set = labelSetFor(numClasses);
  const names = set ? labels[set] : undefined;
  if (names && names.length === numClasses) return names;
  return Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}
