/**
 * The brokers the product can run, one line each. Cheap to import: a
 * plug-in module holds only its variables and a factory that loads the
 * adapter itself when it is chosen.
 */
import type { AnyBrokerPlugin, BrokerDeps, BrokerSetup, ControlsOf } from '../domain/ports/brokerPlugin.js';
import { alpacaPlugin } from './alpaca/plugin.js';
import { simPlugin } from './sim/plugin.js';

export const BROKER_PLUGINS = [alpacaPlugin, simPlugin] as const;

/** BROKER when it is unset. */
export const DEFAULT_BROKER: (typeof BROKER_PLUGINS)[number]['name'] = 'sim';

export interface BrokerRegistry<Plugin extends AnyBrokerPlugin = AnyBrokerPlugin> {
  readonly plugins: readonly Plugin[];
  /** The broker BROKER names when unset. */
  readonly defaultName: string;
  /** Every BROKER value, the default first. */
  names(): string[];
  get(name: string): Plugin | null;
  /** Builds and connects the broker `name` from its settings (as config parsed them). */
  connect(name: string, settings: unknown, deps: BrokerDeps): Promise<BrokerSetup<ControlsOf<Plugin>>>;
}

export function createRegistry<Plugin extends AnyBrokerPlugin>(plugins: readonly Plugin[], defaultName: string): BrokerRegistry<Plugin> {
  const byName = new Map<string, Plugin>();
  for (const plugin of plugins) {
    if (byName.has(plugin.name)) throw new Error(`two broker plug-ins are named ${plugin.name}`);
    byName.set(plugin.name, plugin);
  }
  if (!byName.has(defaultName)) throw new Error(`the default broker ${defaultName} is not among the plug-ins`);
  const variableOwner = new Map<string, string>();
  for (const plugin of plugins) {
    for (const variable of Object.keys(plugin.variables)) {
      const owner = variableOwner.get(variable);
      if (owner) throw new Error(`${variable} is read by two broker plug-ins: ${owner} and ${plugin.name}`);
      variableOwner.set(variable, plugin.name);
    }
  }
  return {
    plugins,
    defaultName,
    names: () => [defaultName, ...plugins.map((p) => p.name).filter((n) => n !== defaultName)],
    get: (name) => byName.get(name) ?? null,
    async connect(name, settings, deps) {
      const plugin = byName.get(name);
      if (!plugin) throw new Error(`no broker named ${name}`);
      // The settings were made by this plug-in (config keys them by its name), so its factory takes them.
      return (await plugin.create(settings, deps)) as BrokerSetup<ControlsOf<Plugin>>;
    },
  };
}

export const brokerRegistry = createRegistry<(typeof BROKER_PLUGINS)[number]>(BROKER_PLUGINS, DEFAULT_BROKER);
