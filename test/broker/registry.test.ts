/**
 * Brokers as plug-ins: a new adapter is its own folder plus one line in the
 * registry's list. The no-op adapter of fixtures/noop is added here the way
 * src/broker/registry.ts lists the real ones, and the configuration and the
 * composition root take it like any other.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROKER_PLUGINS, DEFAULT_BROKER, brokerRegistry, createRegistry } from '../../src/broker/registry.js';
import { brokerSettings, configVariables, loadConfig, secretValues, tradingMode } from '../../src/config.js';
import { NoopBroker } from './fixtures/noop/NoopBroker.js';
import { noopPlugin } from './fixtures/noop/plugin.js';
import { problemsOf as problemsWith } from '../helpers/configProblems.js';

const withNoop = createRegistry([...BROKER_PLUGINS, noopPlugin], DEFAULT_BROKER);
const problemsOf = (env: Record<string, string>, registry = withNoop) => problemsWith(env, registry);
const deps = { store: null, log: null, now: () => new Date('2026-03-02T15:00:00Z') };

describe('a broker added as a plug-in', () => {
  it('is a BROKER value, with its own variables, defaults, settings, mode and secrets', () => {
    const config = loadConfig({ BROKER: 'noop', NOOP_TOKEN: 'tok-123' }, withNoop);
    expect(config.broker).toBe('noop');
    expect(brokerSettings(config)).toEqual({ label: 'nothing', token: 'tok-123' });
    expect(tradingMode(config, withNoop)).toBe('PAPER');
    expect(secretValues(config, withNoop)).toContain('tok-123');
    expect(configVariables(withNoop)).toEqual(expect.arrayContaining(['NOOP_LABEL', 'NOOP_TOKEN', 'SIM_PRICES', 'ALPACA_PAPER']));
    // The other brokers' settings are still read, as before.
    expect(config.sim.startingCash.toFixed()).toBe('100000');
  });

  it('is named in the BROKER message, and its rules apply only when it is the broker', () => {
    expect(problemsOf({ BROKER: 'ibkr' })).toEqual(['BROKER: expected `sim`, `alpaca` or `noop`, got "ibkr"']);
    expect(loadConfig({ BROKER: 'noop', NOOP_LABEL: 'live', NOOP_TOKEN: 'secret-token' }, withNoop).broker).toBe('noop');
    expect(problemsOf({ BROKER: 'noop', NOOP_LABEL: 'live' })).toEqual(['NOOP_TOKEN: expected a token when NOOP_LABEL=live']);
    expect(loadConfig({ NOOP_LABEL: 'live' }, withNoop).broker).toBe('sim');
  });

  it('is built and connected by the registry from its settings, as main.ts builds any broker', async () => {
    const config = loadConfig({ BROKER: 'noop', NOOP_LABEL: 'fixture' }, withNoop);
    const setup = await withNoop.connect(config.broker, brokerSettings(config), deps);
    expect(setup.broker).toBeInstanceOf(NoopBroker);
    expect([setup.broker.name, (setup.broker as NoopBroker).connected, setup.simulator, setup.caughtUpMinutes]).toEqual(['noop-fixture', true, null, 0]);
    expect((await setup.broker.getAccount()).tradingBlocked).toBe(true);
  });

  it('is unknown to the product registry until it is listed there', () => {
    expect(brokerRegistry.get('noop')).toBeNull();
    expect(brokerRegistry.names()).toEqual(['sim', 'alpaca']);
    expect(() => loadConfig({ BROKER: 'noop' })).toThrow('BROKER: expected `sim` or `alpaca`, got "noop"');
  });

  it('refuses two plug-ins with one name or one variable, and a name the configuration already uses', () => {
    expect(() => createRegistry([noopPlugin, noopPlugin], 'noop')).toThrow('two broker plug-ins are named noop');
    expect(() => createRegistry([noopPlugin, { ...noopPlugin, name: 'other' }], 'noop')).toThrow('NOOP_LABEL is read by two broker plug-ins: noop and other');
    expect(() => createRegistry([noopPlugin], 'sim')).toThrow('the default broker sim is not among the plug-ins');
    expect(() => loadConfig({}, createRegistry([{ ...noopPlugin, name: 'risk' }], 'risk'))).toThrow('a broker plug-in cannot be named risk');
    const greedy = { ...noopPlugin, variables: { ...noopPlugin.variables, DB_PATH: noopPlugin.variables.NOOP_LABEL } };
    expect(() => loadConfig({}, createRegistry([greedy], 'noop'))).toThrow('the noop broker plug-in reads DB_PATH, which the core reads');
  });
});

describe('the registry stays cheap to import', () => {
  const root = resolve(new URL('../..', import.meta.url).pathname);
  /** Files a module loads when it is imported: static imports only (`await import()` loads on demand). */
  function staticClosure(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    if (!file.startsWith(root) || file.includes('node_modules')) return seen;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) seen = staticClosure(resolve(dirname(file), spec).replace(/\.js$/, '.ts'), seen);
      else seen.add(spec);
    }
    return seen;
  }

  it('loads no broker SDK and no adapter implementation: each factory imports its adapter when it is chosen', () => {
    const loaded = [...staticClosure(join(root, 'src/config.ts'))].map((f) => (f.startsWith(root) ? relative(root, f) : f));
    expect(loaded.filter((f) => f.startsWith('@alpacahq/'))).toEqual([]);
    expect(loaded).toEqual(expect.arrayContaining(['src/broker/registry.ts', 'src/broker/alpaca/plugin.ts', 'src/broker/sim/plugin.ts']));
    expect(loaded.filter((f) => /AlpacaBroker|SimBroker|engine\.ts|nyse-holidays/.test(f))).toEqual([]);
  });
});
