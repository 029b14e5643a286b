// What the browser walks share: Chromium launched as the tests need it, a failure that
// ends the walk with a message, a demo person signed in on a new page, script errors
// collected per page, the sideways-scroll check for phones, and axe-core run inside a
// page (through the DevTools protocol, so the site's CSP does not block it) with no
// serious or critical violation allowed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const fail = (msg) => { console.error(`e2e: ${msg}`); process.exit(1); };

export async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const what = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    fail(`axe-core on ${name}: ${what.join(' | ')}`);
  }
  console.log(`e2e: axe-core on ${name}: ${result.violations.length} minor or moderate, none serious`);
}

export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Collects a page's script errors into `errors`.
export const watch = (page, errors) => {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return page;
};

export const wide = (page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

// A new page for `username` (signed in with the demo password; none: the public), its
// script errors collected into `errors`.
export async function person(browser, base, errors, username, width, height) {
  const page = watch(await browser.newPage({ viewport: { width, height }, acceptDownloads: true }), errors);
  if (username) {
    await page.goto(`${base}/login`);
    await page.fill('#f-username', username);
    await page.fill('#f-password', 'kengdemo2025');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    if ((await page.locator('header form[action="/logout"]').count()) === 0) fail(`${username} is not signed in`);
  }
  return page;
}

// Does the page's main region say `text`?
export const inMain = async (page, text) => (await page.locator('main').innerText()).includes(text);
