/**
 * Preload for the start-up benchmark (`node --import ./bench/traceModules.mjs`):
 * appends the URL of every module the process loads, ES modules as they load
 * and CommonJS ones at exit, to the file named by CATALYST_TRACE_MODULES.
 * Plain JavaScript: it runs inside the compiled bot, without tsx.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const out = process.env.CATALYST_TRACE_MODULES;

// This file is also the loader hook; the hook runs on its own thread, where it must not register again.
if (out && isMainThread) {
  register(import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      out,
      Object.keys(cache)
        .map((path) => `${pathToFileURL(path).href}\n`)
        .join(''),
    );
  });
}

export async function load(url, context, next) {
  if (out) appendFileSync(out, `${url}\n`);
  return next(url, context);
}
