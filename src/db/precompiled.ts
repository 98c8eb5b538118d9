/**
 * Queries built and compiled once, then run with new parameter values.
 *
 * Kysely builds and compiles every query afresh: on the order path that is
 * most of a statement's cost and most of its garbage. A precompiled query is
 * written with the same typed builder, with named slots where the values go;
 * the first run compiles it, later runs only swap the values in. Running it
 * through `db.executeQuery` keeps kysely's connection handling, so inside a
 * transaction it is part of that transaction like any other query. It is
 * kysely's compiler that writes the SQL, so this works over any dialect; a
 * query keeps the text of the first database it ran on (one engine per process).
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** Marks where a named value goes. A string, so kysely treats it as an ordinary value. */
const SLOT_PREFIX = '\u0000slot:';

type SlotFn<P> = <K extends keyof P & string>(name: K) => P[K];

export class PrecompiledQuery<P extends object, R> {
  private template: CompiledQuery<R> | null = null;
  /** Per parameter position: the slot it takes its value from, or null for a constant. */
  private slots: ((keyof P & string) | null)[] = [];

  constructor(private readonly build: (db: Kysely<Database>, slot: SlotFn<P>) => Compilable<R>) {}

  execute(db: Kysely<Database>, values: P): Promise<QueryResult<R>> {
    const template = this.template ?? this.compile(db);
    const parameters = this.slots.map((slot, i) => (slot === null ? template.parameters[i] : values[slot]));
    return db.executeQuery<R>({ ...template, parameters });
  }

  private compile(db: Kysely<Database>): CompiledQuery<R> {
    const slot = ((name: string) => `${SLOT_PREFIX}${name}`) as SlotFn<P>;
    const template = this.build(db, slot).compile();
    this.slots = template.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(SLOT_PREFIX) ? (p.slice(SLOT_PREFIX.length) as keyof P & string) : null,
    );
    this.template = template;
    return template;
  }
}

export function precompile<P extends object, R>(build: (db: Kysely<Database>, slot: SlotFn<P>) => Compilable<R>): PrecompiledQuery<P, R> {
  return new PrecompiledQuery(build);
}

/** A row whose every column is a slot of the same name (for an insert's values). */
export function slotsFor<Row extends object>(columns: readonly (keyof Row & string)[], slot: SlotFn<Row>): Row {
  return Object.fromEntries(columns.map((c) => [c, slot(c)])) as Row;
}

/** A table's columns, listed once and checked complete by the compiler (`satisfies Record<keyof Row, true>`). */
export function columnsOf<Row extends object>(shape: Record<keyof Row & string, true>): (keyof Row & string)[] {
  return Object.keys(shape) as (keyof Row & string)[];
}
