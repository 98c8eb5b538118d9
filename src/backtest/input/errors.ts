/** Refusals of backtest input files: each names the file, the line and the reason, so the file can be fixed. */

/** Where a refusal points: a line of a file, or the file (or folder) as a whole when `line` is null. */
function location(file: string, line: number | null): string {
  return line === null ? file : `${file}:${line}`;
}

/** A bars file (or folder) that cannot be replayed; nothing is run when one is thrown. */
export class BarInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${location(file, line)}: ${reason}`);
    this.name = 'BarInputError';
  }
}

/** A signals file that cannot be replayed; nothing is run when one is thrown. */
export class SignalInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${location(file, line)}: ${reason}`);
    this.name = 'SignalInputError';
  }
}
