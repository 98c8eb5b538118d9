/** The SDK's failures mapped onto the product's broker errors, keeping Alpaca's code and message. */
import { ApiError, FetchError } from '@alpacahq/alpaca-trade-api';
import {
  BrokerAuthenticationError,
  BrokerConnectionError,
  BrokerError,
  DuplicateClientOrderIdError,
  InsufficientFundsError,
  NotFoundError,
  OrderRejectedError,
  RateLimitError,
} from '../../domain/errors.js';

/** Alpaca's answer (HTTP 422) to an order whose client_order_id it already holds. */
const DUPLICATE_CLIENT_ORDER_ID = /client_order_id must be unique/i;

export function toBrokerError(error: unknown, what: string): BrokerError {
  if (error instanceof BrokerError) return error;
  if (error instanceof ApiError) {
    const message = error.message || `HTTP ${error.status}`;
    const details = { code: error.code ?? null, status: error.status, brokerMessage: message, cause: error };
    switch (true) {
      case error.status === 401:
        return new BrokerAuthenticationError(`Alpaca refused the credentials (${what}): ${message}`, details);
      case error.status === 403 && /buying power/i.test(message):
        return new InsufficientFundsError(`${what}: ${message}`, details);
      case error.status === 404:
        return new NotFoundError(`${what}: ${message}`, details);
      case error.status === 422 && DUPLICATE_CLIENT_ORDER_ID.test(message):
        return new DuplicateClientOrderIdError(`${what}: ${message}`, details);
      case error.status === 429:
        return new RateLimitError(`Alpaca rate limit (${what}): ${message}`, error.retryAfterMs ?? 1000, details);
      case [400, 403, 422].includes(error.status):
        return new OrderRejectedError(`${what}: ${message}`, details);
      default:
        return new BrokerError(`Alpaca error ${error.status} (${what}): ${message}`, details);
    }
  }
  if (error instanceof FetchError) {
    return new BrokerConnectionError(`Alpaca unreachable (${what}): ${error.cause?.message ?? error.message}`, { cause: error });
  }
  return new BrokerError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
