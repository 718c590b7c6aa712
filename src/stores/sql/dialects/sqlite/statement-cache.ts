/**
 * A bounded prepared-statement cache over one better-sqlite3 connection: better-sqlite3 would
 * otherwise compile every statement on every call. Self-contained (no outer names), because the
 * writer thread runs this function's source too.
 */
export function statementCache(db: import('better-sqlite3').Database): (text: string) => import('better-sqlite3').Statement {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  return (text: string) => {
    let stmt = cache.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      if (cache.size > 500) cache.delete(cache.keys().next().value as string);
      cache.set(text, stmt);
    }
    return stmt;
  };
}
