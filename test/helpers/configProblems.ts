/** The problems a configuration is refused with, as the operator reads them; fails the test when it is accepted. */
import { ConfigError, loadConfig } from '../../src/config.js';
import type { BrokerRegistry } from '../../src/broker/registry.js';

export function problemsOf(env: Record<string, string>, registry?: BrokerRegistry): string[] {
  try {
    if (registry) loadConfig(env, registry);
    else loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}
