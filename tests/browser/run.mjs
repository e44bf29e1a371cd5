// Browser tests of the thanrak web application in headless Debian Chromium, driven by
// playwright-core (no browser is downloaded). .ci/run builds the binary, starts
// `thanrak serve --demo` with THANRAK_DEMO_PASSWORD set and runs this script with:
//   THANRAK_URL       the server's address, such as http://127.0.0.1:18080
//   THANRAK_PASSWORD  the demo accounts' password
// Screenshots go to tests/browser/screenshots/. The last line printed is "N passed, N failed";
// the exit code is non-zero when any step failed.
// The import steps upload tests/browser/fixtures/: the project's example round relabelled 2570-1
// (a round the demo does not hold) and a copy with one malformed cell (see fixtures/README.md).
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const base = process.env.THANRAK_URL;
const password = process.env.THANRAK_PASSWORD;
if (!base || !password) {
  console.error('set THANRAK_URL and THANRAK_PASSWORD');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');
const fixtures = join(here, 'fixtures');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let passed = 0;
let failed = 0;
async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split('\n').slice(0, 4).join('\n     ')}`);
  }
}

/// A fresh browser context logged in as `name`; fails on any request to another host and on
/// any script error or CSP violation of the page.
async function loggedIn(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'th-TH' });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    // Failed loads are reported below with their address (the browser's own favicon.ico
    // request, which the app does not serve, is not a page's problem).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      page.problems.push(`console: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400) { page.problems.push(`HTTP ${r.status()} ${r.url()}`); }
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) {
      page.problems.push(`request to another site: ${r.url()}`);
    }
  });
  await page.goto(`${base}/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.ok(!page.url().endsWith('/login'), `still on the login page as ${name}`);
  return { context, page };
}

function noProblems(page) {
  const seen = page.problems.splice(0);
  assert.equal(seen.length, 0, `the page had problems:\n${seen.join('\n')}`);
}

async function drawnMap(page) {
  await page.waitForSelector('#map[data-drawn]', { timeout: 15000 });
  return page.locator('#map path.leaflet-interactive').count();
}

let admin;
await step('admin logs in', async () => {
  admin = await loggedIn('admin');
  await admin.page.screenshot({ path: join(shots, '01-after-login.png'), fullPage: true });
  noProblems(admin.page);
});

await step('the map shows the provinces with a legend and the illustrative label', async () => {
  const { page } = admin;
  await page.goto(`${base}/map`);
  const paths = await drawnMap(page);
  assert.ok(paths >= 2, `expected at least 2 provinces drawn, got ${paths}`);
  await page.waitForSelector('#map-legend');
  assert.match(await page.locator('#map-legend').innerText(), /%/);
  assert.ok(await page.locator('#illustrative-note').isVisible(), 'illustrative label hidden');
  assert.match(await page.locator('#illustrative-note').innerText(), /ขอบเขตสมมติเพื่อการสาธิต/);
  assert.ok(!(await page.locator('#fallback-note').isVisible()));
  assert.ok(await page.locator('header a[href="/map"]').count() === 1, 'no map link in the header');
  // Coloured by value: the two provinces with data are not white.
  const fills = await page.locator('#map path.leaflet-interactive').evaluateAll(
    (ps) => ps.map((p) => p.getAttribute('fill')));
  assert.ok(fills.some((f) => f && f !== '#ffffff'), `fills ${fills}`);
  await page.screenshot({ path: join(shots, '02-map-provinces.png'), fullPage: true });
  noProblems(page);
});

await step('hovering an area shows its name and value', async () => {
  const { page } = admin;
  const lampang = page.locator('#map path.leaflet-interactive').first();
  await lampang.hover();
  const tip = page.locator('.leaflet-tooltip:not(.area-label)');
  await tip.waitFor({ timeout: 5000 });
  assert.match(await tip.innerText(), /\d+(\.\d)?%/);
});

await step('clicking a province drills down to its districts', async () => {
  const { page } = admin;
  await page.goto(`${base}/map?figure=hardship_struggling`);
  await drawnMap(page);
  const box = await page.locator('#map path.leaflet-interactive').first().boundingBox();
  await Promise.all([
    page.waitForURL(/area=\d\d(&|$)/),
    page.mouse.click(box.x + box.width / 2, box.y + box.height / 2),
  ]);
  const n = await drawnMap(page);
  assert.ok(n >= 10, `expected the districts of a province, got ${n}`);
  assert.match(page.url(), /figure=hardship_struggling/);
  await page.screenshot({ path: join(shots, '03-map-districts.png'), fullPage: true });
  noProblems(page);
});

await step('the map\'s classes: fixed breaks by default, quantiles on request, names, a PNG', async () => {
  const { page } = admin;
  await page.goto(`${base}/map?area=52`);
  const n = await drawnMap(page);
  // Fixed breaks: the default classes of a share, whatever the values shown.
  const fixed = await page.locator('#legend-table tr.legend-class').allInnerTexts();
  assert.equal(fixed.length, 5, `classes ${fixed}`);
  assert.match(fixed[1], /5\.0%.*10\.0%/);
  const counted = (rows) => rows.reduce((a, r) => a + Number(r.match(/(\d+)\s*\S*\s*$/)[1]), 0);
  assert.equal(counted(fixed), await page.locator('#values tbody tr').count());
  // Area names are drawn on a map of a few areas.
  assert.ok(await page.locator('#map-labels').isChecked(), 'names off on a district map');
  assert.equal(await page.locator('.leaflet-tooltip.area-label').count(), n);
  assert.match(await page.locator('.leaflet-tooltip.area-label').first().innerText(), /[\u0E00-\u0E7F]/);
  // Quantiles: the reader's choice is kept when drilling down.
  await page.selectOption('#classing', 'quantile');
  await Promise.all([page.waitForURL(/classing=quantile/), page.click('form.map-controls button[type=submit]')]);
  await drawnMap(page);
  const q = await page.locator('#legend-table tr.legend-class').allInnerTexts();
  assert.ok(q.length >= 3, `quantile classes ${q}`);
  assert.equal(counted(q), await page.locator('#values tbody tr').count());
  const drill = await page.locator('#values tbody tr a').first().getAttribute('href');
  assert.match(drill, /classing=quantile/);
  // Bad breaks say why, with the menu kept.
  const bad = await page.goto(`${base}/map?area=52&classing=fixed&breaks=20,10`);
  assert.equal(bad.status(), 400);
  assert.match(await page.locator('main').innerText(), /breaks/);
  assert.ok(await page.locator('header nav a[href="/map"]').count() === 1, 'menu lost on the error page');
  page.problems.splice(0);
  // The PNG for slides.
  await page.goto(`${base}/map?area=52`);
  await drawnMap(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#map-png')]);
  assert.match(download.suggestedFilename(), /^map-.*52.*\.png$/);
  const file = join(shots, '03c-map-download.png');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  assert.ok(bytes.length > 20000, `png of ${bytes.length} bytes`);
  await page.screenshot({ path: join(shots, '03b-map-classes-names.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, '03d-map-phone.png'), fullPage: true });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the map page is ${wide} px wide on a phone`);
  await page.setViewportSize({ width: 1280, height: 900 });
  noProblems(page);
});

