/**
 * One console line → a command with options, or a button word. Options are
 * `name:value` (quotes for spaces) or positional in the order the command
 * declares them: `/buy AAPL qty:10 stop_loss:185` and `/buy AAPL 10` both work.
 */
import { controlCharProblem } from '../../domain/fields.js';
import type { CommandOptions, OperatorCommand } from '../command.js';
import { shown } from '../parse.js';

export type ParsedLine =
  | { kind: 'empty' }
  | { kind: 'command'; name: string; options: CommandOptions }
  | { kind: 'button'; action: 'approve' | 'reject' | 'confirm'; target: string | null }
  | { kind: 'error'; message: string };

interface JsonOption {
  name: string;
  type: number;
  max_value?: number;
  options?: JsonOption[];
}

const SUBCOMMAND = 1;
const INTEGER = 4;

/** Splits on spaces, keeping "quoted text" (and name:"quoted text") together. */
export function tokenize(line: string): string[] {
  return [...line.matchAll(/(?:[^\s"]+:)?"[^"]*"|\S+/g)].map((m) => m[0].replace(/^([^\s"]+:)?"([^"]*)"$/, '$1$2'));
}

/**
 * A typed whole number against its option's bounds, exactly (BigInt, never a
 * JS number): `9007199254740993` is reported as typed, and 400 digits are
 * "too large", not Infinity. Below the minimum is the command's to word.
 */
function integerProblem(key: string, text: string, option: JsonOption | undefined): string | null {
  if (!/^-?\d+$/.test(text)) return `${key} must be a whole number, got ${shown(text)}.`;
  const value = BigInt(text);
  const typed = text.length <= 24 ? text : `(a ${text.replace('-', '').length}-digit number)`;
  if (option?.max_value !== undefined && value > BigInt(option.max_value))
    return `${key} ${typed} is too large: at most ${option.max_value.toLocaleString('en-US')}.`;
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return `${key} ${typed} is too large.`;
  if (value < BigInt(Number.MIN_SAFE_INTEGER)) return `${key} ${typed} is too small.`;
  return null;
}

export function parseLine(line: string, commands: ReadonlyMap<string, OperatorCommand>): ParsedLine {
  const tokens = tokenize(line.trim());
  const [head, ...rest] = tokens;
  if (head === undefined) return { kind: 'empty' };
  const word = head.toLowerCase();
  if (word === 'approve' || word === 'reject' || word === 'confirm') {
    const problem = rest[0] === undefined ? null : controlCharProblem(rest[0]);
    if (problem !== null) return { kind: 'error', message: `The ${word} target ${problem}.` };
    return { kind: 'button', action: word, target: rest[0] ?? null };
  }
  const name = word.replace(/^\//, '');
  const command = commands.get(name);
  if (!command)
    return { kind: 'error', message: `Unknown command ${controlCharProblem(head) === null ? head : JSON.stringify(head)}. Type /help for the list.` };

  let declared = (command.data.toJSON().options ?? []) as JsonOption[];
  let subcommand: string | null = null;
  if (declared.some((o) => o.type === SUBCOMMAND)) {
    const sub = declared.find((o) => o.type === SUBCOMMAND && o.name === rest[0]?.toLowerCase());
    if (!sub) return { kind: 'error', message: `/${name} needs one of: ${declared.map((o) => o.name).join(', ')}.` };
    subcommand = sub.name;
    declared = sub.options ?? [];
    rest.shift();
  }
  const values = new Map<string, string>();
  let position = 0;
  for (const token of rest) {
    const [, key, value] = /^([a-z_]+):(.*)$/.exec(token) ?? [];
    if (key !== undefined && value !== undefined && declared.some((o) => o.name === key)) {
      values.set(key, value);
      continue;
    }
    // The next positional option not already given by name.
    let option = declared[position];
    while (option && values.has(option.name)) option = declared[++position];
    if (!option) return { kind: 'error', message: `Too many values for /${name}: ${JSON.stringify(token)}. Type /help.` };
    values.set(option.name, token);
    position++;
  }
  const types = new Map(declared.map((o) => [o.name, o.type]));
  for (const [key, value] of values) {
    // Typed text reaches views, the audit log and the channel: no ESC, NUL or other control characters.
    const control = controlCharProblem(value);
    if (control !== null) return { kind: 'error', message: `${key} ${control}.` };
    if (types.get(key) !== INTEGER) continue;
    const problem = integerProblem(
      key,
      value,
      declared.find((o) => o.name === key),
    );
    if (problem !== null) return { kind: 'error', message: problem };
  }
  return {
    kind: 'command',
    name,
    options: {
      subcommand: () => subcommand,
      string: (n) => (types.get(n) === INTEGER ? null : (values.get(n) ?? null)),
      integer: (n) => (types.get(n) === INTEGER && values.has(n) ? Number(values.get(n)) : null),
    },
  };
}
