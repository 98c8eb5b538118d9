import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The domain core of DESIGN.md §1; broker adapters live below broker/ but are not core. */
const CORE = ['src/broker', 'src/execution', 'src/portfolio', 'src/risk', 'src/signals'];
const ADAPTER_DIRS = ['src/broker/alpaca', 'src/broker/sim'];
const FORBIDDEN = ['discord.js', '@discordjs/', '@alpacahq/alpaca-trade-api', 'better-sqlite3'];

describe('the dependency rule', () => {
  it('keeps discord.js, the Alpaca SDK and better-sqlite3 out of the domain core', () => {
    const offenders: string[] = [];
    for (const file of CORE.flatMap((d) => sourceFiles(join(ROOT, d)))) {
      const rel = relative(ROOT, file);
      if (ADAPTER_DIRS.some((a) => rel.startsWith(`${a}/`))) continue;
      const imports = [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
      for (const spec of imports) if (FORBIDDEN.some((f) => spec === f || spec.startsWith(f))) offenders.push(`${rel} imports ${spec}`);
    }
    expect(offenders).toEqual([]);
  });

  it('lets the domain core use the database only through types (main.ts hands it the store)', () => {
    const offenders: string[] = [];
    for (const file of CORE.flatMap((d) => sourceFiles(join(ROOT, d)))) {
      const rel = relative(ROOT, file);
      if (ADAPTER_DIRS.some((a) => rel.startsWith(`${a}/`))) continue;
      // Value imports (`import {`), not `import type {`, of anything under src/db.
      for (const m of readFileSync(file, 'utf8').matchAll(/import\s+(type\s+)?[^;]*?from\s+'([^']+)'/g)) {
        if (m[1] === undefined && /(^|\/)db\//.test(m[2] ?? '')) offenders.push(`${rel} imports ${m[2]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('lets only src/db write SQL', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .filter((f) => !relative(ROOT, f).startsWith('src/db/'))
      .filter((f) => /from\s+'kysely'|from\s+'better-sqlite3'/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('keeps the application core free of front ends and adapters: it returns data they format', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src/app'))) {
      const rel = relative(ROOT, file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1] ?? '';
        if (/(^|\/)(operator|monitor|dashboard)\//.test(spec) || FORBIDDEN.some((f) => spec.startsWith(f))) offenders.push(`${rel} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has every command call the operator service, never the engine, the broker or the store', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'commands')).concat(join(ROOT, 'src/operator/manualOrder.ts'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bapp\.(engine|broker|store|approvals|sim)\b/g)) offenders.push(`${relative(ROOT, file)} uses app.${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});
