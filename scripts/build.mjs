/**
 * Compiles src/ and commands/ to dist/ (tsconfig.build.json), only when a
 * source is newer than the last successful build: `npm install` runs it as
 * `prepare` and `npm start` before starting, so an edited file takes effect on
 * the next start while an unchanged tree costs a directory walk, not a compile.
 * Compiled files whose source is gone are deleted, since the command loader
 * loads every file in dist/commands/.
 *
 * Plain JavaScript: it runs before anything is compiled and without tsx.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
/** Written after a successful compile, dated when that compile began. */
const STAMP = join(OUT, '.built');
/** tsc's record of the last compile (tsconfig.build.json names it). */
const BUILD_INFO = join(OUT, '.tsbuildinfo');
const SOURCE_DIRS = ['src', 'commands'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

/** Every file below `dir` (none when it does not exist). */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

const isSource = (file) => file.endsWith('.ts') && !file.endsWith('.d.ts');
const compiledPath = (source) => join(OUT, relative(ROOT, source)).replace(/\.ts$/, '.js');

function removeOrphans() {
  let removed = 0;
  for (const dir of SOURCE_DIRS) {
    for (const file of walk(join(OUT, dir))) {
      if (!file.endsWith('.js')) continue;
      const source = join(ROOT, relative(OUT, file)).replace(/\.js$/, '.ts');
      if (!existsSync(source)) {
        rmSync(file);
        removed++;
      }
    }
  }
  return removed;
}

/** Why dist/ must be rebuilt (null when it is current), and whether from scratch. */
function staleness(sources) {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : -Infinity;
  // tsc -b does not write again an output its build info records as written, so an output missing
  // for a source the last build compiled needs a build from scratch; a new source's is simply built.
  for (const file of sources) {
    if (!existsSync(compiledPath(file)) && statSync(file).mtimeMs <= built) return { reason: `${relative(ROOT, compiledPath(file))} is missing`, full: true };
  }
  if (built === -Infinity) return { reason: 'no finished build', full: false };
  for (const file of [...sources, ...CONFIGS.map((c) => join(ROOT, c))]) {
    if (statSync(file).mtimeMs > built) return { reason: `${relative(ROOT, file)} changed`, full: false };
  }
  return null;
}

function compile() {
  let tsc;
  try {
    tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    throw new Error('TypeScript is not installed: run `npm install` (it is a dev dependency) to build dist/');
  }
  const started = new Date();
  try {
    // -b skips files whose outputs are current, so a one-file edit recompiles little.
    execFileSync(process.execPath, [tsc, '-b', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    // tsc -b trusts any source older than its build info without reading it. Dated when the compile
    // began, a file saved while it ran is newer, so tsc compares its content next time.
    if (existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, started, started);
  }
  return started;
}

function main() {
  const sources = SOURCE_DIRS.flatMap((dir) => walk(join(ROOT, dir))).filter(isSource);
  const orphans = removeOrphans();
  const stale = staleness(sources);
  if (stale === null) {
    if (process.argv.includes('--verbose')) process.stderr.write(`dist/ is up to date${orphans ? ` (${orphans} stale file(s) removed)` : ''}\n`);
    return;
  }
  process.stderr.write(`building dist/ (${stale.reason})…\n`);
  // The stamp goes first so that a failed compile leaves the tree stale for the next run.
  rmSync(STAMP, { force: true });
  if (stale.full) rmSync(BUILD_INFO, { force: true });
  const started = compile();
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  // Dated like the build info, for the same reason.
  utimesSync(STAMP, started, started);
  process.stderr.write(`built dist/ in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
