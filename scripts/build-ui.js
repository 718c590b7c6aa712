// Builds the web UI (ui/src) into dist/ui: one minified, content-hashed JS and CSS bundle, an
// index.html that loads them by relative URL (so it works under --static-prefix), and a gzip twin
// of each file that the server sends as is. No network: everything comes from node_modules.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// An output folder may be given (the browser tests build into a temporary one).
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'ui'));
fs.rmSync(out, { recursive: true, force: true });

const result = await build({
  entryPoints: [path.join(root, 'ui', 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  logLevel: 'warning',
});

const files = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = files.find((f) => f.endsWith('.js'));
const css = files.find((f) => f.endsWith('.css'));
const html = fs
  .readFileSync(path.join(root, 'ui', 'index.html'), 'utf8')
  .replace('%CSS%', css ? `<link rel="stylesheet" href="static-files/${css}">` : '')
  .replace('%JS%', `<script type="module" src="static-files/${js}"></script>`);
fs.writeFileSync(path.join(out, 'index.html'), html);

let gzTotal = 0;
for (const f of fs.readdirSync(out)) {
  const gz = zlib.gzipSync(fs.readFileSync(path.join(out, f)), { level: 9 });
  fs.writeFileSync(path.join(out, `${f}.gz`), gz);
  gzTotal += gz.length;
}
console.log(`ui: ${files.join(', ')} (${(gzTotal / 1024).toFixed(1)} kB gzipped in all)`);
