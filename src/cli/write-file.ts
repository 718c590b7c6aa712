/** Writing a whole file so that a failure leaves nothing behind: a temp name, then a rename. */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { MlfError } from '../lib/errors.js';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const full = path.resolve(file);
  const tmp = path.join(path.dirname(full), `.${path.basename(full)}.mlf-${process.pid}-${Date.now()}`);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, full);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new MlfError(`Cannot write '${file}': ${code ?? (e as Error).message}`, 'IO_ERROR');
  }
}
