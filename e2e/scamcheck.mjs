// The scam check in a real browser (Debian's Chromium, driven by playwright-core), as
// a person on a phone would use it: checks the number from a suspicious message in its
// old 11-digit form and sees it verified, with the police warning; pastes the whole
// message (no diacritics, a lookalike link) and gets "high risk" with the reasons;
// reports a new number through the form, with a screenshot (the proof of work runs in
// the page's script), and lands on the tracking page with a code; the officer sees the
// screenshot on the report; a press officer tries a change
// to a scam pattern on the labelled messages. No script errors, no sideways
// scroll, axe-core on each page, screenshots under OUT_DIR (target/e2e/).
//   node e2e/scamcheck.mjs http://127.0.0.1:PORT OUT_DIR
import { accessible, fail, launch, watch, wide } from './lib.mjs';

const [base, out] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const page = watch(await browser.newPage({ viewport: { width: 390, height: 844 } }), errors);
const shot = (name) => page.screenshot({ path: `${out}/scam-${name}.png`, fullPage: true });
const main = async () => page.locator('main').innerText();
try {
  // 1. The number, as written in an old message.
  await page.goto(`${base}/kiem-tra`);
  await page.fill('#f-value', '01686 123 456');
  await Promise.all([page.waitForNavigation(), page.press('#f-value', 'Enter')]);
  let text = await main();
  if (!text.includes('ĐÃ XÁC MINH LỪA ĐẢO')) fail(`the old number is not shown verified: ${text.slice(0, 400)}`);
  if (!text.includes('+84386123456')) fail('the number is not shown in its one form');
  if ((await page.locator('main a[href^="/canh-bao/"]').count()) === 0) fail('no link to the police warning');
  if (await wide(page)) fail('the check is wider than a phone screen');
  await accessible(page, 'the check on a phone');
  await shot('check');

  // 2. The whole message.
  await page.goto(`${base}/kiem-tra/tin-nhan`);
  await page.fill('#f-text', 'Vietcombank thong bao: tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. Vui long dang nhap tai vietcombamk-xacthuc[.]com/login hoac goi 0386.123.456');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  text = await main();
  if (!text.includes('RỦI RO CAO')) fail(`the message is not high risk: ${text.slice(0, 400)}`);
  if (!text.includes('giả danh Vietcombank')) fail('the lookalike link is not explained');
  if (await wide(page)) fail('the analysis is wider than a phone screen');
  await accessible(page, 'the analysis on a phone');
  await shot('analysis');
  // What a person would attach to the report: a screenshot of the message.
  const evidence = await page.screenshot();

  // 3. A report, with the proof of work done by the page's script.
  await page.goto(`${base}/kiem-tra/to-giac`);
  await page.fill('#f-indicators', '0399 777 666');
  await page.fill('#f-story', 'Người gọi xưng là nhân viên ngân hàng, đề nghị đọc mã OTP để nhận hoàn tiền.');
  await page.fill('#f-amount_lost', '1.500.000');
  await page.setInputFiles('#f-file', { name: 'tin-nhan.png', mimeType: 'image/png', buffer: evidence });
  await accessible(page, 'the report form on a phone');
  await Promise.all([page.waitForURL(/\/kiem-tra\/to-giac\/TG-/, { timeout: 30000 }), page.click('main button[type=submit]')]);
  text = await main();
  const code = (text.match(/TG-[A-Z0-9]{4}-[A-Z0-9]{4}/) || [])[0];
  if (!code) fail(`no tracking code: ${text.slice(0, 300)}`);
  if (!text.includes('Ảnh, tệp đã gửi kèm: 1')) fail(`the screenshot did not arrive: ${text.slice(0, 400)}`);
  await accessible(page, 'the tracking page on a phone');
  await shot('tracking');
  console.log(`e2e: report ${code}`);

  // 4. A press officer tries a careless phrase on the labelled messages: the trial
  //    names the ordinary message it would flag; nothing is saved.
  const desk = watch(await browser.newPage({ viewport: { width: 1280, height: 900 } }), errors);
  await desk.goto(`${base}/login`);
  await desk.fill('#f-username', 'tuyentruyen');
  await desk.fill('#f-password', 'kengdemo2025');
  await Promise.all([desk.waitForNavigation(), desk.click('button[type=submit]')]);
  // The report as the officer sees it, with the screenshot.
  await desk.goto(`${base}/scamcheck/reports`);
  await Promise.all([desk.waitForNavigation(), desk.click(`main a:has-text("${code}")`)]);
  const shown = await desk.locator('main .shots img').evaluate((img) => img.complete && img.naturalWidth > 100);
  if (!shown) fail('the screenshot does not show on the report');
  await accessible(desk, 'a report with its screenshot');
  await desk.screenshot({ path: `${out}/scam-report-view.png`, fullPage: true });
  await desk.goto(`${base}/scamcheck/rules`);
  text = await desk.locator('main').innerText();
  if (!text.includes('Tin lừa đảo bắt được')) fail(`no confusion matrix on the rules page: ${text.slice(0, 300)}`);
  await accessible(desk, 'the scam patterns');
  await desk.screenshot({ path: `${out}/scam-rules.png`, fullPage: true });
  await Promise.all([desk.waitForNavigation(), desk.click('main a[href="/scamcheck/rules/prize"]')]);
  const phrases = await desk.inputValue('#f-phrases');
  await desk.fill('#f-phrases', `${phrases}\n6 con về muộn`);
  await Promise.all([desk.waitForNavigation(), desk.click('main button[value=try]')]);
  text = await desk.locator('main').innerText();
  if (!text.includes('b005') || !text.includes('kém hơn')) fail(`the trial does not name the spoiled message: ${text.slice(0, 600)}`);
  await accessible(desk, 'a pattern tried');
  await desk.screenshot({ path: `${out}/scam-rule-trial.png`, fullPage: true });
  const narrow = watch(await browser.newPage({ viewport: { width: 390, height: 844 } }), errors);
  await narrow.context().addCookies(await desk.context().cookies());
  await narrow.goto(`${base}/scamcheck/rules/prize`);
  if (await wide(narrow)) fail('the pattern form is wider than a phone screen');

  if (errors.length) fail(`script errors: ${errors.join(' | ')}`);
  console.log('e2e: scam check ok');
} finally {
  await browser.close();
}
