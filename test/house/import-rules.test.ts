/**
 * The house's import rules (issue 16, point 4): shared rules know no store, no store folder
 * leans on another's, and the `db` commands reach SQL only through src/stores/sql/admin.ts. Every
 * import in src/ is resolved and checked, static or dynamic.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const STORE_FOLDERS = ['sql', 'file', 'rest'];
/** The db commands' one entry point into the SQL store. */
const SQL_ADMIN = 'stores/sql/admin.ts';

/** Every module specifier in a TypeScript source: `from '…'`, `import '…'`, `import('…')`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** A broken rule for `importer` (a path relative to src/) importing `spec`, if any. */
function violation(importer: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(importer), spec));
  if (importer.startsWith('tracking/') && target.startsWith('stores/')) return `${importer} imports ${spec}: src/tracking/ knows no store`;
  if (importer.startsWith('commands/db/') && target.startsWith('stores/sql/') && target.replace(/\.js$/, '.ts') !== SQL_ADMIN) {
    return `${importer} imports ${spec}: db commands reach SQL only through src/${SQL_ADMIN}`;
  }
  const own = /^stores\/([^/]+)\//.exec(importer)?.[1];
  const other = /^stores\/([^/]+)\//.exec(target)?.[1];
  if (own && other && own !== other && STORE_FOLDERS.includes(own) && STORE_FOLDERS.includes(other)) {
    return `${importer} imports ${spec}: stores/${own}/ must not lean on stores/${other}/`;
  }
  return undefined;
}

function sources(dir: string, rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return sources(path.join(dir, e.name), r);
    return e.name.endsWith('.ts') ? [r] : [];
  });
}

describe('import rules', () => {
  it('the checker catches each kind of violation (static, dynamic, re-export) and allows the rest', () => {
    expect(specifiers(`import { a } from '../stores/x.js';\nconst m = await import('./y.js');\nexport * from "../z.js";\nimport './side.js';`)).toEqual([
      '../stores/x.js',
      './y.js',
      '../z.js',
      './side.js',
    ]);
    expect(violation('tracking/validation.ts', '../stores/tracking-store.js')).toMatch(/knows no store/);
    expect(violation('tracking/search/index.ts', '../../stores/sql/search-sql.js')).toMatch(/knows no store/);
    expect(violation('stores/file/tracking/purge.ts', '../../sql/purge.js')).toMatch(/stores\/file\/ must not lean on stores\/sql\//);
    expect(violation('stores/sql/registry/index.ts', '../../file/registry-unsupported.js')).toMatch(/stores\/sql\//);
    expect(violation('stores/rest/rest-store.ts', '../sql/connect.js')).toMatch(/stores\/rest\//);
    expect(violation('stores/sql/tracking/runs.ts', '../../common.js')).toBeUndefined();
    expect(violation('stores/open-store.ts', './sql/sql-store.js')).toBeUndefined();
    expect(violation('tracking/messages.ts', '../lib/errors.js')).toBeUndefined();
    expect(violation('stores/sql/sql-store.ts', 'kysely')).toBeUndefined();
    expect(violation('commands/db/current.ts', '../../stores/sql/connect.js')).toMatch(/only through src\/stores\/sql\/admin\.ts/);
    expect(violation('commands/db/upgrade.ts', '../../stores/sql/migrate/index.js')).toMatch(/db commands/);
    expect(violation('commands/db/current.ts', '../../stores/sql/admin.js')).toBeUndefined();
    expect(violation('commands/db/import.ts', '../../import/importer.js')).toBeUndefined();
    expect(violation('commands/runs/list.ts', '../../stores/sql/connect.js')).toBeUndefined();
  });

  it('src/tracking/ imports nothing from src/stores/, no store folder (sql, file, rest) imports from another, db commands import only sql/admin', () => {
    const broken: string[] = [];
    for (const file of sources(SRC)) {
      const text = fs.readFileSync(path.join(SRC, file), 'utf8');
      for (const spec of specifiers(text)) {
        const v = violation(file, spec);
        if (v) broken.push(v);
      }
    }
    expect(broken).toEqual([]);
  });
});
