// The phishing defence as people see it: an account holder names a page of its own web site
// (served here by a tiny server on loopback, which the test-only setting lets the fetcher
// reach) on the controller details page and sees it verified; a visitor opens the public
// /verify page (no cookie) and sees the controller and the page that vouches for it, or a
// warning for an account that is not verified; an operator reads the breach register page.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import {
  clearScreenshots, engine, launchBrowser, randomName, screenshot, startService,
} from './harness.mjs';

const PASSWORD = 'lantern orchard velvet 92 quietly';

let service;
let site;
let sitePage = '<p>Nothing yet</p>';

before(async () => {
  // The account holder's own web site.
  site = http.createServer((req, res) => {
    res.writeHead(req.url === '/about' ? 200 : 404, { 'Content-Type': 'text/html' });
    res.end(req.url === '/about' ? sitePage : '');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  service = await startService({
    env: {
      SMARTMESSAGES_FETCH_ALLOW_LOOPBACK: 'true',
      SMARTMESSAGES_FETCH_ALLOWED_PORTS: String(site.address().port),
    },
  });
});

after(async () => {
  await service?.stop();
  site?.close();
});

const url = (path) => service.baseUrl + path;
const button = (page, name) => page.getByRole('button', { name, exact: true });
const field = (page, name) => page.getByLabel(name, { exact: true });

async function account(org) {
  const email = `verify-${randomName()}@example.org`;
  const made = await service.cli(
    ['account', 'create', '--org', org, '--email', email, '--contact', 'Mo Reed', '--address',
      '8 Quay Street, Whitby', '--website', 'https://quay.example.org', '--password-stdin'],
    { input: `${PASSWORD}\n` });
  assert.equal(made.code, 0, `account create: ${made.stderr}`);
  return { email, id: made.stdout.trim().split('\n')[0] };
}

test(`[${engine}] a verified account and an unverified one, as a visitor sees them`, async (t) => {
  await clearScreenshots('verify-');
  const shop = await account('Quayside Books');
  const other = await account('Lookalike Books');
  const link = url(`/verify/${shop.id}`);
  sitePage = `<h1>About Quayside Books</h1><p><a href="${link}">Our newsletter</a></p>`;

  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(url('/login'));
  await field(page, 'Email address').fill(shop.email);
  await field(page, 'Password').fill(PASSWORD);
  await button(page, 'Sign in').click();
  await page.waitForURL((u) => u.pathname === '/account');

  await page.goto(url('/account/details'));
  await assert.doesNotReject(page.getByText(`<a href="${link}">`).waitFor());
  await field(page, 'Page on your web site')
    .fill(`http://127.0.0.1:${site.address().port}/about`);
  await button(page, 'Save and check').click();
  await page.waitForURL((u) => u.pathname === '/account/details');
  const status = await page.locator('#verification-status').innerText();
  assert.match(status, /Verified\s+since/);
  await page.locator('#verification').scrollIntoViewIfNeeded();
  await screenshot(page, 'verify-details');

  // A visitor, in a fresh browser context with no cookie.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(link);
  assert.match(await visitor.locator('#verification-result').innerText(), /Verified/);
  assert.match(await visitor.locator('main').innerText(), /Quayside Books[\s\S]*8 Quay Street/);
  const vouching = visitor.getByRole('link', { name: `http://127.0.0.1:${site.address().port}/about` });
  assert.equal(await vouching.count(), 1);
  assert.deepEqual(await visitor.context().cookies(), []);
  await screenshot(visitor, 'verify-public-verified');

  await visitor.goto(url(`/verify/${other.id}`));
  assert.match(await visitor.locator('#verification-result').innerText(), /Not verified/);
  assert.match(await visitor.locator('#verification-result').innerText(), /Do not trust/);
  assert.deepEqual(await visitor.context().cookies(), []);
  await screenshot(visitor, 'verify-public-unverified');
});

test(`[${engine}] an operator reads the breach register`, async (t) => {
  const ops = await account('Operator Desk');
  const recorded = await service.cli(['breach', 'record', '--summary',
    'A backup disk was lost in transit', '--data', 'Subscriber addresses', '--account', ops.id]);
  assert.equal(recorded.code, 0, recorded.stderr);
  const id = recorded.stdout.trim();
  assert.match(id, /^[0-9]+$/);

  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(url('/login'));
  await field(page, 'Email address').fill(ops.email);
  await field(page, 'Password').fill(PASSWORD);
  await button(page, 'Sign in').click();
  await page.waitForURL((u) => u.pathname === '/account');

  const closed = await page.goto(url('/operator/breaches'));
  assert.equal(closed.status(), 404);
  assert.equal((await service.cli(['operator', 'grant', ops.email])).code, 0);
  const open = await page.goto(url('/operator/breaches'));
  assert.equal(open.status(), 200);
  const entry = page.locator(`#breach-${id}`);
  assert.match(await entry.innerText(), /A backup disk was lost in transit[\s\S]*Not sent/);
  await screenshot(page, 'verify-operator-breaches');
});
