// The newsroom's walk in a real browser (Debian's Chromium, driven by playwright-core),
// once in Vietnamese and once in English (chosen with the site's own language switch):
// the public home, a press officer's draft written in the editor and submitted, the
// desk; the public news on a phone; the leader on a phone at night finds the draft first,
// sends it back with a comment, the officer sees the comment and submits again, the
// leader approves — with no script errors, no sideways scroll on the phone, axe-core on
// every page looked at, and screenshots under OUT_DIR (target/e2e/, kept by CI).
//   node e2e/smoke.mjs http://127.0.0.1:PORT OUT_DIR
import { accessible, fail, launch, watch as watchInto, wide } from './lib.mjs';

const [base, out] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const watch = (page) => watchInto(page, errors);

// A browser of its own (cookies apart) at a given size, in the walk's language, chosen
// the way a visitor does: the language link in the header.
async function visitor(L, width, height) {
  const page = watch(await browser.newPage({ viewport: { width, height } }));
  await page.goto(`${base}/`);
  if ((await page.getAttribute('html', 'lang')) !== 'vi') fail('the site does not open in Vietnamese');
  if (L.code !== 'vi') {
    await Promise.all([page.waitForNavigation(), page.click(`header a[hreflang="${L.code}"]`)]);
    if ((await page.getAttribute('html', 'lang')) !== L.code) fail(`the language link does not switch to ${L.code}`);
  }
  return page;
}
async function signIn(page, username) {
  await page.goto(`${base}/login`);
  await page.fill('#f-username', username);
  await page.fill('#f-password', 'kengdemo2025');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if ((await page.locator('header form[action="/logout"]').count()) === 0) fail(`${username} is not signed in`);
}
const inMain = async (page, text) => ((await page.textContent('main')) || '').includes(text);

