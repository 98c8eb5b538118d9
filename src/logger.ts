/**
 * pino, with secrets scrubbed from everything that reaches a log line: keys
 * that name a secret are masked at any depth, and the configured secret
 * values (and bearer-style tokens) are cut out of any string, error messages
 * and stacks included. Logs go to stderr so the console front end owns stdout.
 */
import { type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const REDACTED = '[REDACTED]';

/** Key fragments (lower case, separators removed) that mark a value as secret. */
const SECRET_KEY_FRAGMENTS = ['token', 'secret', 'password', 'passwd', 'authorization', 'apikey', 'keyid', 'signature', 'cookie', 'credential'];

const BEARER_PATTERN = /\b(Bearer|Bot|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_\s]/g, '');
  return SECRET_KEY_FRAGMENTS.some((f) => k.includes(f));
}

function scrubString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out.replace(BEARER_PATTERN, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

/**
 * A copy of `value` with secrets removed. Errors become plain objects
 * (type, message, stack, code, cause) so their text is scrubbed too.
 */
export function redactSecrets(value: unknown, secrets: readonly string[], seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secrets, seen));
  if (value instanceof Date) return value;
  const source: Record<string, unknown> =
    value instanceof Error
      ? {
          type: value.name,
          message: value.message,
          stack: value.stack,
          ...(value as unknown as Record<string, unknown>),
          ...(value.cause === undefined ? {} : { cause: value.cause }),
        }
      : (value as Record<string, unknown>);
  // Decimal and other value objects log as their string form.
  if (!(value instanceof Error) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return redactSecrets((value as { toJSON(): unknown }).toJSON(), secrets, seen);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    out[key] = isSecretKey(key) && v !== null && v !== undefined && v !== '' ? REDACTED : redactSecrets(v, secrets, seen);
  }
  return out;
}

/** What components log through: the pino logger fits it, and tests pass a quiet one. */
export interface EventLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  /** Secret values to cut out of any text (API keys, tokens, the webhook secret). */
  secrets?: readonly string[];
  /** Where lines go; default stderr (pretty on a TTY, JSON otherwise). */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])];
  const destination =
    options.destination ??
    (process.stderr.isTTY
      ? pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true })
      : pino.destination({ dest: 2, sync: true }));
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      hooks: {
        // Every argument of every call (message, object, error) is scrubbed here.
        logMethod(args, method) {
          const [first, ...rest] = args;
          // An error logged on its own keeps pino's shape: `{ err }` plus its message.
          const head = first instanceof Error ? { err: first } : first;
          const tail = first instanceof Error && rest.length === 0 ? [first.message] : rest;
          const scrubbed = [head, ...tail].map((a) => redactSecrets(a, secrets)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
      // Errors were already turned into scrubbed plain objects above.
      serializers: { err: (err: unknown) => err },
    },
    destination,
  );
  return withScrubbedChildren(logger, secrets);
}

/** Child bindings do not pass through logMethod, so children scrub them on the way in. */
function withScrubbedChildren(logger: Logger, secrets: readonly string[]): Logger {
  const child = logger.child.bind(logger);
  const scrubbingChild = (bindings: Record<string, unknown>, options?: ChildLoggerOptions<never>): Logger =>
    withScrubbedChildren(child<never>(redactSecrets(bindings, secrets) as Record<string, unknown>, options), secrets);
  logger.child = scrubbingChild as unknown as Logger['child'];
  return logger;
}
