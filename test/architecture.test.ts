/**
 * The dependency rule, checked on the source: no import cycle between
 * folders, no adapter (a broker SDK, the database, Discord) inside the core,
 * and every front end going through the operator service.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

/**
 * The folders, what each holds, and every other folder it may import (→).
 * Any folder may import domain/. The test below fails on an import the
 * picture does not show, so a new dependency is a visible decision, and the
 * cycle test fails on any import that points back. docs/architecture.md
 * shows this same picture.
 */
export const FOLDER_PICTURE = `
commands/         one file per command: options, then a call to the service   → operator, views, monitor
src/main.ts       composition root: picks the broker and the database          → config, logger, broker, db, operator, monitor, portfolio, signals/webhook, dashboard
src/operator/     console/ and discord/ front ends, dispatch; app.ts wires     → app, views, config, logger, execution, signals, broker/sim
src/monitor/      scheduled cycle, alerts, daily report                        → app, views, config, logger, portfolio, db, chart
src/dashboard/    web dashboard: Hono server, pages (htmx), JSON API, actions  → app, views, logger, httpServers
src/signals/webhook/  signed HTTP intake of signals                            → logger, httpServers
src/views/        presentation shared by the front ends (data in, views out)   → app, execution, portfolio, signals
src/backtest/sweep/  sweeps: the grid, worker threads, a scratch store per run  → backtest, execution, db
src/backtest/     bar replay: input files, fill rules, BacktestBroker, reports    → execution, portfolio, chart
src/app/          OperatorService: every operator action, returning data       → execution, portfolio, signals, backtest, chart
src/signals/      approval workflow                                            → execution
src/execution/    OrderExecutor, sizing, the trading engine                    → portfolio, risk
src/chart/        equity chart: ECharts to SVG to PNG (daily report, backtest) → portfolio
src/portfolio/    order ledger, positions, reconciliation, analytics
src/risk/         RiskManager, trading state
src/domain/       Order, Position, Account, TradingSignal, enums, order state table, broker and store ports
src/config.ts     zod-validated environment; brokers add their variables      → broker, envVars
src/envVars.ts    shared parsers of environment values
src/httpServers.ts  shared by the HTTP servers: listen failures explained, shutdown
src/logger.ts     pino, secrets redacted
src/broker/       registry.ts: the broker plug-ins, one line each              → broker/alpaca, broker/sim
src/broker/alpaca/  adapter over the Alpaca SDK                                → envVars
src/broker/sim/   the paper simulator and its Alpaca-compatible server         → envVars
src/db/           repositories implementing the store ports                    → db/sqlite, broker/sim
src/db/sqlite/    SQLite specifics: connection, functions, migrations
`;

/** The folder nodes of the picture and what each may import. */
export function pictureEdges(picture: string): Map<string, Set<string>> {
  const allowed = new Map<string, Set<string>>();
  for (const line of picture.split('\n')) {
    const m = /^(\S+)\s.*?(?:→\s*(.+))?$/.exec(line.trim());
    if (!m?.[1]) continue;
    const node = nodeOf(m[1].replace(/\/$/, '/x.ts'));
    if (node === null) continue;
    allowed.set(
      node,
      new Set(
        (m[2] ?? '')
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean),
      ),
    );
  }
  return allowed;
}

/** Adapter folders nested in another folder that count as nodes of their own. */
const OWN_NODES = ['src/backtest/sweep', 'src/broker/alpaca', 'src/broker/sim', 'src/broker/ibkr', 'src/db/sqlite', 'src/db/postgres', 'src/signals/webhook'];

