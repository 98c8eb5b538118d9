/** A request the engine refuses, with a reason meant for the operator (never a stack trace). */
export class TradingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TradingError';
  }
}
