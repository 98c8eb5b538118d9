export * from './types.js';
export * from './errors.js';
export type { BrokerInterface } from './BrokerInterface.js';
export { Decimal } from './money.js';
