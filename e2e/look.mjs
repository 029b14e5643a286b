// A look at pages (not a test): node e2e/look.mjs BASE OUT user:path[,path…] …
import { chromium } from 'playwright-core';
const [base, out, ...jobs] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const job of jobs) {
  const [user, paths, width] = job.split(':');
  const page = await browser.newPage({ viewport: { width: parseInt(width || '1280'), height: 900 } });
  if (user !== 'anon') {
    await page.goto(`${base}/login`);
    await page.fill('#f-username', user);
    await page.fill('#f-password', 'kengdemo2025');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
  for (const p of paths.split(',')) {
    const resp = await page.goto(`${base}${p}`);
    const name = `${user}${p.replace(/[\/?=&]/g, '_')}-${width || 1280}.png`;
    await page.screenshot({ path: `${out}/${name}`, fullPage: true });
    console.log(resp.status(), name);
  }
  await page.close();
}
await browser.close();
