/** Saving results from OPFS to the user's disk (main thread): the File is disk-backed, nothing is copied. */
import { opfsDir } from './opfs';

/** A file in OPFS as a disk-backed File. */
export async function opfsFile(path: string[]): Promise<File> {
  const dir = await opfsDir(...path.slice(0, -1));
  return (await dir.getFileHandle(path[path.length - 1])).getFile();
}

export async function downloadFromOpfs(path: string[], saveAs: string): Promise<void> {
  const file = await opfsFile(path);
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = saveAs;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
