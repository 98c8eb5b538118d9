/**
 * Start-up: how long `npm start` (the compiled `node dist/src/main.js`) takes
 * to show the console's first prompt with the default simulator, what that
 * cost in CPU, and how much memory the idle console holds, beside a bare
 * `node` doing nothing.
 *
 * The console prompts only on a terminal, so each start runs under a
 * pseudo-terminal (util-linux `script`) and the clock stops at the first
 * prompt it prints; CPU and memory are read from /proc at that moment.
 * One more, unmeasured, start records every module the console loaded, to
 * show that the Discord library, the chart library and the Alpaca SDK stay
 * out of it. Elsewhere than Linux the section reports that it was not measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist/src/main.js');
const TSX = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const TRACE = join(ROOT, 'bench/traceModules.mjs');
/** Packages the console must never load: each belongs to a front end, a report or a broker it does not use. */
const NOT_IN_CONSOLE = ['discord.js', 'echarts', '@alpacahq/alpaca-trade-api', '@resvg/resvg-js'];
/** The console's prompt at the start of a line (src/operator/console/ConsoleFrontEnd.ts). */
const PROMPT = /(?:^|\n)> /;
/** A start that has not prompted by then has failed; the benchmark stops with what it printed. */
const GIVE_UP_MS = 120_000;

export interface StartupFigures {
  /** Spawn to the first prompt of `node dist/src/main.js`. */
  promptMs: number;
  /** CPU time (user + system, every thread) the bot had used when it prompted. */
  cpuMs: number;
  /** Resident memory of the idle console at the prompt. */
  rssMb: number;
  /** Spawn to exit of `node -e 0`. */
  floorMs: number;
  /** Resident memory of a bare node waiting at a prompt. */
  floorRssMb: number;
  /** The same start from the TypeScript sources under tsx, as `npm start` ran before it was compiled. */
  tsxPromptMs: number;
  tsxRssMb: number;
}

/** What one console start loaded (ES modules and CommonJS files). */
export interface ModuleCensus {
  files: number;
  /** Files inside node_modules. */
  dependencyFiles: number;
  /** Packages, by name, that were loaded. */
  packages: string[];
}

export interface StartupResult {
  runs: StartupFigures[];
  modules: ModuleCensus;
}

interface Sample {
  ms: number;
  cpuMs: number;
  rssMb: number;
}

/** Whether this machine can run the section: Linux (/proc) with util-linux `script` for the terminal. */
export function canMeasureStartup(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8' }).includes('util-linux');
  } catch {
    return false;
  }
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Child processes of `pid`, from /proc (every thread's list). */
function children(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((task) => {
    try {
      return readFileSync(`${tasks}/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** The node process below the terminal wrapper (`script` → shell → node, or `script` → node). */
function findNode(pid: number): number | null {
  for (const child of children(pid)) {
    try {
      if (readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'node') return child;
    } catch {
      continue;
    }
    const below = findNode(child);
    if (below !== null) return below;
  }
  return null;
}

function rssMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

function cpuMs(pid: number, ticks: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

/**
 * Starts `args` under a pseudo-terminal in `cwd`, stops the clock at the first
 * prompt, reads the process's CPU and memory, then types `exit` and waits for it to end.
 */
function untilPrompt(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, ticks: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const wrapper = spawn('script', ['-qfec', args.map(quote).join(' '), '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    let sample: Sample | null = null;
    const timer = setTimeout(() => wrapper.kill('SIGKILL'), GIVE_UP_MS);
    wrapper.stdout.setEncoding('utf8');
    wrapper.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (sample !== null || !PROMPT.test(output)) return;
      const ms = performance.now() - started;
      const pid = findNode(wrapper.pid ?? -1);
      sample = pid === null ? { ms, cpuMs: Number.NaN, rssMb: Number.NaN } : { ms, cpuMs: cpuMs(pid, ticks), rssMb: rssMb(pid) };
      wrapper.stdin.write('exit\n');
    });
    wrapper.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    wrapper.on('exit', (code) => {
      clearTimeout(timer);
      if (sample !== null && code === 0) resolve(sample);
      else reject(new Error(`${args.join(' ')} ended (code ${code}) ${sample ? 'after' : 'before'} its prompt; it printed:\n${output}`));
    });
  });
}

/** Spawn to exit, through the same terminal wrapper as the bot. */
function untilExit(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const wrapper = spawn('script', ['-qfec', args.map(quote).join(' '), '/dev/null'], { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    wrapper.on('error', reject);
    wrapper.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} ended with code ${code}`))));
  });
}

