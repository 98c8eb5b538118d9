/**
 * Parsers for environment variables, one per kind of value. Each takes the
 * raw text and says what it expects when the text does not fit; config.ts
 * and every broker plug-in build their variables from these.
 */
import { z } from 'zod';
import { Decimal, dec } from './domain/money.js';
import type { BrokerPlugin } from './domain/ports/brokerPlugin.js';

export const fail = (ctx: z.RefinementCtx, expects: string): typeof z.NEVER => {
  ctx.addIssue({ code: 'custom', message: `expected ${expects}` });
  return z.NEVER;
};

export function decimalVar(expects: string, valid: (d: Decimal) => boolean) {
  return z.string().transform((text, ctx) => {
    let value: Decimal;
    try {
      value = dec(text.trim());
    } catch {
      return fail(ctx, expects);
    }
    return valid(value) ? value : fail(ctx, expects);
  });
}

export function intVar(expects: string, min: number, max: number) {
  return z.string().transform((text, ctx) => {
    const n = Number(text.trim());
    return /^-?\d+$/.test(text.trim()) && n >= min && n <= max ? n : fail(ctx, expects);
  });
}

export const boolVar = z.string().transform((text, ctx) => {
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  return fail(ctx, '`true` or `false`');
});

export const urlVar = z.string().transform((text, ctx) => {
  try {
    const url = new URL(text.trim());
    return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) ? url.toString().replace(/\/$/, '') : fail(ctx, 'an http(s) or ws(s) URL');
  } catch {
    return fail(ctx, 'an http(s) or ws(s) URL');
  }
});

export const secretVar = z.string().min(1);

/** One of a fixed set of words; the message lists them (`a` or `b`; `a`, `b` or `c`). */
export function oneOfVar<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { message: `expected ${listOfWords(values)}` });
}

/** `a` or `b`; `a`, `b` or `c`. */
export function listOfWords(values: readonly string[]): string {
  const quoted = values.map((v) => `\`${v}\``);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/**
 * One broker plug-in's settings read from `env` alone, defaults applied and
 * empty values taken as unset (what a tool serving that broker reads, without
 * the whole product configuration). Its problems, one per bad variable.
 */
export function pluginSettingsFromEnv<Shape extends z.ZodRawShape, Settings>(
  plugin: Pick<BrokerPlugin<string, Shape, Settings, unknown>, 'variables' | 'defaults' | 'secretVariables' | 'settings'>,
  env: Readonly<Record<string, string | undefined>>,
): { settings: Settings; problems: [] } | { settings: null; problems: string[] } {
  const input: Record<string, string> = {};
  for (const name of Object.keys(plugin.variables)) {
    const value = env[name];
    const fallback = (plugin.defaults as Readonly<Record<string, string | undefined>>)[name];
    if (value !== undefined && value.trim() !== '') input[name] = value;
    else if (fallback !== undefined) input[name] = fallback;
  }
  const parsed = z.object(plugin.variables).safeParse(input);
  if (parsed.success) return { settings: plugin.settings(parsed.data), problems: [] };
  const secrets = new Set<string>(plugin.secretVariables);
  return {
    settings: null,
    problems: parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const raw = input[name];
      return `${name}: ${issue.message}${raw === undefined || secrets.has(name) ? '' : `, got ${JSON.stringify(raw)}`}`;
    }),
  };
}
