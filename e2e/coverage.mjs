// The coordination with the press in a real browser: the press officer records a TV
// story by hand on the monitor's desk; the leader reads the yearly review (charts,
// suggestions with their evidence), records a commendation from a suggestion and
// downloads the DOCX; the public reads the commendations on a phone; an agency's
// editor answers the survey with the keyboard. No script errors, axe-core on each
// page, screenshots under OUT_DIR.
//   node e2e/coverage.mjs http://127.0.0.1:PORT OUT_DIR
import { readFileSync } from 'node:fs';
import { accessible, fail, inMain, launch, person as open, wide } from './lib.mjs';

const [base, out] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const person = (username, width, height) => open(browser, base, errors, username, width, height);

const shot = (page, name) => page.screenshot({ path: `${out}/coverage-${name}.png`, fullPage: true });
const year = new Date(Date.now() + 7 * 3600e3).getUTCFullYear();

try {
  // 1. The press officer: a TV story by hand.
  const press = await person('tuyentruyen', 1280, 900);
  await press.goto(`${base}/coverage`);
  await accessible(press, 'the press monitor');
  await press.selectOption('#f-m-agency_id', { label: 'Đài Phát thanh và Truyền hình Thanh Hoá' });
  await press.selectOption('#f-medium', 'tv');
  await press.fill('#f-title', 'Thời sự 19h: Công an tỉnh thông tin vụ cháy kho hàng');
  await press.fill('#f-programme', 'Thời sự 19h');
  await press.fill('#f-duration_minutes', '2,5');
  await press.fill('#f-journalist', 'Nguyễn Thị Hồng');
  await Promise.all([press.waitForNavigation(), press.click('form[action="/coverage/manual"] button[type=submit]')]);
  if (!(await inMain(press, 'Đã ghi nhận tin, bài'))) fail('the story by hand was not recorded');
  if (!(await inMain(press, 'Thời sự 19h: Công an tỉnh thông tin vụ cháy kho hàng'))) fail('the story is not among the latest');
  await shot(press, 'desk');

  // 2. The leader: the review, a commendation from a suggestion, the DOCX.
  const leader = await person('giamdoc', 1280, 900);
  await leader.goto(`${base}/coverage/review?year=${year}`);
  if ((await leader.locator('figure.chart-figure svg[role="img"]').count()) < 3) fail('the review has fewer than three charts');
  if (!(await inMain(leader, 'Đề xuất khen thưởng'))) fail('no suggested commendations');
  await accessible(leader, 'the yearly review');
  await shot(leader, 'review');
  const row = leader.locator('tr.proposed', { has: leader.locator('details') }).first();
  if ((await row.count()) === 0) fail('no proposed recipient to commend');
  const who = await row.locator('input[name="recipient_name"]').inputValue();
  await row.locator('summary').click();
  await row.locator('input[name="decision_no"]').fill('321/QĐ-CAT-PV01');
  await Promise.all([leader.waitForNavigation(), row.locator('button[type=submit]').click()]);
  if (!(await inMain(leader, 'Đã ghi nhận khen thưởng'))) fail(`the commendation was not recorded: ${(await leader.locator('main').innerText()).slice(0, 400)}`);
  if (!(await inMain(leader, '321/QĐ-CAT-PV01'))) fail('the award is not in the review');
  const [download] = await Promise.all([
    leader.waitForEvent('download'),
    leader.click(`a[href^="/coverage/review.docx"]`),
  ]);
  const docx = readFileSync(await download.path());
  if (docx.subarray(0, 2).toString() !== 'PK') fail('the DOCX is not a document');
  await leader.goto(`${base}/coverage/stories?year=${year}`);
  await accessible(leader, 'the stories behind the review');

  // 3. The public, on a phone.
  const reader = await person(null, 390, 844);
  await reader.goto(`${base}/khen-thuong`);
  if (!(await inMain(reader, '321/QĐ-CAT-PV01'))) fail('the commendation is not on the public page');
  if (!(await inMain(reader, who))) fail(`${who} is not on the public page`);
  if (!(await inMain(reader, '14 tập thể, 19 cá nhân'))) fail('the 2024 commendations are not in the seed\'s shape');
  if (await wide(reader)) fail('the commendations are wider than a phone screen');
  await accessible(reader, 'the public commendations on a phone');
  await shot(reader, 'awards-phone');

  // 4. An agency's editor answers the survey with the keyboard only.
  const editor = await person('btv.ptth', 1280, 900);
  await editor.goto(`${base}/khao-sat`);
  await accessible(editor, 'the survey');
  const form = editor.locator('form[action="/khao-sat"]').first();
  for (const [q, v] of [['timeliness', 4], ['usefulness', 5], ['access', 3]]) {
    await form.locator(`input[name="${q}"][value="${v}"]`).focus();
    await editor.keyboard.press('Space');
  }
  await form.locator('textarea').focus();
  await editor.keyboard.type('Đề nghị thông tin sớm hơn về tai nạn giao thông dịp Tết.');
  await form.locator('button[type=submit]').focus();
  await Promise.all([editor.waitForNavigation(), editor.keyboard.press('Enter')]);
  if (!(await inMain(editor, 'Cảm ơn quý cơ quan'))) fail('the survey was not taken');
  await shot(editor, 'survey');
  if (errors.length) fail(`script errors: ${errors.join(' | ')}`);
  console.log('e2e: coverage ok');
} finally {
  await browser.close();
}