await step('a capital figure at subdistrict level draws and drills to villages', async () => {
  const { page } = admin;
  await page.goto(`${base}/map?area=5201&figure=capital_financial`);
  const n = await drawnMap(page);
  assert.ok(n >= 5, `subdistricts drawn: ${n}`);
  assert.ok((await page.locator('#values tbody tr').count()) >= 1);
  await page.screenshot({ path: join(shots, '04-map-subdistricts-capital.png'), fullPage: true });
  noProblems(page);
});

await step('the area manager of Lampang sees only Lampang', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/map`);
  const n = await drawnMap(page);
  assert.ok(n >= 10, `Lampang's districts: ${n}`);
  const codes = await page.locator('#values tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.code));
  assert.ok(codes.length > 0 && codes.every((c) => c.startsWith('52')), `codes ${codes}`);
  const other = await page.goto(`${base}/map?area=45`);
  assert.equal(other.status(), 404);
  await context.close();
});

await step('an analyst sees small cells suppressed in grey', async () => {
  const { context, page } = await loggedIn('analyst');
  await page.goto(`${base}/map?area=520101`);
  await drawnMap(page);
  await page.screenshot({ path: join(shots, '05-map-villages-analyst.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the map page in English', async () => {
  const { page } = admin;
  await page.goto(`${base}/map?lang=en`);
  await drawnMap(page);
  assert.match(await page.locator('h1').innerText(), /Map/);
  assert.match(await page.locator('#illustrative-note').innerText(), /illustrative boundaries/);
  await page.screenshot({ path: join(shots, '06-map-english.png'), fullPage: true });
  await page.goto(`${base}/map?lang=th`);
});

await step('the dashboard drills down from a province to a district', async () => {
  const { page } = admin;
  await page.goto(`${base}/`);
  await page.waitForSelector('#area-name');
  const link = page.locator('#children a').first();
  const name = (await link.innerText()).trim();
  await Promise.all([page.waitForURL(/area=\d+/), link.click()]);
  assert.ok((await page.locator('#area-name').innerText()).includes(name), `not on ${name}`);
  assert.ok((await page.locator('#crumbs a').count()) >= 1);
  await page.screenshot({ path: join(shots, '07-dashboard-drilldown.png'), fullPage: true });
  noProblems(page);
});

await step('the dashboard switches to the TPMAP methodology and says which one it shows', async () => {
  const { page } = admin;
  await page.goto(`${base}/?area=52`);
  await page.waitForSelector('#methodology');
  const before = await page.locator('#groups').innerText();
  assert.match(await page.locator('#methodology-title').innerText(), /ธารรักษ์|ค่าเริ่มต้น/);
  await page.selectOption('#methodology', 'tpmap-welfare-1');
  await Promise.all([page.waitForURL(/methodology=tpmap-welfare-1/), page.click('form.inline button[type=submit]')]);
  assert.match(await page.locator('#methodology-title').innerText(), /TPMAP/);
  assert.notEqual(await page.locator('#groups').innerText(), before, 'the groups differ under TPMAP');
  await page.screenshot({ path: join(shots, '07b-dashboard-tpmap.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, '07c-dashboard-tpmap-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  noProblems(page);
});

await step('the target list filters by a need of the methodology file', async () => {
  const { page } = admin;
  await page.goto(`${base}/targets?area=52&need=job`);
  await page.waitForSelector('#targets tr[data-id], #no-targets');
  const rows = await page.locator('#targets tr[data-id]').count();
  assert.ok(rows > 0, 'no household with the job need in Lampang');
  const chips = await page.locator('#targets tr[data-id]').evaluateAll(
    (rs) => rs.map((r) => r.innerText));
  assert.ok(chips.every((t) => t.includes('งาน')), 'every row lists the job need');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, '08b-targets-job-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  noProblems(page);
});

let profileHref;
await step('the target list of Lampang lists households with links to their profiles', async () => {
  const { page } = admin;
  await page.goto(`${base}/targets?area=52`);
  await page.waitForSelector('#targets tr[data-id], #no-targets');
  const rows = await page.locator('#targets tr[data-id]').count();
  assert.ok(rows > 0, 'no target households');
  const ids = await page.locator('#targets tr[data-id]').evaluateAll((rs) => rs.map((r) => r.dataset.id));
  assert.ok(ids.every((id) => id && id.length > 0));
  profileHref = await page.locator('#targets tr[data-id] a').first().getAttribute('href');
  await page.screenshot({ path: join(shots, '08-targets.png'), fullPage: true });
  noProblems(page);
});

await step('the family profile shows members, indicators, the pentagon and history', async () => {
  const { page } = admin;
  assert.ok(profileHref, 'no profile link from the target list');
  await page.goto(`${base}${profileHref}`);
  await page.waitForSelector('#household-id');
  assert.ok((await page.locator('#members tr').count()) >= 2, 'no members');
  assert.ok(await page.locator('#pentagon').count() === 1, 'no pentagon');
  assert.ok((await page.locator('#history tr[data-round]').count()) >= 1, 'no history');
  await page.screenshot({ path: join(shots, '09-family-profile.png'), fullPage: true });
  noProblems(page);
});

await step('the admin reads in the audit log who viewed the profile', async () => {
  const { page } = admin;
  await page.click('header nav a[href="/audit"]');
  await page.waitForSelector('#audit');
  const first = page.locator('#audit tr[data-id]').first();
  assert.equal((await first.locator('td.user').textContent()).trim(), 'admin');
  assert.ok((await first.locator('td.action').textContent()).includes('/households/'),
    'the newest line is not the profile view');
  await page.screenshot({ path: join(shots, '10-audit-log.png'), fullPage: true });
  noProblems(page);
});

await step('the import page shows a row report for a bad file', async () => {
  const { page } = admin;
  await page.goto(`${base}/import`);
  await page.setInputFiles('#files', join(fixtures, 'bad-households.csv'));
  const [answer] = await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/import"] button[type=submit]'),
  ]);
  // The upload queues a check and opens the page that follows it; the page shows the report
  // once the check has ended (answered with 422).
  assert.match(answer.url(), /\/import\?check=\d+$/, 'the upload does not open its check');
  await page.waitForSelector('#report', { timeout: 60000 });
  assert.equal(await page.locator('#ready, #loaded').count(), 0, 'a bad file was offered for loading');
  const rows = await page.locator('#report tr:has(td)').evaluateAll(
    (rs) => rs.map((r) => [...r.querySelectorAll('td')].map((td) => td.innerText.trim())));
  assert.ok(rows.length >= 1, 'an empty report');
  // file, row, column, value, reason
  const bad = rows.find((r) => r[3] === '2570/1');
  assert.ok(bad, `no report row names the value 2570/1:\n${rows.map((r) => r.join(' | ')).join('\n')}`);
  assert.equal(bad[0], 'bad-households.csv');
  assert.equal(bad[1], '2');
  assert.equal(bad[2], 'round');
  assert.ok(bad[4].length > 0, 'no reason given');
  await page.screenshot({ path: join(shots, 'import-report.png'), fullPage: true });
  // The rejection is answered with 422 on purpose: that is not a problem of the page.
  page.problems = page.problems.filter((p) => !p.startsWith(`HTTP 422 ${base}/import?check=`));
  noProblems(page);
});

await step('the import page loads good files after confirmation', async () => {
  const { page } = admin;
  await page.goto(`${base}/`);
  await page.waitForSelector('#round');
  const before = await page.locator('#round option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(!before.includes('2570-1'), `the demo already holds round 2570-1: ${before}`);
  await page.goto(`${base}/import`);
  await page.setInputFiles('#files', [join(fixtures, 'households.csv'), join(fixtures, 'members.csv')]);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/import"] button[type=submit]')]);
  await page.waitForSelector('#ready', { timeout: 60000 });
  assert.equal(await page.locator('#report').count(), 0, 'good files were reported');
  assert.equal((await page.locator('#ready-households').innerText()).trim(), '24');
  assert.match(await page.locator('#ready').innerText(), /2570-1/);
  assert.match(await page.locator('#ready').innerText(), /households\.csv, members\.csv/);
  // The confirmation queues an import job and opens its page, which follows the job (and the
  // scoring of its round) from the JSON API and shows the summary once they have ended.
  await Promise.all([page.waitForNavigation(), page.click('#ready button[type=submit]')]);
  await page.waitForURL(/\/jobs\/\d+$/);
  const link = page.locator('#loaded a[href="/?round=2570-1"]');
  await link.waitFor({ timeout: 60000 });
  assert.equal((await page.locator('#loaded-households').innerText()).trim(), '24');
  assert.equal(await link.count(), 1, 'no link to the loaded round');
  assert.equal((await page.locator('#loaded .scored-households').innerText()).trim(), '24');
  assert.match(await page.locator('#job .job-state').innerText(), /เสร็จแล้ว/);
  await page.screenshot({ path: join(shots, 'import-loaded.png'), fullPage: true });
  noProblems(page);
  await page.goto(`${base}/`);
  await page.waitForSelector('#round');
  const after = await page.locator('#round option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(after.includes('2570-1'), `the dashboard does not offer round 2570-1: ${after}`);
  for (const r of before) { assert.ok(after.includes(r), `round ${r} is gone: ${after}`); }
  await page.selectOption('#round', '2570-1');
  await Promise.all([page.waitForURL(/round=2570-1/), page.click('form:has(#round) button[type=submit]')]);
  await page.waitForSelector('#area-name');
  assert.equal(await page.locator('#round').inputValue(), '2570-1');
  noProblems(page);
});

await step('a households file alone is refused unless it is a households-only update', async () => {
  const { page } = admin;
  await page.goto(`${base}/import`);
  await page.setInputFiles('#files', [join(fixtures, 'households.csv')]);
  const [answer] = await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/import"] button[type=submit]'),
  ]);
  assert.match(answer.url(), /\/import\?check=\d+$/, 'the upload does not open its check');
  await page.waitForSelector('#report', { timeout: 60000 });
  page.problems.splice(0);
  assert.match(await page.locator('#report').innerText(), /ไม่มีตารางสมาชิก/);
  await page.screenshot({ path: join(shots, 'import-households-alone.png'), fullPage: true });
  // The round loaded by the previous step is stored: a households-only update keeps its members.
  await page.setInputFiles('#files', [join(fixtures, 'households.csv')]);
  await page.check('#households-only');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/import"] button[type=submit]')]);
  await page.waitForSelector('#ready', { timeout: 60000 });
  assert.equal(await page.locator('#removals').count(), 0, 'a households-only update removes nobody');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'import-households-only-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([page.waitForNavigation(), page.click('#ready button[type=submit]')]);
  await page.waitForURL(/\/jobs\/\d+$/);
  await page.waitForSelector('#loaded a[href="/?round=2570-1"]', { timeout: 60000 });
  noProblems(page);
});

await step('an agency officer reads the agency catalogue; the admin adds an agency', async () => {
  const { context, page } = await loggedIn('codi');
  await page.goto(`${base}/agencies`);
  await page.waitForSelector('#agency-codi');
  assert.ok((await page.locator('#agencies .agency').count()) >= 10, 'the default catalogue');
  assert.match(await page.locator('#agency-codi').innerText(), /ที่อยู่อาศัย/);
  assert.equal(await page.locator('#agency-form').count(), 0, 'an officer has no form');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'agencies-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
  const a = admin.page;
  await a.goto(`${base}/agencies`);
  await a.fill('#code', 'rubber_board');
  await a.fill('#name_th', 'การยางแห่งประเทศไทย');
  await a.fill('#name_en', 'Rubber Authority of Thailand');
  await a.fill('#needs', 'occupation');
  await a.fill('#areas', '52');
  await Promise.all([a.waitForNavigation(), a.click('#agency-form button[type=submit]')]);
  await a.waitForSelector('#agency-rubber_board');
  assert.match(await a.locator('#agency-rubber_board').innerText(), /ลำปาง/);
  await a.screenshot({ path: join(shots, 'agencies.png'), fullPage: true });
  noProblems(a);
});

await step('the agency officer accepts a case in its referral inbox', async () => {
  const { context, page } = await loggedIn('codi');
  await page.goto(`${base}/cases`);
  await page.waitForSelector('#cases');
  const states = await page.locator('#cases tr[data-state]').evaluateAll((rs) => rs.map((r) => r.dataset.state));
  for (const s of ['sent', 'accepted', 'in_progress', 'resolved', 'declined', 'cancelled']) {
    assert.ok(states.includes(s), `no ${s} case in the demo inbox: ${states}`);
  }
  assert.ok(await page.locator('#cases .overdue').count() >= 1, 'no overdue case');
  await page.screenshot({ path: join(shots, 'cases-inbox.png'), fullPage: true });
  const sent = page.locator('#cases tr[data-state="sent"]').first();
  const id = await sent.getAttribute('id');
  await Promise.all([page.waitForNavigation(), sent.locator('button[data-move="accept"]').click()]);
  assert.equal(await page.locator(`#${id}`).getAttribute('data-state'), 'accepted');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'cases-inbox-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the area manager refers a target group from the target list as a job', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/targets?need=housing&group=struggling`);
  await page.waitForSelector('#refer');
  await page.locator('#refer').evaluate((d) => { d.open = true; });
  await page.selectOption('#refer-agency', 'codi');
  await page.fill('#refer-note', 'กลุ่มพออยู่ได้ที่ต้องซ่อมบ้าน');
  await page.screenshot({ path: join(shots, 'targets-refer.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.locator('#refer-form button[type=submit]').click()]);
  assert.match(page.url(), /\/jobs\/\d+$/);
  await page.waitForSelector('#referred-opened', { timeout: 20000 });
  const opened = Number(await page.locator('#referred-opened').innerText());
  assert.ok(opened > 0, 'no case opened');
  await page.screenshot({ path: join(shots, 'referral-job.png'), fullPage: true });
  // The dashboard's referral status counts them.
  await page.goto(`${base}/`);
  await page.waitForSelector('#referral-status tr[data-agency="codi"]');
  await page.screenshot({ path: join(shots, 'dashboard-referrals.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'dashboard-referrals-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the agency officer accepts, starts and resolves a case with the help given', async () => {
  const { context, page } = await loggedIn('codi');
  await page.goto(`${base}/cases?state=sent`);
  await page.waitForSelector('#cases');
  const first = page.locator('#cases tr[data-state="sent"] td:first-child a').first();
  await Promise.all([page.waitForNavigation(), first.click()]);
  const caseUrl = page.url();
  await Promise.all([page.waitForNavigation(), page.locator('button[data-move="accept"]').click()]);
  assert.equal(await page.locator('#case').getAttribute('data-state'), 'accepted');
  await page.fill('#comment-note', 'นัดหมายเข้าสำรวจบ้านแล้ว');
  await Promise.all([page.waitForNavigation(), page.locator('#comment-form button').click()]);
  await Promise.all([page.waitForNavigation(), page.locator('button[data-move="start"]').click()]);
  assert.equal(await page.locator('#case').getAttribute('data-state'), 'in_progress');
  await page.selectOption('#help-kind', 'housing');
  await page.selectOption('#help-addresses', 'living');
  await page.fill('#help-what', 'ซ่อมหลังคาและฝาผนัง');
  await page.fill('#help-value', '15,000');
  await page.screenshot({ path: join(shots, 'case-help-form.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.locator('#help-form button').click()]);
  assert.equal(page.url().split('#')[0], caseUrl);
  assert.equal(await page.locator('#case').getAttribute('data-state'), 'resolved');
  assert.match(await page.locator('#case-help').innerText(), /15,000\.00/);
  assert.match(await page.locator('#history').innerText(), /นัดหมายเข้าสำรวจบ้านแล้ว/);
  await page.screenshot({ path: join(shots, 'case-resolved.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'case-resolved-phone.png'), fullPage: true });
  // The household's profile, opened from the case, lists the case and the help.
  await page.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([page.waitForNavigation(), page.locator('#case dd a').first().click()]);
  await page.waitForSelector('#household-cases');
  assert.match(await page.locator('#household-help').innerText(), /ซ่อมหลังคาและฝาผนัง/);
  await page.screenshot({ path: join(shots, 'profile-cases-help.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the logbook of help is summed by agency, dimension and area', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/help`);
  await page.waitForSelector('main');
  assert.match(await page.locator('main').innerText(), /บาท/);
  await page.screenshot({ path: join(shots, 'help-summary.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'help-summary-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the registry of community businesses shows scores and an enterprise its chain', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/enterprises`);
  await page.waitForSelector('#enterprises tr[data-enterprise]');
  const n = await page.locator('#enterprises tr[data-enterprise]').count();
  assert.ok(n > 0, 'no enterprise listed');
  await page.screenshot({ path: join(shots, 'enterprises.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'enterprises-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([page.waitForNavigation(), page.locator('#enterprises tr[data-enterprise] a').first().click()]);
  await page.waitForSelector('#enterprise-traits');
  assert.match(await page.locator('#enterprise-score').innerText(), /\/3/);
  await page.screenshot({ path: join(shots, 'enterprise-chain.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the area manager accepts a proposed job match, which opens a case', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/matching`);
  await page.waitForSelector('#runs');
  if (await page.locator('#pairs').count() === 0) {
    await Promise.all([page.waitForNavigation(), page.locator('#runs a').first().click()]);
  }
  await page.waitForSelector('#pairs tr[data-pair]');
  await page.screenshot({ path: join(shots, 'matching.png'), fullPage: true });
  const accept = page.locator('#pairs tr[data-pair] form button').first();
  const pair = await page.locator('#pairs tr[data-pair]:has(form)').first().getAttribute('data-pair');
  await Promise.all([page.waitForNavigation(), accept.click()]);
  assert.equal(await page.locator(`#pairs tr[data-pair="${pair}"] form[action$="/accept"]`).count(), 0, 'the pair is still to accept');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'matching-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the change between the rounds shows moves, a flow chart and the helped beside the others', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/change`);
  await page.waitForSelector('#change-matrix');
  assert.match(await page.locator('#change-area').innerText(), /ลำปาง/);
  assert.ok(await page.locator('#change-flow path').count() > 3, 'no flow drawn');
  assert.match(await page.locator('#change-left').innerText(), /^[\d,]+$/);
  assert.ok(await page.locator('#change-areas tr[data-area]').count() > 3, 'no district rows');
  await page.screenshot({ path: join(shots, 'change.png'), fullPage: true });
  // Down to a district, then the list of the persistent poor.
  await Promise.all([page.waitForNavigation(), page.locator('#change-areas tr[data-area] a').first().click()]);
  await page.waitForSelector('#change-matrix');
  await Promise.all([page.waitForNavigation(), page.click('#change-persistent')]);
  await page.waitForSelector('main');
  assert.equal(await page.locator('#persistent').inputValue(), '2');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/change`);
  await page.screenshot({ path: join(shots, 'change-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('strategic areas are ranked with their components, weights change the order', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/strategy`);
  await page.waitForSelector('#strategy-table tr[data-area]');
  const first = await page.locator('#strategy-table tr[data-area]').first().getAttribute('data-area');
  assert.ok(first.startsWith('52'), `ranked outside Lampang: ${first}`);
  assert.ok(await page.locator('#partners tr').count() > 1, 'no partner listed');
  await page.screenshot({ path: join(shots, 'strategy.png'), fullPage: true });
  // Only the Area Manager counts: the subdistricts it manages come first.
  await page.fill('#w_concentration', '0');
  await page.fill('#w_quality', '0');
  await page.fill('#w_manager', '1');
  await Promise.all([page.waitForNavigation(), page.click('#strategy-form button')]);
  await page.waitForSelector('#strategy-table tr[data-area]');
  assert.match(await page.locator('#strategy-table tr[data-area] .chip').first().innerText(), /lpru/);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'strategy-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the model area shows its roadmap and the area manager moves an activity', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/model-areas`);
  await page.waitForSelector('table.roadmap tr[data-activity]');
  assert.ok(await page.locator('table.roadmap tr[data-activity]').count() >= 5);
  const before = await page.locator('.area-progress').first().innerText();
  const row = page.locator('table.roadmap tr[data-activity]:has(.state.planned)').first();
  await row.locator('select[name=state]').selectOption('done');
  await Promise.all([page.waitForNavigation(), row.locator('button').click()]);
  const after = await page.locator('.area-progress').first().innerText();
  assert.notEqual(before, after, 'the progress did not move');
  await page.screenshot({ path: join(shots, 'model-areas.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'model-areas-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the agency follows up its action item of the meeting', async () => {
  const { context, page } = await loggedIn('codi');
  await page.goto(`${base}/meetings`);
  await page.waitForSelector('.meeting');
  assert.ok(await page.locator('td.overdue').count() > 0, 'no overdue item shown');
  const form = page.locator('table.items tr[data-item] form').first();
  await form.locator('input[name=note]').fill('ซ่อมเพิ่มอีก 4 หลัง');
  await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
  assert.match(await page.locator('main').innerText(), /ซ่อมเพิ่มอีก 4 หลัง/);
  await page.screenshot({ path: join(shots, 'meetings.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'meetings-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the area manager makes the meeting report as a PDF from the dashboard', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/`);
  await page.waitForSelector('#report-form');
  await Promise.all([page.waitForNavigation(), page.click('#report-form button')]);
  await page.waitForSelector('#report-download', { timeout: 60000 });
  const href = await page.locator('#report-download').getAttribute('href');
  const res = await page.request.get(`${base}${href}`);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  const body = await res.body();
  assert.equal(body.subarray(0, 4).toString(), '%PDF');
  await page.screenshot({ path: join(shots, 'report-job.png'), fullPage: true });
  noProblems(page);
  await context.close();
});


await step('at phone width the menu folds behind one button and no page is wider than the phone', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/`);
  assert.ok(await page.locator('.menu-label').isVisible(), 'no menu button at phone width');
  assert.ok(!(await page.locator('header nav').isVisible()), 'the menu is open before it is asked for');
  await page.click('.menu-label');
  assert.ok(await page.locator('header nav').isVisible(), 'the menu does not open');
  await page.screenshot({ path: join(shots, 'menu-phone.png'), fullPage: false });
  for (const path of ['/', '/targets', '/map', '/meetings', '/change', '/strategy', '/cases', '/help',
    '/enterprises', '/matching', '/guide', '/guide/import-format']) {
    await page.goto(`${base}${path}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 400, `${path} is ${wide} px wide at 390 px`);
  }
  await page.goto(`${base}/targets`);
  await page.screenshot({ path: join(shots, 'targets-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('a matching run lists the workers left unplaced, by reason', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/matching`);
  await page.waitForSelector('#runs');
  if (await page.locator('#unplaced').count() === 0) {
    await Promise.all([page.waitForNavigation(), page.locator('#runs a').first().click()]);
  }
  await page.waitForSelector('#unplaced-list tr td');
  const chip = page.locator('#unplaced-reasons a[data-reason]').first();
  const reason = (await chip.innerText()).replace(/[\d,]+\s*คน\s*$/, '').trim();
  await Promise.all([page.waitForNavigation(), chip.click()]);
  const cells = await page.locator('#unplaced-list tr td:nth-child(3)').allInnerTexts();
  assert.ok(cells.length > 0 && cells.every((c) => c.trim() === reason), `not all "${reason}": ${cells.slice(0, 3)}`);
  assert.match(await page.locator('#unplaced-list tr td:nth-child(2)').first().innerText(), /ต\..+อ\./);
  await page.screenshot({ path: join(shots, 'matching-unplaced.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('an enterprise page lists the households that supply it', async () => {
  const { context, page } = await loggedIn('lampang');
  const list = await (await page.request.get(`${base}/api/v1/enterprises?area=52&per_page=200`)).json();
  let found = null;
  for (const e of list.items) {
    const chain = await (await page.request.get(`${base}/api/v1/enterprises/${e.id}`)).json();
    if (chain.suppliers && chain.suppliers.length > 0) { found = e.id; break; }
  }
  assert.ok(found, 'no enterprise of Lampang has supplier households');
  await page.goto(`${base}/enterprises/${found}`);
  await page.waitForSelector('#suppliers tr[data-household]');
  await page.screenshot({ path: join(shots, 'enterprise-suppliers.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('the guide shows the methodology and the import template downloads', async () => {
  const { context, page } = await loggedIn('analyst');
  await page.goto(`${base}/guide`);
  await Promise.all([page.waitForNavigation(), page.locator('#guide a[href^="/guide/methodology-thanrak"]').click()]);
  assert.ok(await page.locator('#guide table tr').count() > 16, 'the indicators are not listed');
  await page.screenshot({ path: join(shots, 'guide-methodology.png'), fullPage: false });
  const res = await page.request.get(`${base}/guide/template.xlsx`);
  assert.equal(res.status(), 200);
  assert.equal((await res.body()).subarray(0, 2).toString(), 'PK');
  noProblems(page);
  await context.close();
});

await step('the admin adds a user, hands over a reset code and the user sets a new password', async () => {
  const { context, page } = await loggedIn('admin');
  await page.goto(`${base}/admin/users`);
  await page.fill('#add-user input[name=name]', 'nok');
  await page.selectOption('#add-user select[name=role]', 'surveyor');
  await page.fill('#add-user input[name=areas]', '520101');
  await Promise.all([page.waitForNavigation(), page.click('#add-user button')]);
  await page.waitForSelector('#secret');
  await Promise.all([page.waitForNavigation(), page.click('button[data-reset="nok"]')]);
  const code = (await page.locator('#secret').innerText()).trim();
  assert.match(code, /^\w{4}-\w{4}-\w{4}$/);
  await page.screenshot({ path: join(shots, 'users-reset-code.png'), fullPage: true });
  noProblems(page);
  await context.close();
  const fresh = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await fresh.newPage();
  await p.goto(`${base}/login`);
  await Promise.all([p.waitForNavigation(), p.click('#reset-link')]);
  await p.fill('input[name=name]', 'nok');
  await p.fill('input[name=code]', code);
  await p.fill('input[name=password]', 'nok new password 1');
  await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
  await p.waitForSelector('#reset-done');
  await p.fill('input[name=name]', 'nok');
  await p.fill('input[name=password]', 'nok new password 1');
  await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
  assert.ok(!p.url().endsWith('/login'), 'the new password does not log in');
  await fresh.close();
});

await step('pages open on the latest published round; the admin publishes the imported draft', async () => {
  const { context, page } = await loggedIn('admin');
  await page.goto(`${base}/`);
  assert.equal(await page.locator('#round').inputValue(), '2569-1', 'the small imported draft became the default');
  await page.goto(`${base}/?round=2570-1`);
  await page.waitForSelector('#draft-round');
  await page.screenshot({ path: join(shots, 'dashboard-draft-round.png'), fullPage: false });
  await Promise.all([page.waitForNavigation(), page.click('#publish-round')]);
  await page.goto(`${base}/`);
  assert.equal(await page.locator('#round').inputValue(), '2570-1');
  // Back to a draft, so that the demo opens as before.
  await Promise.all([page.waitForNavigation(), page.click('#draft-round-button')]);
  await page.goto(`${base}/`);
  assert.equal(await page.locator('#round').inputValue(), '2569-1');
  noProblems(page);
  await context.close();
});

await step('an unknown area keeps the menu and says what to do', async () => {
  const { context, page } = await loggedIn('lampang');
  const res = await page.goto(`${base}/targets?area=ลำปาง`);
  assert.equal(res.status(), 200, 'a province by its Thai name');
  page.problems.splice(0);
  const bad = await page.goto(`${base}/targets?area=99`);
  assert.equal(bad.status(), 404, 'a province code that does not exist is not found');
  assert.ok(await page.locator('header nav a[href="/"]').count() === 1, 'the error page lost the menu');
  assert.match(await page.locator('#error-message').innerText(), /99/);
  page.problems.splice(0);
  await context.close();
});
await step('the area picker offers the user\'s own areas by name, cascading and searchable', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/targets`);
  const province = page.locator('.area-cascade select[data-level="0"]');
  const district = page.locator('.area-cascade select[data-level="1"]');
  // Lampang's manager is offered Lampang only, and starts inside it.
  await page.waitForFunction(() => document.querySelectorAll('.area-cascade select[data-level="1"] option').length > 2);
  const provinces = await province.locator('option').allInnerTexts();
  assert.deepEqual(provinces.slice(1), ['ลำปาง'], `provinces offered: ${provinces}`);
  const districts = await district.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(districts.length >= 10 && districts.every((c) => c.startsWith('52')), `districts ${districts}`);
  await district.selectOption('5201');
  assert.equal(await page.inputValue('#area'), '5201');
  await page.waitForFunction(() => document.querySelectorAll('.area-cascade select[data-level="2"] option').length > 2);
  await page.waitForFunction(() => /เมืองลำปาง/.test(document.querySelector('.area-picked').textContent));
  const sub = await page.locator('.area-cascade select[data-level="2"] option').nth(1).getAttribute('value');
  await page.locator('.area-cascade select[data-level="2"]').selectOption(sub);
  assert.equal(await page.inputValue('#area'), sub);
  await Promise.all([page.waitForURL(new RegExp(`area=${sub}`)), page.click('form button[type=submit]')]);
  // Opened on a subdistrict, the lists show its chain.
  await page.waitForFunction((c) => document.querySelector('.area-cascade select[data-level="2"]').value === c, sub);
  // A name typed is searched among the user's areas only.
  await page.fill('#area', 'เมือง');
  await page.waitForFunction(() => document.querySelectorAll('#area-suggestions-0 option').length > 0);
  const found = await page.locator('#area-suggestions-0 option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(found.every((c) => c.startsWith('52')), `suggestions outside Lampang: ${found}`);
  await page.screenshot({ path: join(shots, '40-area-picker.png'), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/targets?area=5201`);
  await page.waitForFunction(() => document.querySelectorAll('.area-cascade select[data-level="2"] option').length > 2);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the picker makes /targets ${wide} px wide on a phone`);
  await page.screenshot({ path: join(shots, '40b-area-picker-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('a target list downloads as CSV and XLSX, named after its filters', async () => {
  const { page } = admin;
  const csv = await page.request.get(`${base}/targets/download?area=52&format=csv`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-disposition'], /targets-.*-52\.csv/);
  const lines = (await csv.text()).trim().split('\n');
  assert.ok(lines.length > 100, `only ${lines.length} lines`);
  assert.match(lines[0], /rank,household_id/);
  const xlsx = await page.request.get(`${base}/targets/download?area=52&format=xlsx`);
  assert.equal(xlsx.status(), 200);
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');
});

await step('the import page offers the field survey as an XLSForm', async () => {
  const { context, page } = await loggedIn('surveyor');
  await page.goto(`${base}/import`);
  await page.waitForSelector('#field-form');
  const res = await page.request.get(`${base}/import/form.xlsx?round=2569`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-disposition'], /thanrak-household-2569\.xlsx/);
  assert.equal((await res.body()).subarray(0, 2).toString(), 'PK');
  await page.screenshot({ path: join(shots, '50-import-field-form.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('likely duplicates are listed with their evidence; the surveyor sees them masked', async () => {
  const { context, page } = await loggedIn('surveyor');
  await page.goto(`${base}/duplicates`);
  await page.waitForSelector('#dup-summary');
  const groups = await page.locator('.group[id^=group-]').count();
  assert.ok(groups >= 1, 'no group of likely duplicates in the demo');
  const names = await page.locator('.group td:nth-child(4)').allTextContents();
  assert.ok(names.every((n) => n.includes('***')), `unmasked names for a surveyor: ${names}`);
  assert.equal(await page.locator('button.merge').count(), 0, 'a surveyor may not merge');
  noProblems(page);
  await context.close();
});

let fieldHousehold;
await step('the area manager marks a group as not duplicates', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/duplicates?evidence=name_birth`);
  await page.waitForSelector('.group button.not-duplicates');
  // A household of the latest demo round in the surveyor's subdistrict, which the demo loaded
  // from ODK Central submissions and edited once in the field.
  fieldHousehold = '/households/2569-1/HH520000002';
  await page.screenshot({ path: join(shots, '51-duplicates.png'), fullPage: true });
  const group = await page.locator('.group[id^=group-]').first().getAttribute('id');
  await page.locator('.group input[name=note]').first().fill('คนละคน ตรวจที่บ้านแล้ว');
  await Promise.all([page.waitForNavigation(), page.locator('button.not-duplicates').first().click()]);
  await page.waitForSelector('#dup-done');
  assert.equal(await page.locator(`#${group}`).count(), 0, 'the group decided is still listed');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/duplicates`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `/duplicates is ${wide} px wide at 390 px`);
  await page.screenshot({ path: join(shots, '51b-duplicates-phone.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('a household from the field is corrected on the web; its history says who changed what', async () => {
  const { context, page } = await loggedIn('lampang');
  assert.ok(fieldHousehold, 'no household link on the duplicates page');
  await page.goto(`${base}${fieldHousehold}`);
  await page.waitForSelector('#field-submission');
  assert.ok((await page.locator('#changes tr').count()) >= 2, 'the field edit is not in the history');
  await page.click('#edit-household');
  await page.waitForSelector('#household-form');
  await page.screenshot({ path: join(shots, '52-household-form.png'), fullPage: true });
  await page.fill('input[name="h.savings_thb"]', '12345');
  await Promise.all([page.waitForNavigation(), page.click('#form-save')]);
  await page.waitForSelector('#saved-notice');
  const history = await page.locator('#changes').innerText();
  assert.ok(history.includes('12,345') && history.includes('lampang'), `history: ${history}`);
  await page.screenshot({ path: join(shots, '53-profile-history.png'), fullPage: true });
  noProblems(page);
  await context.close();
});

await step('a new household with missing fields comes back with each problem in Thai', async () => {
  const { context, page } = await loggedIn('surveyor');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/households/new`);
  await page.waitForSelector('#household-form');
  await page.fill('#f-id', 'WEB-TEST-1');
  await Promise.all([page.waitForNavigation(), page.click('#form-add-member')]);
  assert.equal(await page.locator('fieldset.member').count(), 2, 'adding a member did not add one');
  await Promise.all([page.waitForNavigation(), page.click('#form-save')]);
  await page.waitForSelector('#form-problems');
  const text = await page.locator('#form-problems').innerText();
  assert.match(text, /ต้องกรอก/);
  assert.ok(await page.locator('.bad').count() > 3, 'no field marked');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 400, `the form is ${wide} px wide at 390 px`);
  await page.screenshot({ path: join(shots, '54-household-form-problems-phone.png'), fullPage: true });
  page.problems.splice(0); // the refusal is a 422, as it should be
  await context.close();
});

await step('the area manager merges a group after confirming what it does', async () => {
  const { context, page } = await loggedIn('lampang');
  await page.goto(`${base}/duplicates?evidence=national_id`);
  await page.waitForSelector('a.merge');
  await Promise.all([page.waitForNavigation(), page.locator('a.merge').first().click()]);
  await page.waitForSelector('#merge-confirm');
  const target = (await page.locator('#merge-target').innerText()).trim();
  await page.screenshot({ path: join(shots, '55-merge-confirm.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('#merge-confirm')]);
  await page.waitForSelector('#merged-notice');
  assert.equal((await page.locator('#household-id').innerText()).trim(), target);
  assert.match(await page.locator('#changes').innerText(), /รวมรายการซ้ำ/);
  noProblems(page);
  await context.close();
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
