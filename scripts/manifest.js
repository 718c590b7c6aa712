// Writes oclif.manifest.json after `tsc`, so the CLI finds its commands without importing them all
// at start-up. (The `oclif` package's own `oclif manifest` needs Node 22; this is the same call.)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
const manifest = plugin.manifest;
if (Object.keys(manifest.commands).length === 0) {
  console.error('manifest: no commands found');
  process.exit(1);
}
fs.writeFileSync(path.join(root, 'oclif.manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`manifest: ${Object.keys(manifest.commands).length} commands`);
