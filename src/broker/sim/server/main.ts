/**
 * `npm run sim:server`: the paper simulator as an Alpaca-compatible API on
 * 127.0.0.1, for the Alpaca adapter's tests and for trying BROKER=alpaca
 * without an account. Credentials come from SIM_SERVER_KEY_ID /
 * SIM_SERVER_SECRET, or are generated for this run and printed (they guard a
 * loopback test server, nothing else).
 */
import { randomBytes } from 'node:crypto';
import { pluginSettingsFromEnv } from '../../../envVars.js';
import { RealtimeSimDriver } from '../driver.js';
import { createSimBroker } from '../index.js';
import { simPlugin } from '../plugin.js';
import { createSimServer } from './server.js';

// The simulator's own variables (SIM_*), parsed as the bot parses them.
const sim = pluginSettingsFromEnv(simPlugin, process.env);
if (sim.settings === null) {
  process.stderr.write(`Invalid configuration:\n${sim.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(2);
}
const keyId = process.env.SIM_SERVER_KEY_ID || `PKSIM${randomBytes(8).toString('hex').toUpperCase()}`;
const secret = process.env.SIM_SERVER_SECRET || randomBytes(24).toString('base64url');
const generated = !process.env.SIM_SERVER_SECRET;
// 8789 is the documented default; SIM_SERVER_PORT=0 picks a free port.
const portText = process.env.SIM_SERVER_PORT || '8789';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65_535) {
  process.stderr.write(`SIM_SERVER_PORT: expected a port number from 0 to 65535, got "${portText}"\n`);
  process.exit(1);
}

const broker = createSimBroker(sim.settings, null);
const driver = new RealtimeSimDriver(broker);
const server = createSimServer(broker.engine, { keyId, secret, port, history: broker.history });
const urls = await server.start();
driver.start();

process.stdout.write(
  [
    'catalyst-bot simulator, Alpaca-compatible, on loopback:',
    `  ALPACA_TRADING_URL=${urls.tradingUrl}`,
    `  ALPACA_DATA_URL=${urls.dataUrl}`,
    `  ALPACA_STREAM_URL=${urls.streamUrl}`,
    `  ALPACA_DATA_STREAM_URL=${urls.dataStreamUrl}`,
    `  ALPACA_API_KEY=${keyId}`,
    generated ? `  ALPACA_API_SECRET=${secret}   (generated for this run)` : '  ALPACA_API_SECRET=(from SIM_SERVER_SECRET)',
    `Tickers: ${broker.engine.tickers().join(', ')}. Faults: POST /admin/faults (docs/simulator-server.md). Ctrl-C stops it.`,
    '',
  ].join('\n'),
);

const stop = async () => {
  await driver.stop();
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
