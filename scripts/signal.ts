/**
 * `npm run signal -- <file.json|->`: sends signals (one TradingSignal or an
 * array, the webhook's format) to the local webhook, signed with
 * WEBHOOK_SECRET, and prints the answer. Shows the format working end to end.
 */
import { readFileSync } from 'node:fs';
import { readConfigOrReport } from '../src/config.js';
import { sign } from '../src/signals/webhook/signature.js';

async function main(): Promise<number> {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write('usage: npm run signal -- <file.json|->   (- reads the JSON from stdin)\n');
    return 2;
  }
  const config = readConfigOrReport();
  if (!config) return 2;
  const { port, host, secret } = config.webhook;
  if (!port || !secret) {
    process.stderr.write('Set WEBHOOK_PORT and WEBHOOK_SECRET (as the running bot has them) to send signals.\n');
    return 2;
  }
  const body = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  const timestamp = Math.floor(Date.now() / 1000);
  const target = `http://${host.includes(':') ? `[${host}]` : host}:${port}/signals`;
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-timestamp': String(timestamp), 'x-signature': sign(secret, timestamp, body) },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  process.stdout.write(`${response.status} ${await response.text()}\n`);
  return response.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`signal failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
