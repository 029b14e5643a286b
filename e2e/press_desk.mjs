// The press desk's walk in a real browser (Debian's Chromium, driven by playwright-core):
// a journalist on a phone asks to film a night patrol of a ward police unit; the press
// officer finds it on the desk and assigns it to the ward; the ward's officer schedules
// it; the journalist opens the permit on the phone (QR code drawn on the server) and the
// gate's check page says it is valid; the leader reads the response-time report with
// its charts. No script errors, no sideways scroll on the phone, axe-core on each page,
// screenshots under OUT_DIR (target/e2e/, kept by CI).
//   node e2e/press_desk.mjs http://127.0.0.1:PORT OUT_DIR
import { accessible, fail, inMain, launch, person as open, wide } from './lib.mjs';

const [base, out] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const person = (username, width, height) => open(browser, base, errors, username, width, height);
const shot = (page, name) => page.screenshot({ path: `${out}/press-${name}.png`, fullPage: true });
const openSteps = (page) => page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));

// Tomorrow evening in Vietnam time, as a datetime-local value.
function local(hoursFromMidnightTomorrow) {
  const now = new Date(Date.now() + 7 * 3600 * 1000); // UTC+7 as if it were UTC
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, hoursFromMidnightTomorrow, 0));
  return d.toISOString().slice(0, 16);
}

const topic = 'Ghi hình ca tuần tra đêm của Công an phường Hạc Thành (thử trên trình duyệt)';
try {
  // 1. The journalist asks, on a phone.
  const ha = await person('pv.baothanhhoa', 390, 844);
  await ha.goto(`${base}/press/requests/new`);
  if (await wide(ha)) fail('the request form is wider than a phone screen');
  await accessible(ha, 'the request form on a phone');
  await ha.check('#kind-field_work');
  await ha.fill('#f-topic', topic);
  await ha.fill('#f-questions', 'Đề nghị cho phóng viên đi cùng tổ tuần tra đêm.\nĐoàn gồm 2 người.');
  await ha.selectOption('#f-unit_id', { label: 'Công an phường Hạc Thành' });
  await ha.fill('#f-wished_from', local(20));
  await ha.fill('#f-wished_until', local(23));
  await Promise.all([ha.waitForNavigation(), ha.click('form[action="/press/requests"] button[type=submit]')]);
  const requestUrl = new URL(ha.url()).pathname;
  if (!requestUrl.startsWith('/press/requests/')) fail(`the request was not filed (at ${ha.url()})`);
  if (!(await inMain(ha, topic))) fail('the request page does not show the topic');
  await shot(ha, 'request-sent-phone');

  // 2. The press officer finds it on the desk and assigns it to the ward.
  const officer = await person('tuyentruyen', 1280, 900);
  await officer.goto(`${base}/press-desk`);
  if (!(await inMain(officer, topic))) fail('the request is not on the desk');
  await accessible(officer, 'the press desk');
  await shot(officer, 'desk');
  await officer.goto(`${base}${requestUrl}`);
  await openSteps(officer);
  await officer.selectOption('form[action$="/do/assign"] select[name="unit_id"]', { label: 'Công an phường Hạc Thành' });
  await Promise.all([officer.waitForNavigation(), officer.click('form[action$="/do/assign"] button[type=submit]')]);
  if (!(await inMain(officer, 'Công an phường Hạc Thành'))) fail('the assignment does not show');

  // 3. The ward's officer schedules it (the wished window is filled in).
  const ward = await person('capx.hacthanh', 1280, 900);
  await ward.goto(`${base}/press-desk`);
  if (!(await inMain(ward, topic))) fail('the ward does not see the request assigned to it');
  await ward.goto(`${base}${requestUrl}`);
  await openSteps(ward);
  await ward.fill('form[action$="/do/schedule"] input[name="place"]', 'Trụ sở Công an phường Hạc Thành');
  await Promise.all([ward.waitForNavigation(), ward.click('form[action$="/do/schedule"] button[type=submit]')]);
  if ((await ward.locator('a[href^="/press/permits/"]').count()) === 0) fail('no permit after scheduling');
  await accessible(ward, 'a scheduled request');

  // 4. The journalist opens the permit on the phone; the gate's page says valid.
  await ha.goto(`${base}${requestUrl}`);
  await Promise.all([ha.waitForNavigation(), ha.click('a[href^="/press/permits/"]')]);
  if ((await ha.locator('.qr svg').count()) !== 1) fail('the permit has no QR code');
  if (await wide(ha)) fail('the permit is wider than a phone screen');
  await accessible(ha, 'the permit on a phone');
  await shot(ha, 'permit-phone');
  const verify = await ha.getAttribute('a.verify-link', 'href');
  const gate = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await gate.goto(verify);
  const status = await gate.getAttribute('.verdict', 'data-status');
  if (status !== 'not_yet_valid' && status !== 'valid') fail(`the gate says ${status}`);
  await accessible(gate, 'the gate check page');
  await shot(gate, 'gate-phone');

  // 5. The leader reads the report: charts drawn on the server, figures in tables.
  const leader = await person('giamdoc', 1280, 900);
  await leader.goto(`${base}/press-desk/report`);
  const charts = await leader.locator('figure.chart-figure svg[role="img"]').count();
  if (charts < 3) fail(`the report has ${charts} charts`);
  await accessible(leader, 'the press desk report');
  await shot(leader, 'report');
  const phone = await person('giamdoc', 390, 844);
  await phone.goto(`${base}/press-desk/report`);
  if (await wide(phone)) fail('the report is wider than a phone screen');
  await shot(phone, 'report-phone');

  if (errors.length) fail(`script errors: ${errors.join(' | ')}`);
  console.log('e2e: the press desk walk passed');
} finally {
  await browser.close();
}