/** The core: it holds the rules and must not know which broker, database or chat it runs with. */
const CORE = ['src/domain', 'src/app', 'src/execution', 'src/portfolio', 'src/risk', 'src/signals'];
const NOT_CORE = ['src/signals/webhook'];
/** Adapter folders (under src/) and packages the core must never import. */
const ADAPTER_DIRS = ['src/broker/alpaca', 'src/broker/sim', 'src/broker/ibkr', 'src/db'];
const ADAPTER_PACKAGES = ['discord.js', '@discordjs/', '@alpacahq/alpaca-trade-api', 'better-sqlite3', '@stoqey/ib', 'pg'];
/** Front ends: they reach the application through the operator service only. */
const FRONT_ENDS = ['commands', 'src/operator', 'src/monitor', 'src/signals/webhook', 'src/dashboard'];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const within = (rel: string, dirs: readonly string[]) => dirs.some((d) => rel === d || rel.startsWith(`${d}/`));

/** Every module a file imports, re-exports or loads (`import type` included: a type is a dependency too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)) {
    specs.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return specs;
}

/** A relative import resolved to a repository path (`src/db/index.ts`); null for a package. */
function resolved(fromRel: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(ROOT, resolve(ROOT, dirname(fromRel), spec)).replace(/\.js$/, '.ts');
}

/** The folder node a repository path belongs to: `operator`, `broker/sim`, `commands`, `config` (a file at the top of src/). */
export function nodeOf(rel: string): string | null {
  if (rel.startsWith('commands/')) return 'commands';
  if (!rel.startsWith('src/')) return null;
  const own = OWN_NODES.find((d) => within(rel, [d]));
  if (own) return own.slice('src/'.length);
  const [top] = rel.slice('src/'.length).split('/');
  return top ? top.replace(/\.ts$/, '') : null;
}

interface Edge {
  from: string;
  to: string;
  /** One import that makes the edge, for the message. */
  example: string;
}

function folderGraph(): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'commands'))]) {
    const rel = relative(ROOT, file);
    const from = nodeOf(rel);
    if (from === null) continue;
    for (const spec of importsOf(file)) {
      const target = resolved(rel, spec);
      const to = target === null ? null : nodeOf(target);
      if (to === null || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, Edge>();
      graph.set(from, edges);
      if (!edges.has(to)) edges.set(to, { from, to, example: `${rel} imports ${spec}` });
    }
  }
  return graph;
}

/** The strongly connected groups of more than one folder (Tarjan): each holds at least one cycle. */
function cyclicGroups(graph: Map<string, Map<string, Edge>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return groups;
}

/** The shortest chain of imports from folder `from` to folder `to` inside a group (empty when there is none). */
function shortestPath(from: string, to: string, group: readonly string[], graph: Map<string, Map<string, Edge>>): Edge[] {
  const members = new Set(group);
  const previous = new Map<string, Edge>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const v = queue.shift() ?? from;
    for (const edge of graph.get(v)?.values() ?? []) {
      if (!members.has(edge.to) || seen.has(edge.to)) continue;
      seen.add(edge.to);
      previous.set(edge.to, edge);
      if (edge.to === to) {
        const path: Edge[] = [];
        for (let at = to; at !== from;) {
          const step = previous.get(at);
          if (!step) break;
          path.unshift(step);
          at = step.from;
        }
        return path;
      }
      queue.push(edge.to);
    }
  }
  return [];
}

/** The cycles of a group, one through each import between its folders that no cycle printed before it used. */
function cyclesOf(group: readonly string[], graph: Map<string, Map<string, Edge>>): Edge[][] {
  const shown = new Set<Edge>();
  const cycles: Edge[][] = [];
  for (const from of group) {
    for (const edge of graph.get(from)?.values() ?? []) {
      if (!group.includes(edge.to) || shown.has(edge)) continue;
      const cycle = [edge, ...shortestPath(edge.to, from, group, graph)];
      for (const e of cycle) shown.add(e);
      cycles.push(cycle);
    }
  }
  return cycles;
}

