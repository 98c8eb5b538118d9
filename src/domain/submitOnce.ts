/**
 * Sending an order exactly once. Every order carries a deterministic
 * client_order_id; when a submission fails in a way that leaves its fate
 * unknown (a timeout, a 5xx, a duplicate id from an earlier attempt), the
 * broker is asked for that id before anything is reported or retried.
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pRetry from 'p-retry';
import type { BrokerInterface } from './ports/broker.js';
import {
  BrokerAuthenticationError,
  BrokerConnectionError,
  BrokerError,
  DuplicateClientOrderIdError,
  InsufficientFundsError,
  OrderRejectedError,
  RateLimitError,
} from './errors.js';
import type { Order } from './order.js';

/** The broker may or may not hold the order; nothing may be resent until reconciliation asks it. */
export class AmbiguousSubmissionError extends BrokerConnectionError {
  constructor(
    readonly clientOrderId: string,
    cause: unknown,
  ) {
    super(
      `order ${clientOrderId}: the broker did not confirm it and could not be asked; it may exist. ` +
        'Reconciliation settles it before anything is sent again.',
      { cause },
    );
  }
}

/**
 * Errors after which the broker certainly holds no new order. A duplicate id
 * is a rejection that proves the opposite: an earlier attempt got through.
 */
function definitelyNotPlaced(error: unknown): boolean {
  if (error instanceof DuplicateClientOrderIdError) return false;
  if (error instanceof OrderRejectedError) return true;
  return error instanceof InsufficientFundsError || error instanceof BrokerAuthenticationError || error instanceof RateLimitError;
}

/** Worth another attempt once the broker is known not to hold the order. */
function transient(error: unknown): boolean {
  if (error instanceof AmbiguousSubmissionError) return false;
  if (error instanceof RateLimitError || error instanceof BrokerConnectionError) return true;
  return error instanceof BrokerError && error.status !== null && error.status >= 500;
}

export interface Submitted {
  order: Order;
  /** True when the order came from the lookup (it was already at the broker). */
  recovered: boolean;
}

export interface SubmitRetry {
  /** Further attempts after a transient failure. Default 2. */
  retries?: number;
  /** Wait before the first retry, doubling after. Default 500 ms. */
  minTimeoutMs?: number;
}

/**
 * Sends an order once. A failure that may have reached the broker is checked
 * by client_order_id first (found: that order is the answer); a transient
 * failure the broker provably did not act on is retried with the same id.
 */
export async function submitOnce(broker: BrokerInterface, clientOrderId: string, send: () => Promise<Order>, retry: SubmitRetry = {}): Promise<Submitted> {
  const attempt = async (): Promise<Submitted> => {
    try {
      return { order: await send(), recovered: false };
    } catch (error) {
      if (definitelyNotPlaced(error)) throw error;
      let existing: Order | null;
      try {
        existing = await broker.getOrderByClientId(clientOrderId);
      } catch (lookupError) {
        throw new AmbiguousSubmissionError(clientOrderId, lookupError);
      }
      if (existing) return { order: existing, recovered: true };
      if (error instanceof BrokerError) throw error;
      throw new BrokerError(`order ${clientOrderId}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const retries = retry.retries ?? 2;
  const minTimeout = retry.minTimeoutMs ?? 500;
  // The first attempt goes straight out (no retry machinery on the order path);
  // a transient failure waits, then p-retry runs the rest of the schedule.
  try {
    return await attempt();
  } catch (error) {
    if (retries === 0 || !transient(error)) throw error;
  }
  await delay(minTimeout);
  return pRetry(attempt, {
    retries: retries - 1,
    minTimeout: minTimeout * 2,
    factor: 2,
    shouldRetry: ({ error }) => transient(error),
  });
}

/**
 * A client_order_id from parts, within Alpaca's 128 characters. Long parts
 * are shortened by a stable hash so the same inputs always give the same id.
 */
export function clientOrderId(...parts: string[]): string {
  const id = parts.join(':');
  if (id.length <= 128) return id;
  return `${id.slice(0, 100)}~${createHash('sha256').update(id).digest('hex').slice(0, 27)}`;
}
