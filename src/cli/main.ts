/**
 * What `bin/run.js` runs (bundled into dist/cli/main.js). Help that the manifests alone can answer
 * is shown without loading the rest of oclif (fast-help.ts); everything else goes to oclif.
 *
 * @example
 * await main(import.meta.url); // from bin/run.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder above bin/ (the one with package.json), as oclif finds it. */
function packageRoot(binUrl: string): string {
  let dir = path.dirname(fileURLToPath(binUrl));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

export async function main(binUrl: string): Promise<void> {
  if (!process.env.MLF_NO_FAST_HELP) {
    const { fastHelp } = await import('./fast-help.js');
    if (await fastHelp(packageRoot(binUrl), process.argv.slice(2))) return;
  }
  const { execute } = await import('@oclif/core');
  await execute({ dir: binUrl });
}