async function walk(L) {
  const shot = (page, name) => page.screenshot({ path: `${out}/${L.code}-${name}.png`, fullPage: true });

  // The public home page.
  const officer = await visitor(L, 1280, 900);
  await shot(officer, 'home');
  await accessible(officer, `the public home (${L.code})`);

  // The press officer writes a draft in the editor and submits it.
  await signIn(officer, 'tuyentruyen');
  await officer.goto(`${base}/newsroom/new`);
  await officer.selectOption('#f-category', 'lua_dao_cong_nghe_cao');
  await officer.fill('#f-title', L.title);
  await officer.fill('#f-summary', L.summary);
  await officer.fill('#f-body', L.body);
  await Promise.all([officer.waitForNavigation(), officer.click('form[action="/newsroom"] button[type=submit]')]);
  if (!officer.url().includes('/newsroom/b/')) fail(`the draft was not saved (${officer.url()})`);
  const draftUrl = officer.url();
  await Promise.all([officer.waitForNavigation(), officer.click('form[action$="/do/submit"] button')]);
  if (!(await inMain(officer, L.submitted))) fail(`the draft was not submitted (${L.code})`);
  await shot(officer, 'desk-bulletin');
  await officer.goto(`${base}/newsroom`);
  await shot(officer, 'desk');
  await accessible(officer, `the desk (${L.code})`);

  // The public news on a phone.
  const reader = await visitor(L, 390, 800);
  await reader.goto(`${base}/tin`);
  const cards = await reader.locator('.bulletin-card').count();
  if (cards < 5) fail(`the public list shows ${cards} bulletins`);
  if (await wide(reader)) fail('the public list is wider than a phone screen');
  await shot(reader, 'news-phone');
  await accessible(reader, `the news on a phone (${L.code})`);

  // The leader on a phone at night: what awaits their approval is the first thing on
  // the home page.
  const leader = await visitor(L, 390, 844);
  await signIn(leader, 'giamdoc');
  await leader.goto(`${base}/`);
  const first = leader.locator('main .panel .stats li').first();
  const firstText = (await first.textContent()) || '';
  if (!firstText.includes(L.toApprove)) fail(`the leader's first tile is "${firstText.trim()}"`);
  const waiting = parseInt(firstText, 10);
  if (!(waiting >= 2)) fail(`the leader sees ${waiting} items to approve (the demo's and the one submitted here)`);
  if (!((await first.getAttribute('class')) || '').includes('attention')) fail('items to approve are not highlighted');
  const box = await first.boundingBox();
  if (!box || box.y > 500) fail('the items to approve are below the first screen of a phone');
  if (await wide(leader)) fail('the home page is wider than a phone screen');
  // The staff menu folds into one line on a phone and opens on demand.
  if (await leader.locator('.menu-wide').isVisible()) fail('the full menu takes the phone screen');
  const menuBox = await leader.locator('.menu-phone summary').boundingBox();
  if (!menuBox || menuBox.height > 60) fail('the folded menu is not one line');
  await leader.click('.menu-phone summary');
  if (!(await leader.locator('.menu-phone a[href="/newsroom"]').isVisible())) fail('the folded menu does not open');
  await shot(leader, 'home-leader-phone');
  await accessible(leader, `the leader's home on a phone (${L.code})`);

  // The leader's desk on the phone: the approval queue before the clocks and on the first
  // screen, lists as cards, no sideways scrolling.
  await leader.goto(`${base}/newsroom`);
  const firstSection = leader.locator('main h2').first();
  if (!((await firstSection.textContent()) || '').includes(L.submitted)) fail(`the leader's desk starts with "${await firstSection.textContent()}"`);
  const queueBox = await firstSection.boundingBox();
  if (!queueBox || queueBox.y > 600) fail('the approval queue is below the first screen of a phone');
  if (await wide(leader)) fail('the desk is wider than a phone screen');
  const rowDisplay = await leader.evaluate(() => {
    const tr = document.querySelector('table.stack tbody tr');
    return tr ? getComputedStyle(tr).display : 'none';
  });
  if (rowDisplay !== 'block') fail(`desk lists are tables on a phone (rows: ${rowDisplay})`);
  await shot(leader, 'desk-leader-phone');
  await accessible(leader, `the leader's desk on a phone (${L.code})`);

  // Request changes on the phone, with a comment the author then sees.
  await Promise.all([leader.waitForNavigation(), leader.click(`main a:has-text("${L.title}")`)]);
  await leader.fill('#f-review', L.comment);
  await Promise.all([leader.waitForNavigation(), leader.click('form[action$="/do/request_changes"] button')]);
  if (!(await inMain(leader, L.comment))) fail('the comment is not on the bulletin');
  if (await wide(leader)) fail('the bulletin is wider than a phone screen');
  await officer.goto(draftUrl);
  if (!(await inMain(officer, L.comment))) fail('the author does not see the comment');
  await shot(officer, 'changes-requested');
  await Promise.all([officer.waitForNavigation(), officer.click('form[action$="/do/submit"] button')]);
  if (!(await inMain(officer, L.submitted))) fail('the draft was not submitted again');

  // The leader approves it on the phone.
  await leader.goto(draftUrl);
  await Promise.all([leader.waitForNavigation(), leader.click('form[action$="/do/approve"] button')]);
  if (!(await inMain(leader, L.approved))) fail('the approval did not go through');
  if (await wide(leader)) fail('the approved bulletin is wider than a phone screen');
  await shot(leader, 'approved-phone');
  await accessible(leader, `an approved bulletin on a phone (${L.code})`);
  for (const p of [officer, reader, leader]) await p.context().close();
  console.log(`e2e: the walk in ${L.code} passed`);
}

try {
  await walk({
    code: 'vi',
    title: 'Cảnh báo thủ đoạn giả mạo tin nhắn thông báo trúng thưởng',
    summary: 'Người dân nhận tin nhắn báo trúng thưởng, yêu cầu nộp phí nhận quà.',
    body: 'Đây là thủ đoạn lừa đảo.\n\nKhông chuyển tiền, không cung cấp mã OTP.',
    comment: 'Bổ sung số đường dây nóng của công an xã.',
    toApprove: 'tin chờ bạn duyệt',
    submitted: 'Chờ duyệt',
    approved: 'Đã duyệt',
  });
  await walk({
    code: 'en',
    title: 'Warning: fake prize messages asking for a delivery fee',
    summary: 'People receive messages saying they won a prize and must pay a fee to receive it.',
    body: 'This is a scam.\n\nDo not transfer money and never give out an OTP code.',
    comment: 'Add the commune police hotline number.',
    toApprove: 'items awaiting your approval',
    submitted: 'Awaiting approval',
    approved: 'Approved, awaiting publication',
  });
  if (errors.length) fail(`script errors: ${errors.join(' | ')}`);
  console.log('e2e: ok');
} finally {
  await browser.close();
}