function packageOf(url: string): string | null {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return m?.[1] ?? null;
}

/** One traced start of the compiled bot: the files it loaded by the time it was told to exit. */
async function census(cwd: string, env: NodeJS.ProcessEnv, ticks: number): Promise<ModuleCensus> {
  const file = join(cwd, 'modules.txt');
  writeFileSync(file, '');
  await untilPrompt([process.execPath, '--max-semi-space-size=64', '--import', TRACE, MAIN], cwd, { ...env, CATALYST_TRACE_MODULES: file }, ticks);
  const urls = new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((u) => u.startsWith('file:')),
  );
  const packages = new Set([...urls].map(packageOf).filter((p): p is string => p !== null));
  return { files: urls.size, dependencyFiles: [...urls].filter((u) => packageOf(u) !== null).length, packages: [...packages].sort() };
}

/**
 * `runs` starts of each kind after one unmeasured start of each (the first
 * creates and migrates the database and fills the OS file cache). The bot
 * starts from a temporary folder with only PATH, HOME, SHELL, TERM and
 * DB_PATH set: no .env, no Discord token, the default simulator broker.
 */
export async function benchStartup(runs: number): Promise<StartupResult> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-startup-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: dir, SHELL: '/bin/sh', TERM: 'dumb', DB_PATH: join(dir, 'trading.db') };
  const ticks = clockTicks();
  const node = process.execPath;
  const bot = [node, '--max-semi-space-size=64', MAIN];
  const tsx = [node, '--max-semi-space-size=64', '--import', TSX, join(ROOT, 'src/main.ts')];
  const bare = [node, '-e', "process.stdout.write('> '); process.stdin.once('data', () => process.exit(0));"];
  const floor = [node, '-e', '0'];
  try {
    await untilPrompt(bot, dir, env, ticks);
    await untilPrompt(tsx, dir, env, ticks);
    await untilExit(floor, dir, env);
    const out: StartupFigures[] = [];
    for (let i = 0; i < runs; i++) {
      const compiled = await untilPrompt(bot, dir, env, ticks);
      const floorMs = await untilExit(floor, dir, env);
      const idle = await untilPrompt(bare, dir, env, ticks);
      const fromSource = await untilPrompt(tsx, dir, env, ticks);
      out.push({
        promptMs: compiled.ms,
        cpuMs: compiled.cpuMs,
        rssMb: compiled.rssMb,
        floorMs,
        floorRssMb: idle.rssMb,
        tsxPromptMs: fromSource.ms,
        tsxRssMb: fromSource.rssMb,
      });
    }
    return { runs: out, modules: await census(dir, env, ticks) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function startupTable(result: StartupResult | null): string {
  const head = ['| start-up: `npm start` to the console prompt (BROKER=sim, existing database) | median of runs | target |', '| --- | --- | --- |'];
  if (result === null) return [...head, '| not measured: needs Linux with util-linux `script` | | |'].join('\n');
  const { runs, modules } = result;
  const m = (pick: (r: StartupFigures) => number) => median(runs.map(pick));
  const unwanted = NOT_IN_CONSOLE.filter((p) => modules.packages.includes(p));
  return [
    ...head,
    `| \`node dist/src/main.js\` start → first prompt (wall) | ${fmt(
      m((r) => r.promptMs),
      0,
    )} ms | < 1,000 ms |`,
    `| CPU time it used by then (user + system, all threads) | ${fmt(
      m((r) => r.cpuMs),
      0,
    )} ms | |`,
    `| memory of the idle console at the prompt (RSS) | ${fmt(m((r) => r.rssMb))} MB | |`,
    `| floor: \`node -e 0\` start → exit | ${fmt(
      m((r) => r.floorMs),
      0,
    )} ms | |`,
    `| floor: memory of a bare node waiting at a prompt (RSS) | ${fmt(m((r) => r.floorRssMb))} MB | |`,
    `| the same start from the sources under tsx (\`node --import tsx src/main.ts\`): prompt / RSS | ${fmt(
      m((r) => r.tsxPromptMs),
      0,
    )} ms / ${fmt(m((r) => r.tsxRssMb))} MB | |`,
    `| files the console loaded (its own / in node_modules, ${modules.packages.length} packages) | ${modules.files - modules.dependencyFiles} / ${modules.dependencyFiles} | |`,
    `| of them ${NOT_IN_CONSOLE.map((p) => `\`${p}\``).join(', ')} | ${unwanted.length === 0 ? 'none' : unwanted.join(', ')} | none |`,
  ].join('\n');
}
