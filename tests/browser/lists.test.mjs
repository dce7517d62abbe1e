// An account holder sets up a list: declares a field (and is told why a health field cannot
// be stored), creates a list, reads its overview with the sign-up URL and the copy-paste form,
// edits the confirmation email, and deletes the list after the confirmation step. Screenshots
// of each list page at desktop and phone widths.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { clearScreenshots, engine, launchBrowser, randomName, screenshot, startService }
  from './harness.mjs';

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

const PASSWORD = 'harbour pepper candle 47 slowly';
const url = (path) => service.baseUrl + path;
const button = (page, name) => page.getByRole('button', { name, exact: true });
const field = (page, name) => page.getByLabel(name, { exact: true });
const heading = (page) => page.getByRole('heading', { level: 1 });

// An account made by the operator CLI, so the test starts signed in without the sign-up mail.
async function newAccount() {
  const email = `lists-${randomName()}@example.org`;
  const made = await service.cli(
    ['account', 'create', '--org', 'Hillside Allotments', '--email', email,
      '--contact', 'Sam Hill', '--address', '3 Orchard Row, Otley', '--password-stdin'],
    { input: `${PASSWORD}\n` });
  assert.equal(made.code, 0, `account create: ${made.stderr}`);
  return email;
}

async function signIn(page, email) {
  await page.goto(url('/login'));
  await field(page, 'Email address').fill(email);
  await field(page, 'Password').fill(PASSWORD);
  await button(page, 'Sign in').click();
  await page.waitForURL((u) => u.pathname === '/account');
}

// Clicks `name` and waits for the page its POST leads to.
async function press(page, name, pathname) {
  await button(page, name).click();
  await page.waitForURL((u) => pathname.test(u.pathname));
}

test(`[${engine}] an account holder sets up, edits and deletes a list`, async (t) => {
  await clearScreenshots('lists-');
  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await signIn(page, await newAccount());

  await page.getByRole('link', { name: 'Fields', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/fields');
  await field(page, 'Label').fill('Health conditions');
  await field(page, 'Key').fill('conditions');
  await button(page, 'Add field').click();
  await page.locator('.alert.error').waitFor();
  assert.match(await page.locator('.alert.error').innerText(), /GDPR article 9/);
  await screenshot(page, 'lists-fields-refused');

  await field(page, 'Label').fill('Plot number');
  await field(page, 'Key').fill('plot');
  await page.getByLabel('Type').selectOption('number');
  await press(page, 'Add field', /^\/fields$/);
  assert.match(await page.locator('table.data').innerText(), /Plot number/);
  await screenshot(page, 'lists-fields');

  await page.getByRole('link', { name: 'Lists', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/lists');
  await screenshot(page, 'lists-empty');
  await page.getByRole('link', { name: 'New list', exact: true }).click();
  await field(page, 'Name').fill('Plot holders');
  await field(page, 'Description').fill('Work days and water rota, about twice a month.');
  await screenshot(page, 'lists-new');
  await press(page, 'Create list', /^\/lists\/\d+$/);
  assert.equal(await heading(page).innerText(), 'Plot holders');
  const signUp = await page.locator('#subscribe-url').innerText();
  assert.match(signUp, new RegExp(`^${service.baseUrl}/s/[a-z2-7]{12}$`));
  const snippet = await page.locator('#form-html').inputValue();
  assert.match(snippet, new RegExp(`action="${signUp}"`));
  assert.match(snippet, /name="f_plot" type="number"/);
  await screenshot(page, 'lists-overview');

  await page.getByRole('link', { name: 'Edit list', exact: true }).click();
  await field(page, 'Text (plain text)').fill('Hello {{first_name}}');
  await button(page, 'Save list').click();
  await page.locator('.field-error').first().waitFor();
  assert.match(await page.locator('.alert.error').innerText(), /\{\{first_name\}\}/);
  assert.equal(await field(page, 'Text (plain text)').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'lists-edit-error');
  await field(page, 'Text (plain text)').fill('Press the button here: {{confirm_url}}');
  await press(page, 'Save list', /^\/lists\/\d+$/);

  await page.getByRole('link', { name: 'Lists', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/lists');
  assert.match(await page.locator('table.data').innerText(), /Plot holders/);
  await screenshot(page, 'lists-index');

  await page.getByRole('link', { name: 'Plot holders', exact: true }).click();
  await page.getByRole('link', { name: 'Delete list', exact: true }).click();
  await page.waitForURL((u) => /^\/lists\/\d+\/delete$/.test(u.pathname));
  await screenshot(page, 'lists-delete');
  await press(page, 'Delete this list', /^\/lists$/);
  assert.match(await page.locator('.alert.success').innerText(), /List deleted/);
});
