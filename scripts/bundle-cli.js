// Bundles the CLI (dist/src, after `tsc`) into dist/cli: the entry point, every command and the
// hooks, with @oclif/core, kysely and the other pure-JS dependencies inside, split into shared
// chunks so that each command still loads only what it imports. Why: Node 20 pays per module file
// (resolution, reading, compiling); unbundled, @oclif/core (~150 files) and kysely (~260 files)
// alone cost more than Node's own start-up. Database drivers stay outside (native code, or loaded
// only for their dialect). dist/src stays as tsc wrote it: it is the library (`main`) and what
// the tests import.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'dist', 'src');
const out = path.join(root, 'dist', 'cli');

function jsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? jsFiles(p) : e.name.endsWith('.js') ? [p] : [];
  });
}

const entries = [...jsFiles(path.join(src, 'commands')), ...jsFiles(path.join(src, 'hooks')), path.join(src, 'cli', 'main.js')];

const oclifRoot = path.join(root, 'node_modules', '@oclif', 'core');

/**
 * `@oclif/core`'s index also runs a Node version check (semver and a package.json read) on import:
 * mlf's code uses five of its exports, so take those from oclif's own subpath modules.
 */
const OCLIF_SHIM = [
  "export * as Args from '@oclif/core/args';",
  "export * as Errors from '@oclif/core/errors';",
  "export * as Flags from '@oclif/core/flags';",
  "export { Command } from '@oclif/core/command';",
  "export { execute } from '@oclif/core/execute';",
].join('\n');

const oclifPlugin = {
  name: 'mlf-oclif',
  setup(b) {
    b.onResolve({ filter: /^@oclif\/core$/ }, () => ({ path: 'oclif-core-shim', namespace: 'mlf' }));
    b.onLoad({ filter: /^oclif-core-shim$/, namespace: 'mlf' }, () => ({ contents: OCLIF_SHIM, resolveDir: root, loader: 'js' }));
    // oclif finds its own package.json from __dirname (its version, in the user agent). In a bundle
    // __dirname is not defined: point it at the installed @oclif/core, found at run time.
    b.onLoad({ filter: /[\\/]node_modules[\\/]@oclif[\\/]core[\\/].*\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!text.includes('__dirname')) return undefined;
      const rel = JSON.stringify(path.relative(oclifRoot, path.dirname(args.path)).split(path.sep).join('/'));
      const dir = `require('node:path').join(require('node:path').dirname(require.resolve('@oclif/core/package.json')), ${rel})`;
      return { contents: text.replace(/\b__dirname\b/g, `(${dir})`), loader: 'js' };
    });
  },
};

fs.rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: entries.map((f) => ({ in: f, out: path.relative(src, f).replace(/\.js$/, '').replace(/^cli[\\/]main$/, 'main') })),
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Native code, or drivers loaded only for their dialect; typescript/tsx/ts-node are oclif's
  // optional development-mode loaders, never used by the built CLI.
  external: ['better-sqlite3', 'pg', 'mysql2', 'tedious', 'tarn', 'typescript', 'tsx', 'ts-node'],
  // The CommonJS modules inside (oclif and its dependencies) call require() for Node's built-ins
  // and for files found at run time (plugins' package.json).
  banner: { js: "import { createRequire as __mlfCreateRequire } from 'node:module'; const require = __mlfCreateRequire(import.meta.url);" },
  plugins: [oclifPlugin],
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const kb = outputs.reduce((n, [, o]) => n + o.bytes, 0) / 1024;
console.log(`cli: ${entries.length} entry points, ${outputs.length} files, ${kb.toFixed(0)} kB`);