describe('the dependency rule', () => {
  it('has no import cycle between folders', () => {
    const graph = folderGraph();
    const cycles = cyclicGroups(graph)
      .flatMap((group) => cyclesOf(group, graph))
      .map((cycle) => `${[...cycle.map((e) => e.from), cycle[0]?.from ?? ''].join(' → ')}\n${cycle.map((e) => `    ${e.example}`).join('\n')}`);
    expect(cycles, `import cycles between folders:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('reports a cycle it is shown, with the imports that make it', () => {
    const edge = (from: string, to: string): [string, Edge] => [to, { from, to, example: `${from} imports ${to}` }];
    const graph = new Map([
      ['monitor', new Map([edge('monitor', 'operator')])],
      ['operator', new Map([edge('operator', 'monitor'), edge('operator', 'app')])],
      ['app', new Map<string, Edge>()],
    ]);
    const groups = cyclicGroups(graph);
    expect(groups).toEqual([['monitor', 'operator']]);
    expect(cyclesOf(groups[0] ?? [], graph).map((cycle) => cycle.map((e) => e.example))).toEqual([['monitor imports operator', 'operator imports monitor']]);
    expect([
      nodeOf('src/broker/sim/engine.ts'),
      nodeOf('src/broker/errors.ts'),
      nodeOf('src/db/sqlite/x.ts'),
      nodeOf('src/db/index.ts'),
      nodeOf('src/config.ts'),
      nodeOf('commands/buy.ts'),
    ]).toEqual(['broker/sim', 'broker', 'db/sqlite', 'db', 'config', 'commands']);
  });

  it('keeps every adapter out of the core: no broker SDK or adapter, no database code, no discord.js', () => {
    const offenders: string[] = [];
    for (const file of CORE.flatMap((d) => sourceFiles(join(ROOT, d)))) {
      const rel = relative(ROOT, file);
      if (within(rel, NOT_CORE)) continue;
      for (const spec of importsOf(file)) {
        const target = resolved(rel, spec);
        const adapter = target === null ? ADAPTER_PACKAGES.some((p) => spec === p || (p.endsWith('/') && spec.startsWith(p))) : within(target, ADAPTER_DIRS);
        if (adapter) offenders.push(`${rel} imports ${spec}`);
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

  it('keeps the application core free of front ends and presentation: it returns data they format', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src/app'))) {
      const rel = relative(ROOT, file);
      for (const spec of importsOf(file)) {
        const node = nodeOf(resolved(rel, spec) ?? '');
        if (node === 'operator' || node === 'monitor' || node === 'views' || node === 'dashboard' || node === 'commands' || node === 'signals/webhook')
          offenders.push(`${rel} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has every front end (commands, console, Discord, monitor, webhook) call the operator service, never the engine, the broker or the store', () => {
    const offenders: string[] = [];
    for (const file of FRONT_ENDS.flatMap((d) => sourceFiles(join(ROOT, d)))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bapp\.(engine|broker|store|approvals|sim)\b/g))
        offenders.push(`${relative(ROOT, file)} uses app.${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });

  it('has every import between folders drawn in the folder picture', () => {
    const allowed = pictureEdges(FOLDER_PICTURE);
    const undrawn: string[] = [];
    for (const [from, edges] of folderGraph()) {
      for (const edge of edges.values()) {
        if (edge.to === 'domain') continue;
        if (!allowed.has(from)) undrawn.push(`${from} is not in the picture (${edge.example})`);
        else if (!allowed.get(from)?.has(edge.to)) undrawn.push(`${from} → ${edge.to} is not drawn (${edge.example})`);
      }
    }
    expect(undrawn).toEqual([]);
  });

  it('reads the picture as the folders and their arrows', () => {
    const edges = pictureEdges(FOLDER_PICTURE);
    expect([...(edges.get('execution') ?? [])]).toEqual(['portfolio', 'risk']);
    expect([...(edges.get('broker/alpaca') ?? [])]).toEqual(['envVars']);
    expect(edges.get('domain')?.size).toBe(0);
    expect(edges.has('main') && edges.has('commands') && edges.has('signals/webhook') && edges.has('db/sqlite')).toBe(true);
  });

  it('docs/architecture.md shows the folder picture this test checks', () => {
    expect(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8')).toContain(FOLDER_PICTURE.trim());
  });
});
