/** DASHBOARD_PORT, DASHBOARD_HOST and DASHBOARD_TOKEN as src/config.ts reads them. */
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig, secretValues } from '../../src/config.js';

const TOKEN = 'a-dashboard-token-of-32-characters';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the dashboard configuration', () => {
  it('is on by default, on loopback port 8790, with a token generated at start', () => {
    expect(loadConfig({}).dashboard).toEqual({ port: 8790, host: '127.0.0.1', token: null });
  });

  it('reads `off`, 0 (a free port), a host and a token; the token is a secret', () => {
    expect(loadConfig({ DASHBOARD_PORT: 'off' }).dashboard.port).toBeNull();
    expect(loadConfig({ DASHBOARD_PORT: 'OFF' }).dashboard.port).toBeNull();
    expect(loadConfig({ DASHBOARD_PORT: '0' }).dashboard.port).toBe(0);
    const c = loadConfig({ DASHBOARD_PORT: '9000', DASHBOARD_HOST: '0.0.0.0', DASHBOARD_TOKEN: TOKEN });
    expect(c.dashboard).toEqual({ port: 9000, host: '0.0.0.0', token: TOKEN });
    expect(secretValues(c)).toEqual([TOKEN]);
  });

  it('refuses a non-loopback host without a token, naming the variable', () => {
    expect(problems({ DASHBOARD_HOST: '0.0.0.0' })).toEqual([
      'DASHBOARD_TOKEN: expected a token of at least 24 characters when DASHBOARD_HOST is not a loopback address (got DASHBOARD_HOST "0.0.0.0")',
    ]);
    // Off, it listens nowhere: no token needed.
    expect(problems({ DASHBOARD_HOST: '0.0.0.0', DASHBOARD_PORT: 'off' })).toEqual([]);
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect([host, problems({ DASHBOARD_HOST: host })]).toEqual([host, []]);
  });

  it('refuses a short token without echoing it, and a port out of range', () => {
    expect(problems({ DASHBOARD_TOKEN: 'short-token' })).toEqual(['DASHBOARD_TOKEN: expected at least 24 characters']);
    expect(problems({ DASHBOARD_PORT: '70000' })).toEqual(['DASHBOARD_PORT: expected a TCP port from 0 to 65535 (0 = a free port), or `off`, got "70000"']);
    expect(problems({ DASHBOARD_PORT: 'on' })).toEqual(['DASHBOARD_PORT: expected a TCP port from 0 to 65535 (0 = a free port), or `off`, got "on"']);
  });

  it('knows the loopback addresses', () => {
    expect(['127.0.0.1', 'LOCALHOST', '::1', '[::1]', '0.0.0.0', '192.168.1.10', '::', 'example.com'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
