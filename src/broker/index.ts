export * from '../domain/enums.js';
export * from '../domain/account.js';
export * from '../domain/position.js';
export * from '../domain/order.js';
export * from '../domain/errors.js';
export type * from '../domain/ports/broker.js';
export { Decimal } from '../domain/money.js';
