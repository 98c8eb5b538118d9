import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and its missing parents, one level at a time. Node's own
 * `mkdirSync(dir, { recursive: true })` loops forever when a level can never
 * be made (mkdir under /proc answers ENOENT with the parent present); this
 * fails at once, naming the folder it could not create.
 */
export function ensureFolder(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  const statOf = (path: string) => {
    try {
      return statSync(path, { throwIfNoEntry: false });
    } catch (error) {
      // A file somewhere above: this level is missing; the walk up finds the file.
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
  };
  for (;;) {
    const kind = statOf(at);
    if (kind) {
      if (!kind.isDirectory()) throw new Error(`${at} is not a folder`);
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statOf(folder)?.isDirectory()) continue;
      throw new Error(`cannot create the folder ${folder}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
