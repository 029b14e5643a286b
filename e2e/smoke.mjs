// A press officer's morning in a real browser (Debian's Chromium, driven by
// playwright-core): the home page in Vietnamese, sign-in, a draft written in the editor
// and submitted, the desk and the public news list — with no script errors, no broken
// form, and screenshots to look at under target/e2e/.
//   node e2e/smoke.mjs http://127.0.0.1:PORT OUT_DIR
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// axe-core, run inside each page checked (through the DevTools protocol, so the
// site's CSP does not block it): no serious or critical violation allowed.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const what = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    fail(`axe-core on ${name}: ${what.join(' | ')}`);
  }
  console.log(`e2e: axe-core on ${name}: ${result.violations.length} minor or moderate, none serious`);
}

const [base, out] = process.argv.slice(2);
const fail = (msg) => { console.error(`e2e: ${msg}`); process.exit(1); };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(`${base}/`);
  if ((await page.getAttribute('html', 'lang')) !== 'vi') fail('the home page is not in Vietnamese');
  await page.screenshot({ path: `${out}/home.png`, fullPage: true });
  await accessible(page, 'the public home');

  await page.goto(`${base}/login`);
  await page.fill('#f-username', 'tuyentruyen');
  await page.fill('#f-password', 'kengdemo2025');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (!(await page.textContent('header')).includes('Nguyễn Thị Lan')) fail('not signed in');

  await page.goto(`${base}/newsroom/new`);
  await page.selectOption('#f-category', 'lua_dao_cong_nghe_cao');
  await page.fill('#f-title', 'Cảnh báo thủ đoạn giả mạo tin nhắn thông báo trúng thưởng');
  await page.fill('#f-summary', 'Người dân nhận tin nhắn báo trúng thưởng, yêu cầu nộp phí nhận quà.');
  await page.fill('#f-body', 'Đây là thủ đoạn lừa đảo.\n\nKhông chuyển tiền, không cung cấp mã OTP.');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/newsroom"] button[type=submit]')]);
  if (!page.url().includes('/newsroom/b/')) fail(`the draft was not saved (${page.url()})`);
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/do/submit"] button')]);
  if (!(await page.textContent('main')).includes('Chờ duyệt')) fail('the draft was not submitted');
  await page.screenshot({ path: `${out}/desk-bulletin.png`, fullPage: true });

  await page.goto(`${base}/newsroom`);
  await page.screenshot({ path: `${out}/desk.png`, fullPage: true });
  await accessible(page, 'the desk');

  const phone = await browser.newPage({ viewport: { width: 390, height: 800 } });
  phone.on('pageerror', (e) => errors.push(String(e)));
  await phone.goto(`${base}/tin`);
  const cards = await phone.locator('.bulletin-card').count();
  if (cards < 5) fail(`the public list shows ${cards} bulletins`);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  if (overflow) fail('the public list is wider than a phone screen');
  await phone.screenshot({ path: `${out}/news-phone.png`, fullPage: true });
  await accessible(phone, 'the news on a phone');

  // The leader on a phone at night: what awaits their approval is the first thing on
  // the home page (the press officer's draft submitted above is there).
  const leader = await browser.newPage({ viewport: { width: 390, height: 844 } });
  leader.on('pageerror', (e) => errors.push(String(e)));
  await leader.goto(`${base}/login`);
  await leader.fill('#f-username', 'giamdoc');
  await leader.fill('#f-password', 'kengdemo2025');
  await Promise.all([leader.waitForNavigation(), leader.click('button[type=submit]')]);
  await leader.goto(`${base}/`);
  const first = leader.locator('main .panel .stats li').first();
  const firstText = (await first.textContent()) || '';
  if (!firstText.includes('tin chờ bạn duyệt')) fail(`the leader's first tile is "${firstText.trim()}"`);
  const waiting = parseInt(firstText, 10);
  if (!(waiting >= 2)) fail(`the leader sees ${waiting} items to approve (the demo's and the one submitted here)`);
  if (!(await first.getAttribute('class') || '').includes('attention')) fail('items to approve are not highlighted');
  const box = await first.boundingBox();
  if (!box || box.y > 500) fail('the items to approve are below the first screen of a phone');
  if (await leader.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)) fail('the home page is wider than a phone screen');
  // The staff menu folds into one line on a phone and opens on demand.
  if (await leader.locator('.menu-wide').isVisible()) fail('the full menu takes the phone screen');
  const menuBox = await leader.locator('.menu-phone summary').boundingBox();
  if (!menuBox || menuBox.height > 60) fail('the folded menu is not one line');
  await leader.click('.menu-phone summary');
  if (!(await leader.locator('.menu-phone a[href="/newsroom"]').isVisible())) fail('the folded menu does not open');
  await leader.screenshot({ path: `${out}/home-leader-phone.png`, fullPage: true });

  // The leader's desk on the phone: the approval queue before the clocks, lists as cards,
  // no sideways scrolling; the leader sends the officer's draft back with a comment and
  // approves the demo's pending initial information.
  await leader.goto(`${base}/newsroom`);
  const firstSection = await leader.locator('main h2').first().textContent();
  if (!firstSection.includes('Chờ duyệt')) fail(`the leader's desk starts with "${firstSection}"`);
  if (await leader.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)) fail('the desk is wider than a phone screen');
  const rowDisplay = await leader.evaluate(() => {
    const tr = document.querySelector('table.stack tbody tr');
    return tr ? getComputedStyle(tr).display : 'none';
  });
  if (rowDisplay !== 'block') fail(`desk lists are tables on a phone (rows: ${rowDisplay})`);
  await leader.screenshot({ path: `${out}/desk-leader-phone.png`, fullPage: true });
  await accessible(leader, "the leader's desk on a phone");
  await Promise.all([leader.waitForNavigation(), leader.click('a:has-text("giả mạo tin nhắn thông báo trúng thưởng")')]);
  await leader.fill('#f-review', 'Bổ sung số đường dây nóng của công an xã.');
  await Promise.all([leader.waitForNavigation(), leader.click('form[action$="/do/request_changes"] button')]);
  if (!(await leader.textContent('main')).includes('Bổ sung số đường dây nóng')) fail('the comment is not on the bulletin');
  await leader.goto(`${base}/newsroom`);
  await Promise.all([leader.waitForNavigation(), leader.click('a:has-text("vụ tai nạn giao thông liên hoàn")')]);
  await Promise.all([leader.waitForNavigation(), leader.click('form[action$="/do/approve"] button')]);
  if (!(await leader.textContent('main')).includes('Đã duyệt')) fail('the approval did not go through');
  await leader.screenshot({ path: `${out}/approved-phone.png`, fullPage: true });

  if (errors.length) fail(`script errors: ${errors.join(' | ')}`);
  console.log('e2e: ok');
} finally {
  await browser.close();
}
