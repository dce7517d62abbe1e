// A subscriber's life: sign up through a list's hosted page, confirm from the email in the
// outbox, then leave from the unsubscribe link. Screenshots of each public page at desktop and
// phone widths; none of these pages may set a cookie.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  engine, launchBrowser, randomName, readOutbox, screenshot, startService,
} from './harness.mjs';

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

const url = (path) => service.baseUrl + path;
const button = (page, name) => page.getByRole('button', { name, exact: true });

// An account with a list, made the way an operator and an API client would.
async function accountWithList() {
  const id = randomName();
  const created = await service.cli(['account', 'create', '--org', `Fernhill Bakery ${id}`,
    '--email', `owner-${id}@example.org`, '--contact', 'Ada Fernhill',
    '--address', '12 Mill Lane, Hebden Bridge', '--website', 'https://fernhill.example.org']);
  assert.equal(created.code, 0, created.stderr);
  const accountId = created.stdout.trim().split('\n')[0];
  const key = await service.cli(['apikey', 'create', '--account', accountId, '--name', 'test']);
  assert.equal(key.code, 0, key.stderr);
  const response = await fetch(url('/api/v1/lists'), {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.stdout.trim()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Bread news', description: 'A new loaf every month.' }),
  });
  const text = await response.text();
  assert.equal(response.status, 201, `POST /api/v1/lists answered: ${text}`);
  return JSON.parse(text);
}

async function noCookies(context, where) {
  const cookies = await context.cookies();
  assert.deepEqual(cookies, [], `[${engine}] ${where} set a cookie`);
}

test(`subscribe, confirm and unsubscribe through the public pages (${engine})`, async () => {
  const list = await accountWithList();
  const email = `reader-${randomName()}@example.net`;
  const b = await launchBrowser({ origin: service.baseUrl });
  try {
    const page = await b.context.newPage();
    await page.goto(url(`/s/${list.public_id}`));
    await page.getByRole('heading', { name: 'Bread news' }).waitFor();
    assert.match(await page.content(), /12 Mill Lane/);
    await screenshot(page, 'subscribe-form');
    await page.getByLabel('Email address', { exact: true }).fill(email);
    await button(page, 'Subscribe').click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await screenshot(page, 'subscribe-sent');
    await noCookies(b.context, 'the sign-up page');

    const message = await readOutbox(service.outboxDir, { to: email });
    const confirm = message.links.find((l) => l.startsWith(url('/confirm/')));
    assert.ok(confirm, `no confirmation link in:\n${message.text}`);
    await page.goto(confirm);
    await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor();
    await screenshot(page, 'subscribe-confirm');
    await button(page, 'Confirm subscription').click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
    await screenshot(page, 'subscribe-confirmed');

    await page.getByRole('link', { name: 'Unsubscribe now' }).click();
    await page.getByRole('heading', { name: 'Unsubscribe' }).waitFor();
    await screenshot(page, 'subscribe-unsubscribe');
    await button(page, 'Unsubscribe').click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    await screenshot(page, 'subscribe-unsubscribed');

    await page.getByRole('link', { name: /Manage your other subscriptions/ }).click();
    await page.getByRole('heading', { name: 'Your subscriptions' }).waitFor();
    assert.match(await page.content(), /unsubscribed/);
    await screenshot(page, 'subscribe-preferences');
    await noCookies(b.context, 'the subscription pages');
  } finally {
    await b.close();
  }
});
