// Debian's Chromium, headless, opening a report file: every request other than the file itself is
// refused and recorded, and JavaScript errors (uncaught, or console errors) are collected, so a
// test can demand a self-contained page that runs clean.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface PageRun {
  errors: string[];
  external: string[];
}

/** Opens `file`, waits for the page's script to finish, runs `check`, saves a full-page screenshot. */
export async function inChromium(file: string, screenshot: string, check: (page: Page) => Promise<void>): Promise<PageRun> {
  const profile = mkdtempSync(join(tmpdir(), 'psd-chromium-'));
  const run: PageRun = { errors: [], external: [] };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await context.newPage();
    const url = pathToFileURL(file).href;
    page.on('pageerror', (e) => run.errors.push(`uncaught: ${e.message}`));
    page.on('console', (m) => void (m.type() === 'error' && run.errors.push(`console: ${m.text()}`)));
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      run.external.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await check(page);
    await page.screenshot({ path: screenshot, fullPage: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return run;
}
