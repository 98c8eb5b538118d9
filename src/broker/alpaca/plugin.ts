/**
 * The Alpaca broker as a plug-in (BROKER=alpaca): its variables and the
 * factory. The SDK is loaded by the factory, only when Alpaca is the broker.
 */
import { boolVar, oneOfVar, secretVar, urlVar } from '../../envVars.js';
import { defineBrokerPlugin } from '../../domain/ports/brokerPlugin.js';

/** Alpaca's stock data feeds (named here, so config stays cheap: the SDK loads only with the broker). */
const DATA_FEEDS = ['iex', 'sip', 'delayed_sip'] as const;

export interface AlpacaSettings {
  keyId: string | null;
  secretKey: string | null;
  paper: boolean;
  liveTradingAcknowledged: boolean;
  tradingUrl: string | null;
  dataUrl: string | null;
  streamUrl: string | null;
  /** The market-data stream's URL override (null: Alpaca's for the feed) and its feed. */
  dataStreamUrl: string | null;
  dataFeed: (typeof DATA_FEEDS)[number];
}

const LIVE_NOT_ACKNOWLEDGED =
  'LIVE_TRADING_ACKNOWLEDGED: expected `true` when ALPACA_PAPER=false: live trading sends real orders with real money; set it only if you mean that';

export const alpacaPlugin = defineBrokerPlugin({
  name: 'alpaca',
  variables: {
    ALPACA_API_KEY: secretVar.optional(),
    ALPACA_API_SECRET: secretVar.optional(),
    // The names Alpaca's own tools read, accepted as aliases.
    APCA_API_KEY_ID: secretVar.optional(),
    APCA_API_SECRET_KEY: secretVar.optional(),
    ALPACA_PAPER: boolVar,
    LIVE_TRADING_ACKNOWLEDGED: boolVar,
    ALPACA_TRADING_URL: urlVar.optional(),
    ALPACA_DATA_URL: urlVar.optional(),
    ALPACA_STREAM_URL: urlVar.optional(),
    ALPACA_DATA_STREAM_URL: urlVar.optional(),
    ALPACA_DATA_FEED: oneOfVar(DATA_FEEDS),
  },
  defaults: { ALPACA_PAPER: 'true', LIVE_TRADING_ACKNOWLEDGED: 'false', ALPACA_DATA_FEED: 'iex' },
  secretVariables: ['ALPACA_API_KEY', 'ALPACA_API_SECRET', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'],
  settings: (env): AlpacaSettings => ({
    keyId: env.ALPACA_API_KEY ?? env.APCA_API_KEY_ID ?? null,
    secretKey: env.ALPACA_API_SECRET ?? env.APCA_API_SECRET_KEY ?? null,
    paper: env.ALPACA_PAPER,
    liveTradingAcknowledged: env.LIVE_TRADING_ACKNOWLEDGED,
    tradingUrl: env.ALPACA_TRADING_URL ?? null,
    dataUrl: env.ALPACA_DATA_URL ?? null,
    streamUrl: env.ALPACA_STREAM_URL ?? null,
    dataStreamUrl: env.ALPACA_DATA_STREAM_URL ?? null,
    dataFeed: env.ALPACA_DATA_FEED,
  }),
  checks(read) {
    const problems: string[] = [];
    const keyId = read('ALPACA_API_KEY') ?? read('APCA_API_KEY_ID');
    const secret = read('ALPACA_API_SECRET') ?? read('APCA_API_SECRET_KEY');
    if (!keyId || !secret) {
      problems.push('ALPACA_API_KEY / ALPACA_API_SECRET: expected both to be set when BROKER=alpaca (APCA_API_KEY_ID / APCA_API_SECRET_KEY are accepted too)');
    }
    if (read('ALPACA_PAPER') === false && read('LIVE_TRADING_ACKNOWLEDGED') !== true) problems.push(LIVE_NOT_ACKNOWLEDGED);
    return problems;
  },
  secrets: (s) => [s.keyId, s.secretKey],
  mode: (s) => (s.paper ? 'PAPER' : 'LIVE'),
  async create(s) {
    // Settings built by hand (not through config) get the same refusal.
    if (!s.paper && !s.liveTradingAcknowledged) throw new Error(LIVE_NOT_ACKNOWLEDGED);
    const [{ AlpacaBroker }, { AlpacaMarketDataStream }] = await Promise.all([import('./AlpacaBroker.js'), import('./marketDataStream.js')]);
    const broker = new AlpacaBroker({
      keyId: s.keyId ?? '',
      secret: s.secretKey ?? '',
      paper: s.paper,
      tradingUrl: s.tradingUrl,
      dataUrl: s.dataUrl,
      streamUrl: s.streamUrl,
    });
    await broker.connect();
    const marketData = new AlpacaMarketDataStream({ keyId: s.keyId ?? '', secret: s.secretKey ?? '', feed: s.dataFeed, url: s.dataStreamUrl });
    return { broker, simulator: null, caughtUpMinutes: 0, marketData };
  },
});
