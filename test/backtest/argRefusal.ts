import { expect } from 'vitest';
import { BacktestArgumentError, parseBacktestArgs } from '../../scripts/backtest.js';

/** The first line of the refusal of `argv` by the backtest command's argument parser (throws when it accepts them). */
export function argRefusal(argv: string[]): string | undefined {
  try {
    parseBacktestArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(BacktestArgumentError);
    return (error as Error).message.split('\n')[0];
  }
  throw new Error('accepted');
}
