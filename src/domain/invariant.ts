/**
 * Checks for values the surrounding code guarantees are present. A failure
 * is a bug in that code, not bad input, so it throws a plain Error naming
 * what was missing rather than a domain error the caller would branch on.
 */

/** Thrown when a guaranteed value turns out to be missing. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`invariant violated: ${message}`);
    this.name = 'InvariantError';
  }
}

/** Returns `value`, or throws when it is `null` or `undefined`; `what` names the value for the message. */
export function must<T>(value: T, what: string): NonNullable<T> {
  if (value === null || value === undefined) throw new InvariantError(`${what} is missing`);
  return value;
}
