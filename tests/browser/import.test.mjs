// An account holder imports a CSV file into a list from the web pages: uploads it with a
// statement of where the addresses came from, watches the import page until it is done, reads
// the counts by reason, downloads the refused rows and finds the imported people on the list.
// Screenshots of the upload form and the report at desktop and phone widths.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { clearScreenshots, engine, launchBrowser, randomName, screenshot, startService, waitFor }
  from './harness.mjs';

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

const PASSWORD = 'lantern meadow copper 58 gently';
const url = (path) => service.baseUrl + path;
const button = (page, name) => page.getByRole('button', { name, exact: true });
const field = (page, name) => page.getByLabel(name, { exact: true });

// An account with a password (to sign in) and a list made through the API.
async function accountWithList() {
  const email = `import-${randomName()}@example.org`;
  const made = await service.cli(
    ['account', 'create', '--org', 'Riverside Choir', '--email', email, '--contact', 'Mo Reed',
      '--address', '8 Quay Street, Whitby', '--password-stdin'],
    { input: `${PASSWORD}\n` });
  assert.equal(made.code, 0, `account create: ${made.stderr}`);
  const accountId = made.stdout.trim().split('\n')[0];
  const key = await service.cli(['apikey', 'create', '--account', accountId]);
  assert.equal(key.code, 0, key.stderr);
  const response = await fetch(url('/api/v1/lists'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.stdout.trim()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Rehearsal news', description: 'Dates and music, weekly.' }),
  });
  const text = await response.text();
  assert.equal(response.status, 201, `POST /api/v1/lists answered: ${text}`);
  return { email, list: JSON.parse(text) };
}

async function signIn(page, email) {
  await page.goto(url('/login'));
  await field(page, 'Email address').fill(email);
  await field(page, 'Password').fill(PASSWORD);
  await button(page, 'Sign in').click();
  await page.waitForURL((u) => u.pathname === '/account');
}

const CSV = [
  'email',
  'alto@example.net',
  'tenor@example.net',
  'not an address',
  'ALTO@example.net',
  'bass@example.net',
].join('\r\n') + '\r\n';

test(`[${engine}] an account holder imports a CSV file and reads the report`, async (t) => {
  await clearScreenshots('import-');
  const { email, list } = await accountWithList();
  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await signIn(page, email);

  await page.goto(url(`/lists/${list.id}`));
  await page.getByRole('link', { name: 'Import CSV', exact: true }).click();
  await page.waitForURL((u) => u.pathname === `/lists/${list.id}/import`);
  await field(page, 'CSV file').setInputFiles(
    { name: 'choir.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await field(page, 'Where these addresses came from').fill('Paper sign-up sheet, spring concert');
  await screenshot(page, 'import-form');
  await button(page, 'Import').click();
  await page.waitForURL((u) => /^\/imports\/\d+$/.test(u.pathname));

  // The page refreshes itself while the import runs; wait for it to say it is done.
  const done = await waitFor(async () => {
    const status = await page.locator('#import-status').innerText().catch(() => '');
    return status.trim() === 'done';
  }, { ms: 20_000, every: 250 });
  assert.ok(done, `[${engine}] the import page never said done`);
  assert.equal((await page.locator('#rows-seen').innerText()).trim(), '5');
  assert.equal((await page.locator('#rows-imported').innerText()).trim(), '3');
  assert.equal((await page.locator('#rows-refused').innerText()).trim(), '2');
  assert.equal((await page.locator('#refused-invalid_address').innerText()).trim(), '1');
  assert.equal((await page.locator('#refused-duplicate').innerText()).trim(), '1');
  assert.equal((await page.locator('#refused-suppressed').innerText()).trim(), '0');
  await screenshot(page, 'import-report');

  const report = await page.context().request.get(page.url() + '/report.csv');
  assert.equal(report.status(), 200);
  const reportText = await report.text();
  assert.match(reportText, /invalid_address/);
  assert.match(reportText, /ALTO@example\.net/);

  await page.goto(url(`/lists/${list.id}/subscribers`));
  const members = await page.locator('main').innerText();
  for (const who of ['alto@example.net', 'tenor@example.net', 'bass@example.net']) {
    assert.ok(members.includes(who), `[${engine}] ${who} is not on the subscribers page`);
  }
});
