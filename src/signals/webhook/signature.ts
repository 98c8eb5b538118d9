/**
 * Webhook authentication, as Stripe signs: `X-Signature: sha256=<hex>` is the
 * HMAC-SHA256, keyed with WEBHOOK_SECRET, of `<X-Timestamp>.<raw body>`;
 * the timestamp (unix seconds) must be within ±300 s of now.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function verify(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: Buffer, now: Date): Verdict {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { ok: false, reason: 'missing X-Timestamp or X-Signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Timestamp must be unix seconds' };
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > TOLERANCE_SECONDS) return { ok: false, reason: `X-Timestamp is ${Math.round(skew)} s from now (at most ${TOLERANCE_SECONDS})` };
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  // Equal lengths first: timingSafeEqual throws otherwise, and the length is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
