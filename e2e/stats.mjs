// Security figures in a real browser: the public reads the published figures on a
// phone (charts drawn on the server, no sideways scroll); a ward officer downloads last
// week's CSV template from the upload page, fills it in and uploads it, and on the entry
// form is told precisely what is wrong with a figure; the leader reads the dashboard,
// approves the ward's figures, opens the report with its charts and a campaign's
// progress; a press officer drafts a bulletin from a report and opens the quote's
// page. No script errors, axe-core on each page, screenshots under OUT_DIR.
//   node e2e/stats.mjs http://127.0.0.1:PORT OUT_DIR
import { readFileSync } from 'node:fs';
import { accessible, fail, inMain, launch, person as open, wide } from './lib.mjs';

const [base, out] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const person = (username, width, height) => open(browser, base, errors, username, width, height);

const shot = (page, name) => page.screenshot({ path: `${out}/stats-${name}.png`, fullPage: true });

try {
  // 1. The public, on a phone.
  const reader = await person(null, 390, 844);
  await reader.goto(`${base}/so-lieu`);
  if ((await reader.locator('figure.chart-figure svg[role="img"]').count()) < 2) fail('the public figures have no charts');
  if (!(await inMain(reader, 'so với cùng kỳ'))) fail('no comparison with the same period last year');
  if (await wide(reader)) fail('the public figures are wider than a phone screen');
  await accessible(reader, 'the public figures on a phone');
  await shot(reader, 'public-phone');

  // 2. The ward officer: the CSV template of last week, filled in and uploaded.
  const ward = await person('capx.hacthanh', 1280, 900);
  await ward.goto(`${base}/stats/upload`);
  await accessible(ward, 'the upload page');
  const [download] = await Promise.all([
    ward.waitForEvent('download'),
    ward.click('button[formaction="/stats/template.csv"]'),
  ]);
  const template = readFileSync(await download.path(), 'utf8');
  if (!template.includes('KENG-STATS v1')) fail('the template does not name its version');
  const filled = template.split('\n').map((line) => {
    if (line.startsWith('ttxh.cases,')) return line.replace(/,$/, ',2');
    if (line.startsWith('ttxh.subjects,')) return line.replace(/,$/, ',5');
    return line;
  }).join('\n');
  await ward.setInputFiles('#u-file', { name: 'so-lieu.csv', mimeType: 'text/csv', buffer: Buffer.from(filled) });
  await Promise.all([ward.waitForNavigation(), ward.click('form[enctype="multipart/form-data"] button[type=submit]')]);
  const submission = new URL(ward.url()).pathname;
  if (!submission.startsWith('/stats/submissions/')) fail(`the upload was not taken (at ${ward.url()}): ${(await ward.locator('main').innerText()).slice(0, 400)}`);
  if (!(await inMain(ward, 'Chờ duyệt'))) fail('the submission is not pending');
  await accessible(ward, 'a submission');
  await shot(ward, 'submission');
  // A mistake on the form is named next to the figure and in the summary.
  await ward.goto(`${base}/stats/enter?period=2023-07`);
  await ward.fill('[id="v-ttxh.cases"]', 'ba');
  await Promise.all([ward.waitForNavigation(), ward.click('form[action="/stats/enter"] button[type=submit]')]);
  if (!(await inMain(ward, '“ba” không phải là số'))) fail('the mistake is not named');
  if ((await ward.locator('[aria-invalid="true"]').count()) !== 1) fail('the wrong figure is not marked');
  await accessible(ward, 'the entry form with a mistake');
  // The refused form comes back as 422, which Chromium logs as a failed load.
  errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('status of 422')));
  await shot(ward, 'enter-mistake');

  // 3. The leader: dashboard, approval, report, campaign.
  const leader = await person('giamdoc', 1280, 900);
  await leader.goto(`${base}/stats`);
  if (!(await inMain(leader, 'Công an xã Mường Lát'))) fail('the dashboard does not name a ward that has not reported');
  await accessible(leader, 'the figures dashboard');
  await shot(leader, 'dashboard');
  await leader.goto(`${base}${submission}`);
  await Promise.all([leader.waitForNavigation(), leader.click('form[action$="/do/approve"] button[type=submit]')]);
  if (!(await inMain(leader, 'Đã duyệt'))) fail('the approval does not show');
  await leader.goto(`${base}/stats/report?from=2024-12-15&to=2025-01-13`);
  if (!(await inMain(leader, "33 vụ, 73 đối tượng"))) fail('the seed campaign month does not read 33 cases, 73 subjects');
  if ((await leader.locator('figure.chart-figure svg[role="img"]').count()) < 2) fail('the report has no charts');
  await accessible(leader, 'the figures report');
  await shot(leader, 'report');
  await leader.goto(`${base}/stats/campaigns`);
  await Promise.all([leader.waitForNavigation(), leader.click('a[href^="/stats/campaigns/"] >> text=Ất Tỵ')]);
  if ((await leader.locator('figure.chart-figure svg').count()) < 1) fail('the campaign has no progress chart');
  await accessible(leader, 'a campaign');
  await shot(leader, 'campaign');
  // 4. The administrator keeps the catalogue: a measure renamed in its own form.
  const admin = await person('quantri', 1280, 900);
  await admin.goto(`${base}/stats/catalogue`);
  await accessible(admin, 'the catalogue');
  await admin.click('form[action="/stats/catalogue/ma_tuy.heroin_g"] >> xpath=.. >> summary');
  await admin.fill('[id="e-ma_tuy-heroin_g-name_en"]', 'Heroin seized (net)');
  await Promise.all([admin.waitForNavigation(), admin.click('form[action="/stats/catalogue/ma_tuy.heroin_g"] button[type=submit]')]);
  if (!(await inMain(admin, 'Đã lưu chỉ tiêu'))) fail('the measure was not saved');
  await shot(admin, 'catalogue');
  // 5. The press officer drafts a bulletin from the campaign's report and opens the quote.
  const press = await person('tuyentruyen', 1280, 900);
  await press.goto(`${base}/stats/report?from=2024-12-15&to=2025-01-13&field=ttxh`);
  await Promise.all([press.waitForNavigation(), press.click('form[action="/stats/quotes"] button[type=submit]')]);
  if (!press.url().includes('/newsroom/b/')) fail(`drafting from the report went to ${press.url()}`);
  if (!(await inMain(press, '33 vụ, 73 đối tượng'))) fail('the drafted bulletin does not quote 33 cases, 73 subjects');
  await accessible(press, 'a bulletin drafted from figures');
  await shot(press, 'quote-draft');
  await Promise.all([press.waitForNavigation(), press.click('main a[href*="/so-lieu/trich-dan/"]')]);
  if (!(await inMain(press, 'Các báo cáo số liệu đã tính'))) fail('the quote page does not list its sources');
  await accessible(press, 'a quote of figures');
  await shot(press, 'quote');
  const phone = await person('giamdoc', 390, 844);
  await phone.goto(`${base}/stats/report`);
  if (await wide(phone)) fail('the report is wider than a phone screen');
  await accessible(phone, 'the figures report on a phone');
  if (errors.length) fail(`script errors: ${errors.join(' | ')}`);
  console.log('e2e: figures ok');
} finally {
  await browser.close();
}
