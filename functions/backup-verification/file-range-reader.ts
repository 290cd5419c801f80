/**
 * A `RangeReader` over a local file (the operator CLI, integration tests, the benchmark): each read is one
 * positioned `read(2)` of the requested range, so nothing but the asked-for bytes is loaded.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RangeReader } from './dump-reader';

/** A file opened for ranged reads; `close()` when done. */
export interface FileRangeReader extends RangeReader {
  close(): void;
}

/**
 * Opens `path` for ranged reads.
 * @throws the file system's error (ENOENT, EACCES, EISDIR) when the file cannot be opened.
 */
export function openFileRangeReader(path: string): FileRangeReader {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a directory`), { code: 'EISDIR' });
    size = stat.size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return {
    size,
    async read(start: number, endInclusive: number): Promise<Uint8Array> {
      const length = Math.max(0, Math.min(endInclusive + 1, size) - start);
      const buf = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return buf.subarray(0, done);
    },
    close: () => closeSync(fd),
  };
}
