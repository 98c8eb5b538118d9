import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dec } from '../src/domain/money.js';
import { BrokerAuthenticationError } from '../src/domain/errors.js';
import { createLogger, REDACTED } from '../src/logger.js';

const KEY = 'PKTESTKEY1234567890';
const SECRET = 'sk_live_abcdefghijklmnopqrstuvwxyz012345';
const TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.fake-discord-token-value';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  const logger = createLogger({ level: 'debug', secrets: [KEY, SECRET, TOKEN], destination });
  return { logger, lines, text: () => lines.join('\n') };
}

describe('logger redaction', () => {
  it('masks secret-named keys at any depth', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        request: { headers: { 'APCA-API-KEY-ID': 'anything', 'APCA-API-SECRET-KEY': 'anything', Authorization: 'Bot xyz', accept: 'json' } },
        discord: { token: 'some-token' },
        config: { webhook: { secret: 'w', port: 8787 }, alpaca: { apiKey: 'k', api_secret: 's' } },
        list: [{ password: 'p' }],
      },
      'sending request',
    );
    const entry = JSON.parse(lines[0]!) as {
      request: { headers: Record<string, string> };
      discord: { token: string };
      config: unknown;
      list: unknown;
      msg: string;
    };
    expect(entry.request.headers).toEqual({ 'APCA-API-KEY-ID': REDACTED, 'APCA-API-SECRET-KEY': REDACTED, Authorization: REDACTED, accept: 'json' });
    expect(entry.discord.token).toBe(REDACTED);
    expect(entry.config).toEqual({ webhook: { secret: REDACTED, port: 8787 }, alpaca: { apiKey: REDACTED, api_secret: REDACTED } });
    expect(entry.list).toEqual([{ password: REDACTED }]);
    expect(entry.msg).toBe('sending request');
  });

  it('cuts configured secret values out of messages, strings and errors', () => {
    const { logger, text } = capture();
    logger.warn(`retrying with key ${KEY}`);
    logger.info({ url: `wss://stream.local/?token=${TOKEN}`, note: `secret is ${SECRET}` }, 'connecting');
    const error = new BrokerAuthenticationError(`key ${KEY} was refused`, { status: 401, brokerMessage: `invalid key ${KEY}` });
    logger.error(error);
    logger.error({ err: new Error(`bad secret ${SECRET}`) }, 'wrapped');
    const out = text();
    for (const secret of [KEY, SECRET, TOKEN]) expect(out).not.toContain(secret);
    expect(out).toContain(`retrying with key ${REDACTED}`);
    expect(out).toContain(`key ${REDACTED} was refused`);
  });

  it('keeps the error details an operator needs', () => {
    const { logger, lines } = capture();
    logger.error(new BrokerAuthenticationError('credentials refused', { status: 401, code: 40110000, brokerMessage: 'request is not authorized' }));
    const entry = JSON.parse(lines[0]!) as { msg: string; err: { stack: string } };
    expect(entry.msg).toBe('credentials refused');
    expect(entry.err).toMatchObject({
      type: 'BrokerAuthenticationError',
      message: 'credentials refused',
      status: 401,
      code: 40110000,
      brokerMessage: 'request is not authorized',
    });
    expect(entry.err.stack).toContain('BrokerAuthenticationError');
  });

  it('scrubs child logger bindings and bearer-style tokens it was not told about', () => {
    const { logger, text, lines } = capture();
    logger.child({ component: 'discord', token: TOKEN }).info('header was Bearer abcdefghijklmnop1234');
    const entry = JSON.parse(lines[0]!) as { component: string; token: string; msg: string };
    expect(entry.component).toBe('discord');
    expect(entry.token).toBe(REDACTED);
    expect(entry.msg).toBe(`header was Bearer ${REDACTED}`);
    expect(text()).not.toContain(TOKEN);
  });

  it('logs money as exact strings', () => {
    const { logger, lines } = capture();
    logger.info({ pnl: dec('-1300.1931'), qty: dec(263) }, 'closed');
    const entry = JSON.parse(lines[0]!) as { pnl: unknown; qty: unknown };
    expect([entry.pnl, entry.qty]).toEqual(['-1300.1931', '263']);
  });
});
