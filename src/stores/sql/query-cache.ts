/**
 * Hot queries are written once with Kysely, compiled once, and then run with new values: no query
 * building or compiling per call, and on SQLite a cached prepared statement run synchronously.
 *
 * A query is keyed by a name that must include everything that changes its SQL text (e.g. the
 * length of an IN list). The values passed must be exactly the bound parameters, in order: that is
 * checked against Kysely's compiled parameters the first time a key is seen.
 */
import { CompiledQuery, type Compilable } from 'kysely';

function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

export class QueryCache {
  private readonly texts = new Map<string, string>();

  /** The SQL text for `key`, compiling `build()` the first time. */
  text(key: string, build: () => Compilable<unknown>, values: readonly unknown[]): string {
    let text = this.texts.get(key);
    if (text === undefined) {
      const c = build().compile();
      if (c.parameters.length !== values.length || c.parameters.some((p, i) => !same(p, values[i]))) {
        throw new Error(`query cache: the values given for '${key}' are not the query's parameters in order`);
      }
      text = c.sql;
      if (this.texts.size > 2000) this.texts.clear();
      this.texts.set(key, text);
    }
    return text;
  }

  compiled(key: string, build: () => Compilable<unknown>, values: readonly unknown[]): CompiledQuery {
    return CompiledQuery.raw(this.text(key, build, values), values as unknown[]);
  }
}
