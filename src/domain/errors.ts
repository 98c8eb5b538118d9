/**
 * Errors the core raises and branches on. Broker errors keep what the broker
 * said (its code, HTTP status and message) so an operator sees the real
 * reason, and callers branch on the class, never on message text.
 */

export interface BrokerErrorDetails {
  /** The broker's own error code (Alpaca: e.g. 40310000). */
  code?: string | number | null;
  /** HTTP status, when the error came over HTTP. */
  status?: number | null;
  /** The broker's message, verbatim. */
  brokerMessage?: string | null;
  cause?: unknown;
}

export class BrokerError extends Error {
  readonly code: string | number | null;
  readonly status: number | null;
  readonly brokerMessage: string | null;

  constructor(message: string, details: BrokerErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code ?? null;
    this.status = details.status ?? null;
    this.brokerMessage = details.brokerMessage ?? null;
  }
}

/** The broker could not be reached, or did not answer in time. */
export class BrokerConnectionError extends BrokerError {}

/** Credentials missing, wrong or not allowed. */
export class BrokerAuthenticationError extends BrokerError {}

/** The broker refused the order (validation, market rules, …). */
export class OrderRejectedError extends BrokerError {}

/** Not enough buying power for the order. */
export class InsufficientFundsError extends BrokerError {}

/** Too many requests; `retryAfterMs` says when to try again. */
export class RateLimitError extends BrokerError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, details: BrokerErrorDetails = {}) {
    super(message, details);
    this.retryAfterMs = retryAfterMs;
  }
}

/** No such order, position or asset. */
export class NotFoundError extends BrokerError {}

/**
 * The broker already holds an order with this client_order_id. Adapters raise
 * it (never a plain rejection) so the executor can look the earlier order up
 * instead of reporting a failure.
 */
export class DuplicateClientOrderIdError extends OrderRejectedError {}

/** A request the engine refuses, with a reason meant for the operator (never a stack trace). */
export class TradingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TradingError';
  }
}
