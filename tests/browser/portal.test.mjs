// A subscriber walks the data access portal: asks for a link on /portal (no cookie yet), opens
// it from the outbox and presses its button, sees the two organisations holding the address,
// corrects a field, exports the JSON and finds the correction in it, and deletes what one
// organisation holds after reading what stays. Then the organisation's owner sees the erasure
// counted on the dashboard. Screenshots of each portal page at desktop and phone widths.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { clearScreenshots, engine, launchBrowser, randomName, readOutbox, screenshot,
  startService } from './harness.mjs';

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

const PASSWORD = 'quarry thistle beacon 63 softly';
const url = (path) => service.baseUrl + path;
const button = (page, name) => page.getByRole('button', { name, exact: true });
const field = (page, name) => page.getByLabel(name, { exact: true });
const heading = (page) => page.getByRole('heading', { level: 1 });

async function api(key, method, path, body) {
  const response = await fetch(url(path), {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

// An organisation with a list and a declared field, holding `people` (address → field value).
async function organisation(name, field, people) {
  const email = `owner-${randomName()}@example.org`;
  const made = await service.cli(
    ['account', 'create', '--org', name, '--email', email, '--contact', 'Pat Lee',
      '--address', '4 Bridge Street, Hexham', '--password-stdin'],
    { input: `${PASSWORD}\n` });
  assert.equal(made.code, 0, `account create: ${made.stderr}`);
  const accountId = made.stdout.trim().split('\n')[0];
  const key = (await service.cli(['apikey', 'create', '--account', accountId])).stdout.trim();
  await api(key, 'POST', '/api/v1/fields', field);
  const list = await api(key, 'POST', '/api/v1/lists',
    { name: `${name} news`, description: 'Now and then.' });
  for (const [address, value] of Object.entries(people)) {
    await api(key, 'POST', `/api/v1/lists/${list.id}/subscribers`, {
      email: address, fields: { [field.key]: value }, confirmed: true,
      source: 'Counter sign-up sheet', basis: 'consent',
    });
  }
  return { email, accountId };
}

async function signIn(page, email) {
  await page.goto(url('/login'));
  await field(page, 'Email address').fill(email);
  await field(page, 'Password').fill(PASSWORD);
  await button(page, 'Sign in').click();
  await page.waitForURL((u) => u.pathname === '/account');
}

test(`[${engine}] a subscriber sees, corrects, exports and deletes their data`, async (t) => {
  await clearScreenshots('portal-');
  const me = `reader-${randomName()}@example.net`;
  const other = `neighbour-${randomName()}@example.net`;
  await organisation('Harbour Books', { key: 'city', label: 'Home town', type: 'text' },
    { [me]: 'Alnwick', [other]: 'Berwick' });
  const bakery = await organisation('Moor Bakery',
    { key: 'loaf', label: 'Favourite loaf', type: 'choice', choices: ['Rye', 'Spelt'] },
    { [me]: 'Rye', [other]: 'Spelt' });

  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();

  await page.goto(url('/portal'));
  assert.equal(await heading(page).innerText(), 'See your data');
  await screenshot(page, 'portal-request');
  await field(page, 'Email address').fill(me);
  await button(page, 'Email me a link').click();
  await page.getByRole('heading', { name: 'Check your email', exact: true }).waitFor();
  assert.match(await page.locator('main').innerText(), /If we hold data for this address/);
  assert.deepEqual(await browser.context.cookies(), [], 'the request pages set no cookie');
  await screenshot(page, 'portal-requested');

  const mail = await readOutbox(service.outboxDir, { to: me });
  const link = mail.links.find((l) => l.startsWith(url('/portal/open/')));
  assert.ok(link, `no portal link in:\n${mail.text}`);
  await page.goto(link);
  assert.equal(await heading(page).innerText(), 'Open your data');
  assert.deepEqual(await browser.context.cookies(), [], 'the link page sets no cookie');
  await screenshot(page, 'portal-open');
  await button(page, 'Show my data').click();
  await page.waitForURL((u) => u.pathname === '/portal/data');
  const cookies = await browser.context.cookies();
  assert.deepEqual(cookies.map((c) => c.name), ['sm_portal']);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].expires, -1, 'a session cookie, without Expires');

  const main = page.locator('main');
  const text = await main.innerText();
  assert.match(text, /Harbour Books/);
  assert.match(text, /Moor Bakery/);
  assert.doesNotMatch(text, /neighbour-|Berwick/);
  await screenshot(page, 'portal-data');
  // Opened, the consent records (with the long digests) must fit a phone too.
  await page.locator('details > summary').first().click();
  assert.match(await main.innerText(), /Counter sign-up sheet/);
  await screenshot(page, 'portal-data-consent');

  await field(page, 'Home town').fill('Amble');
  await button(page, 'Save changes for Harbour Books').click();
  await page.locator('.alert.success').waitFor();
  assert.equal(await field(page, 'Home town').inputValue(), 'Amble');
  await screenshot(page, 'portal-amended');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export as JSON', exact: true }).click(),
  ]);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(exported.address, me);
  assert.deepEqual(exported.accounts.map((a) => a.controller.organisation),
    ['Harbour Books', 'Moor Bakery']);
  assert.deepEqual(exported.accounts[0].subscriber.fields,
    [{ key: 'city', label: 'Home town', value: 'Amble' }]);
  assert.doesNotMatch(JSON.stringify(exported), /neighbour-|Berwick|Spelt/);

  await page.getByRole('link', { name: 'Delete what Moor Bakery holds', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/portal/erase');
  assert.equal(await heading(page).innerText(), 'Delete what Moor Bakery holds?');
  assert.match(await main.innerText(), /What stays:.*keyed\s+hash/s);
  await screenshot(page, 'portal-erase');
  await button(page, 'Delete for good').click();
  await page.waitForURL((u) => u.pathname === '/portal/data');
  await page.locator('.alert.success').waitFor();
  const after = await main.innerText();
  assert.match(after, /Moor Bakery holds nothing else about this address/);
  assert.match(after, /Suppressed/);
  assert.equal(await field(page, 'Home town').inputValue(), 'Amble');  // Harbour Books keeps it
  await screenshot(page, 'portal-erased');

  // The bakery's owner learns that one erasure happened today, and nothing of whose.
  const owner = await browser.newContext();
  const ownerPage = await owner.newPage();
  await signIn(ownerPage, bakery.email);
  const erasures = await ownerPage.locator('#erasures').innerText();
  assert.match(erasures, /1 erasure on \d{4}-\d{2}-\d{2}, asked for through the data access portal/);
  assert.doesNotMatch(erasures, /reader-/);
  await screenshot(ownerPage, 'portal-dashboard-erasures');
});
