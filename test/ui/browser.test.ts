/**
 * The web UI end to end in Debian's chromium: every view clicked through on a seeded SQLite store,
 * what is shown checked, and the README's screenshots written (to MLF_UI_SCREENSHOTS, default a
 * temporary folder). One browser and one server for the whole file keeps it well under a minute.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from './chromium.js';
import { seed, type Seeded } from './seed.js';
import { buildUi, startUiServer, type UiServer } from './serve-ui.js';

const skip = skipWithoutChromium();
// Generous waits: the suite shares 2 cores with the rest of the test run.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });
const shots = process.env.MLF_UI_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-ui-shots-'));

describe.skipIf(skip)('web UI in a browser', () => {
  let browser: Browser;
  let page: Page;
  let s: UiServer;
  let data: Seeded;
  let uiDir: string;
  const rows = () => page.locator('table[aria-label="Runs"] tbody tr');

  beforeAll(async () => {
    uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-ui-build-'));
    buildUi(uiDir);
    [s, browser] = await Promise.all([startUiServer({ uiDir }), launchChromium()]);
    data = await seed(s);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (uiDir) fs.rmSync(uiDir, { recursive: true, force: true });
  });

  it('lists, searches, creates, renames, deletes and restores experiments', async () => {
    await page.goto(s.url + '/');
    const table = page.locator('table[aria-label="Experiments"]');
    await poll(() => table.locator('tbody tr').count()).toBe(3); // alpha, beta, Default
    await page.getByLabel('Search experiments').fill('alp');
    await poll(() => table.locator('tbody tr').allInnerTexts()).toEqual([expect.stringContaining('alpha')]);
    await page.getByLabel('Search experiments').fill('');
    await page.getByLabel('New experiment').fill('gamma');
    await page.getByRole('button', { name: 'Create' }).click();
    await poll(() => table.innerText()).toContain('gamma');
    await page.getByRole('button', { name: 'Rename gamma' }).click();
    await page.getByLabel('New name').fill('gamma-2');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => table.innerText()).toContain('gamma-2');
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete gamma-2' }).click();
    await poll(() => table.innerText()).not.toContain('gamma-2');
    await page.getByLabel('Show deleted').check();
    await poll(() => table.innerText()).toContain('old-experiment');
    await page.locator('tr', { hasText: 'gamma-2' }).getByRole('button', { name: 'Restore' }).click();
    await poll(() => table.innerText()).not.toContain('gamma-2');
    await page.getByLabel('Show deleted').uncheck();
    await poll(() => table.innerText()).toContain('gamma-2');
  });

  it('pages, sorts, filters (with the server message inline), bulk-deletes, restores and exports runs', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}`);
    await poll(() => rows().count()).toBe(30);
    await page.getByLabel('Rows per page').selectOption('25');
    await poll(() => rows().count()).toBe(25);
    await page.getByRole('button', { name: 'Next →' }).click();
    await poll(() => rows().count()).toBe(5);
    await expect(page.getByText('Page 2')).toBeTruthy();
    await page.getByRole('button', { name: '← Previous' }).click();
    await poll(() => rows().count()).toBe(25);

    // Sort by the loss metric, ascending: the last run (loss 1/30) comes first.
    await page.getByRole('button', { name: 'Sort by loss' }).click();
    await page.getByRole('button', { name: 'Sort by loss' }).click();
    await poll(() => rows().first().innerText()).toContain('run-29');
    expect(await page.locator('th[aria-sort="ascending"]').innerText()).toContain('loss');

    const filter = page.getByLabel('Filter runs');
    await filter.fill("params.model = 'tree' and metrics.loss < 0.1");
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => rows().count()).toBe(10); // odd i from 11 to 29
    // Filter and sort are in the URL (MLflow's parameter names): a reload shows the same rows.
    const hashQuery = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(hashQuery.get('searchFilter')).toBe("params.model = 'tree' and metrics.loss < 0.1");
    expect(hashQuery.get('orderByKey')).toBe('metrics.`loss`');
    await page.reload();
    await poll(() => rows().count()).toBe(10);
    expect(await page.getByLabel('Filter runs').inputValue()).toContain("params.model = 'tree'");
    expect(await page.locator('th[aria-sort="ascending"]').innerText()).toContain('loss');
    await page.getByLabel('Rows per page').selectOption('25');
    await filter.fill('metrics.loss <<< 1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const err = page.locator('#filter-error [role="alert"]');
    await poll(() => err.innerText()).toContain('INVALID_PARAMETER_VALUE');
    const serverMsg = (await s.api('POST', 'mlflow/runs/search', { experiment_ids: [data.alpha], filter: 'metrics.loss <<< 1' }).catch((e: Error) => e.message)) as string;
    expect(serverMsg).toContain((await err.innerText()).replace(/^INVALID_PARAMETER_VALUE: /, '').slice(0, 40).replace(/"/g, '\\"'));
    await filter.fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => rows().count()).toBe(25);

    // CSV of the current view: a header and one line per row shown.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = fs.readFileSync((await dl.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toContain('run_id,run_name');
    expect(csv[0]).toContain('metrics.loss');
    expect(csv).toHaveLength(26);

    await page.getByLabel('Select run-29').check();
    await page.getByLabel('Select run-28').check();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await poll(() => rows().count()).toBe(25);
    await poll(() => rows().first().innerText()).toContain('run-27');
    await page.getByLabel('Deleted runs').check();
    await poll(() => rows().count()).toBe(2);
    await page.getByLabel('Select all runs on this page').check();
    await page.getByRole('button', { name: 'Restore' }).click();
    await poll(() => rows().count()).toBe(0);
    await page.getByLabel('Deleted runs').uncheck();
    await poll(() => rows().first().innerText()).toContain('run-29');
    await page.screenshot({ path: path.join(shots, 'ui-runs.png') });
  });

  it('compares runs: params side by side with differences marked, overlaid charts', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}`);
    await page.getByLabel('Select run-29').check();
    await page.getByLabel('Select run-28').check();
    await page.getByRole('link', { name: 'Compare' }).click();
    await poll(() => page.locator('h1').innerText()).toBe('Comparing 2 runs');
    const params = page.locator('table[aria-label="Parameters"]');
    expect(await params.locator('tr.diff th').allInnerTexts()).toEqual(['lr', 'model']);
    const tags = page.locator('table[aria-label="Tags"]');
    expect(await tags.locator('tr:not(.diff) th[scope=row]').allInnerTexts()).toEqual(['team']); // 'vision' on both
    await poll(() => page.locator('.chart[data-draw-ms]').count()).toBe(3);
    // The train_loss overlay carries both runs.
    expect(await page.locator('.chart[aria-label="Chart of train_loss"] .u-legend').innerText()).toMatch(/run-29[\s\S]*run-28|run-28[\s\S]*run-29/);
    await page.screenshot({ path: path.join(shots, 'ui-compare.png'), fullPage: true });
  });

  it('shows a run: overview, params, editable tags, datasets, logged models', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}/runs/${data.best}`);
    const main = page.locator('main');
    await poll(() => main.innerText()).toContain('FINISHED');
    const text = await main.innerText();
    for (const shown of ['run-29', 'ada', 'train.py (LOCAL)', '3f2a9c1d0b7e', '1min 30s', 'The best run so far.', 'iris', 'a1b2c3d4', 'training', 'sklearn, python_function', 'lr', '0.03']) {
      expect(text, shown).toContain(shown);
    }
    await page.getByLabel('Tag key').fill('stage');
    await page.getByLabel('Value').fill('candidate');
    await page.getByRole('button', { name: 'Set tag' }).click();
    await poll(() => main.innerText()).toContain('candidate');
    expect((await s.api('GET', `mlflow/runs/get?run_id=${data.best}`)).run.data.tags).toContainEqual({ key: 'stage', value: 'candidate' });
    await page.getByRole('button', { name: 'Delete tag stage' }).click();
    await poll(() => main.innerText()).not.toContain('candidate');
    await page.getByRole('button', { name: 'Rename run' }).click();
    await page.getByLabel('Run name').fill('best-run');
    await page.getByRole('button', { name: 'Save name' }).click();
    await poll(() => page.locator('h1').innerText()).toBe('best-run');
    expect((await s.api('GET', `mlflow/runs/get?run_id=${data.best}`)).run.info.run_name).toBe('best-run');
    await page.getByRole('button', { name: 'Rename run' }).click();
    await page.getByLabel('Run name').fill('run-29');
    await page.getByRole('button', { name: 'Save name' }).click();
    await poll(() => page.locator('h1').innerText()).toBe('run-29');
  });

  it('draws a 10,000-point metric history within 300 ms, with step/time axis, log scale and smoothing', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}/runs/${data.best}`);
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const chart = page.locator('.chart[aria-label="Chart of train_loss"]');
    await poll(() => chart.getAttribute('data-points')).toBe(String(data.historyPoints));
    const ms = Number(await chart.getAttribute('data-draw-ms'));
    console.log(`[ui] ${data.historyPoints}-point chart drawn in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(300);
    await page.getByLabel('X axis').selectOption('time');
    await page.getByLabel('Log scale').check();
    await page.getByLabel('Smoothing').fill('0.9');
    await poll(() => chart.locator('canvas').count()).toBe(1);
    await page.screenshot({ path: path.join(shots, 'ui-run-metrics.png') });
  });

  it('browses artifacts with text, JSON and image previews and downloads through the proxy', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}/runs/${data.best}`);
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page.getByRole('button', { name: 'notes.txt' }).click();
    await poll(() => page.locator('pre.preview').innerText()).toContain('hello from the best run');
    await page.getByRole('button', { name: 'metrics.json' }).click();
    await poll(() => page.locator('pre.preview').innerText()).toContain('"f1": 0.91');
    await page.getByRole('button', { name: 'model/' }).click();
    await page.getByRole('button', { name: 'MLmodel' }).click();
    await poll(() => page.locator('pre.preview').innerText()).toContain('sklearn');
    await page.getByRole('button', { name: 'plot.png' }).click();
    await poll(() => page.locator('img.preview').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(2);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
    expect(fs.readFileSync((await dl.path())!).subarray(1, 4).toString()).toBe('PNG');
  });

  it('shows the Model Registry: models, versions, aliases, stage changes', async () => {
    await page.goto(`${s.url}/#/models`);
    const list = page.locator('table[aria-label="Registered models"]');
    await poll(() => list.innerText()).toContain('demo-model');
    expect(await list.innerText()).toContain('@champion → v2');
    await page.getByRole('link', { name: 'demo-model' }).click();
    await poll(() => page.locator('table[aria-label="Versions"] tbody tr').count()).toBe(2);
    await page.getByRole('link', { name: 'Version 1' }).click();
    await page.getByLabel('Stage').selectOption('Staging');
    await poll(async () => (await s.api('GET', 'mlflow/model-versions/get?name=demo-model&version=1')).model_version.current_stage).toBe('Staging');
    await poll(() => page.locator('main').innerText()).toContain('Staging');
  });

  it('shows not-found pages and bad compare links plainly', async () => {
    await page.goto(`${s.url}/#/experiments/987654`);
    await poll(() => page.locator('h1').innerText()).toBe('Not found');
    await page.goto(`${s.url}/#/experiments/${data.alpha}/runs/0123456789abcdef0123456789abcdef`);
    await poll(() => page.locator('h1').innerText()).toBe('Not found');
    await page.goto(`${s.url}/#/models/no-such-model`);
    await poll(() => page.locator('h1').innerText()).toBe('Not found');
    await page.goto(`${s.url}/#/no/such/page`);
    await poll(() => page.locator('h1').innerText()).toBe('Not found');
  });

  it('is keyboard-usable, labelled, and has a dark theme', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}`);
    await poll(() => rows().count()).toBeGreaterThan(0);
    // Every form control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button')].filter((el) => {
        const e = el as HTMLInputElement;
        return !(e.labels?.length || e.getAttribute('aria-label') || e.textContent?.trim());
      }).length,
    );
    expect(unnamed).toBe(0);
    await page.reload();
    await poll(() => rows().count()).toBeGreaterThan(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(18, 22, 28)');
    await page.setViewportSize({ width: 900, height: 700 });
    await page.goto(`${s.url}/#/experiments/${data.alpha}/runs/${data.best}`);
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page.getByRole('button', { name: 'metrics.json' }).click();
    await poll(() => page.locator('pre.preview').innerText()).toContain('"f1"');
    await page.screenshot({ path: path.join(shots, 'ui-artifacts-dark.png') });
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('works under --static-prefix', async () => {
    const p = await startUiServer({ uiDir, staticPrefix: '/mlflow' });
    try {
      await page.goto(p.url + '/mlflow');
      expect(page.url()).toBe(p.url + '/mlflow/');
      await poll(() => page.locator('table[aria-label="Experiments"]').innerText()).toContain('Default');
    } finally {
      await p.close();
    }
  });

  it('shows a banner, not a blank page, when the server goes down', async () => {
    await page.goto(`${s.url}/#/experiments/${data.alpha}`);
    await poll(() => rows().count()).toBeGreaterThan(0);
    await s.stop();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => page.locator('.banner').innerText()).toContain('cannot be reached');
    expect(await rows().count()).toBeGreaterThan(0);
  });
});
