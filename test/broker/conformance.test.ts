/**
 * The conformance suite, once per broker adapter: the simulator in process,
 * and the Alpaca adapter (the real SDK, HTTP and WebSocket) against the
 * simulator's Alpaca-compatible server on 127.0.0.1.
 */
import { AlpacaBroker } from '../../src/broker/alpaca/AlpacaBroker.js';
import { createSimServer } from '../../src/broker/sim/server/server.js';
import { SimBroker } from '../../src/broker/sim/SimBroker.js';
import { harness } from './sim/engineHarness.js';
import { describeBrokerConformance } from './conformance.js';

describeBrokerConformance('simulator, in process', async ({ volumePerTick }) => {
  const { engine } = harness(volumePerTick ? { volumePerTick } : {});
  const broker = new SimBroker(engine, null);
  return { broker, setPrice: (t, p) => engine.setPrice(t, p), close: () => broker.disconnect() };
});

const KEY = 'PKCONFORMANCE0000001';
const SECRET = 'conformance-secret-000000000000000000001';

describeBrokerConformance('Alpaca SDK → simulator server', async ({ volumePerTick }) => {
  const { engine } = harness(volumePerTick ? { volumePerTick } : {});
  const server = createSimServer(engine, { keyId: KEY, secret: SECRET });
  const urls = await server.start();
  const broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, paper: true, ...urls, timeoutMs: 2000, retryDelayMs: 10 });
  return {
    broker,
    setPrice: (t, p) => engine.setPrice(t, p),
    close: async () => {
      await broker.disconnect();
      await server.stop();
    },
  };
});
