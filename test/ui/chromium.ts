/**
 * Debian's `chromium` driven by playwright-core (no browser download). Under CI=true a missing
 * browser fails the suite; elsewhere the suite is skipped with the reason printed.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';

const CANDIDATES = [process.env.MLF_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium(): string | undefined {
  return CANDIDATES.find((p) => fs.existsSync(p));
}

/** True when the browser suite must be skipped (reason printed); throws under CI=true. */
export function skipWithoutChromium(): boolean {
  if (findChromium()) return false;
  const reason = `no chromium found (tried ${CANDIDATES.join(', ')}; install Debian's chromium or set MLF_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`[skip] browser tests: ${reason}`);
  return true;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}
