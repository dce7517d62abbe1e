// An account holder sends a campaign: verifies a sending domain (its records served by dnsmasq
// on loopback, checked by the service), composes a campaign and is told which merge tag is
// wrong, reads the preview in its sandboxed frame, sends a test that arrives in the outbox,
// and sends the campaign, watching the progress page. Screenshots at desktop and phone widths.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { clearScreenshots, engine, launchBrowser, randomName, readOutbox, screenshot,
  startService, waitFor } from './harness.mjs';

const PASSWORD = 'harbour pepper candle 47 slowly';
const DOMAIN = 'roses.test';

let service;
let dnsPort;
let dnsDir;

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// dnsmasq on the loopback port the service asks, serving `records` ([name, value]) as TXT.
async function serveRecords(records) {
  const lines = [`local=/${DOMAIN}/`];
  for (const [name, value] of records) {
    const parts = value.match(/.{1,255}/g).map((p) => `"${p}"`).join(',');
    lines.push(`txt-record=${name},${parts}`);
  }
  const conf = path.join(dnsDir, 'dnsmasq.conf');
  await writeFile(conf, lines.join('\n') + '\n');
  const run = spawnSync('/usr/sbin/dnsmasq', [`--port=${dnsPort}`, '--listen-address=127.0.0.1',
    '--bind-interfaces', '--no-resolv', '--no-hosts', `--conf-file=${conf}`,
    `--pid-file=${path.join(dnsDir, 'dnsmasq.pid')}`], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 0, `dnsmasq: ${run.stderr}`);
}

async function stopDns() {
  const pid = await readFile(path.join(dnsDir, 'dnsmasq.pid'), 'utf8').catch(() => '');
  if (pid.trim()) {
    try {
      process.kill(Number(pid.trim()), 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

before(async () => {
  dnsPort = await freePort();
  dnsDir = await mkdtemp(path.join(os.tmpdir(), 'sm-dns-'));
  service = await startService({ env: { SMARTMESSAGES_DNS_SERVER: `127.0.0.1:${dnsPort}` } });
});

after(async () => {
  await stopDns();
  await rm(dnsDir, { recursive: true, force: true });
  await service?.stop();
});

const url = (p) => service.baseUrl + p;
const button = (page, name) => page.getByRole('button', { name, exact: true });
const field = (page, name) => page.getByLabel(name, { exact: true });

async function newAccount() {
  const email = `campaigns-${randomName()}@example.org`;
  const made = await service.cli(
    ['account', 'create', '--org', 'Rose Growers Ltd', '--email', email,
      '--contact', 'Rosa Gallica', '--address', '5 Garden Lane, Ripon', '--password-stdin'],
    { input: `${PASSWORD}\n` });
  assert.equal(made.code, 0, `account create: ${made.stderr}`);
  const key = await service.cli(['apikey', 'create', '--account', made.stdout.trim(),
    '--name', 'browser test']);
  assert.equal(key.code, 0, `apikey create: ${key.stderr}`);
  return { email, key: key.stdout.match(/sm_[A-Za-z0-9_-]+/)[0] };
}

async function api(key, method, p, body) {
  const res = await fetch(url(p), {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function signIn(page, email) {
  await page.goto(url('/login'));
  await field(page, 'Email address').fill(email);
  await field(page, 'Password').fill(PASSWORD);
  await button(page, 'Sign in').click();
  await page.waitForURL((u) => u.pathname === '/account');
}

async function press(page, name, pathname) {
  await button(page, name).click();
  await page.waitForURL((u) => pathname.test(u.pathname));
}

test(`[${engine}] an account holder composes, previews, tests and sends a campaign`, async (t) => {
  await clearScreenshots('campaigns-');
  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  const { email, key } = await newAccount();
  await signIn(page, email);

  // Without a verified domain the composer says so and points to Domains.
  await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/campaigns');
  assert.match(await page.locator('main').innerText(), /No campaigns yet/);
  await page.getByRole('link', { name: 'New campaign', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/campaigns/new');
  assert.match(await page.locator('#no-verified-domain').innerText(), /no verified sending/);
  await screenshot(page, 'campaigns-no-domain');

  // The domain: added on its page, records served, checked by the service.
  await page.getByRole('link', { name: 'Domains', exact: true }).first().click();
  await page.waitForURL((u) => u.pathname === '/domains');
  await field(page, 'Domain').fill(DOMAIN);
  await press(page, 'Add domain', /^\/domains\/\d+$/);
  const rows = await page.locator('#dns-records tbody tr').all();
  const records = [];
  for (const row of rows) {
    const codes = await row.locator('code').allInnerTexts();
    records.push([codes[0], codes[1]]);
  }
  await serveRecords(records);
  await press(page, 'Check now', /^\/domains\/\d+$/);
  assert.match(await page.locator('main').innerText(), /Verified/);

  // A list with a field and two confirmed subscribers, through the API.
  assert.equal((await api(key, 'POST', '/api/v1/fields',
    { key: 'first_name', label: 'First name', type: 'text' })).status, 201);
  const list = await api(key, 'POST', '/api/v1/lists', { name: 'Rose news', description: 'Monthly.' });
  assert.equal(list.status, 201);
  for (const [who, name] of [['ann', 'Ann'], ['bob', 'Bob']]) {
    const added = await api(key, 'POST', `/api/v1/lists/${list.body.id}/subscribers`,
      { email: `${who}@example.net`, fields: { first_name: name }, confirmed: true,
        source: 'Sign-up sheet at the show', basis: 'consent' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
  }

  // Compose: a wrong tag is named under its field.
  await page.goto(url('/campaigns/new'));
  await field(page, 'Name').fill('June roses');
  await field(page, 'Subject').fill('Roses for {{nickname}}');
  await field(page, 'Name before @').fill('news');
  await page.getByLabel('Rose news').check();
  await page.getByLabel('HTML', { exact: true }).check();
  await field(page, 'Message').fill(
    '<h1>Hello {{subscriber.first_name}}</h1>\n<p onclick="alert(1)">The roses are out.</p>\n' +
    '<p><a href="https://example.org/roses">See them</a></p>');
  await button(page, 'Save draft').click();
  await page.locator('#c-subject-err').waitFor();
  assert.match(await page.locator('#c-subject-err').innerText(), /\{\{nickname\}\} is not a merge tag/);
  assert.equal(await field(page, 'Subject').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'campaigns-form-error');

  await field(page, 'Subject').fill('Roses for {{subscriber.first_name}}');
  await press(page, 'Save draft', /^\/campaigns\/\d+$/);
  const campaignPath = new URL(page.url()).pathname;
  assert.match(await page.locator('#readiness').innerText(), /Ready to send/);
  assert.match(await page.locator('#sanitiser-removed').innerText(), /onclick attribute on <p>/);

  // The preview: a sandboxed frame showing sample values and the footer.
  const frameElement = page.locator('#preview-frame');
  assert.equal(await frameElement.getAttribute('sandbox'), '');
  const preview = page.frameLocator('#preview-frame');
  assert.equal(await preview.locator('h1').innerText(), 'Hello [First name]');
  assert.match(await preview.locator('body').innerText(),
    /You get this because you subscribed to Rose news/);
  const frameOrigin = await frameElement.evaluate((el) => {
    try {
      return el.contentWindow.document.location.href;
    } catch {
      return 'opaque';
    }
  });
  assert.equal(frameOrigin, 'opaque', 'the page cannot reach into the sandboxed preview');
  await screenshot(page, 'campaigns-overview');
  // Full-page screenshots leave a sandboxed frame blank; the preview on its own shows it.
  const previewPage = await browser.context.newPage();
  await previewPage.goto(url(campaignPath + '/preview'));
  assert.equal(await previewPage.locator('h1').innerText(), 'Hello [First name]');
  await screenshot(previewPage, 'campaigns-preview');
  await previewPage.close();

  // A test send arrives in the outbox, marked and with sample links.
  await field(page, 'Addresses').fill('me@example.org');
  await press(page, 'Send test', /^\/campaigns\/\d+$/);
  const testMessage = await readOutbox(service.outboxDir, { to: 'me@example.org' });
  assert.equal(testMessage.subject, '[Test] Roses for [First name]');
  assert.match(testMessage.text, /\/sample\/unsubscribe/);
  assert.doesNotMatch(testMessage.text, /\/u\//);

  // Send now: the progress page, then each subscriber's own message.
  await press(page, 'Send now', /^\/campaigns\/\d+\/progress$/);
  assert.match(await page.locator('main').innerText(), /Sending has started/);
  await screenshot(page, 'campaigns-progress');
  for (const [who, name] of [['ann', 'Ann'], ['bob', 'Bob']]) {
    const m = await readOutbox(service.outboxDir, { to: `${who}@example.net`, wait: 30_000 });
    assert.equal(m.subject, `Roses for ${name}`);
    assert.match(m.html, new RegExp(`<h1>Hello ${name}</h1>`));
    assert.doesNotMatch(m.html, /onclick/);
    assert.match(m.text, /You get this because you subscribed to Rose news/);
    assert.match(m.headers['list-unsubscribe'], /^<http:\/\/127\.0\.0\.1:\d+\/u\/[^>]+>, <mailto:u-\d+-/);
    assert.equal(m.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  }
  // The worker records each delivery just after handing it over; look until both are counted.
  const counted = await waitFor(async () => {
    await page.goto(url(campaignPath + '/progress'));
    return (await page.locator('#count-sent').innerText()) === '2';
  }, { ms: 30_000, every: 500 });
  assert.ok(counted, 'the progress page counts both deliveries as sent');
  await screenshot(page, 'campaigns-sent');

  await page.goto(url('/campaigns'));
  assert.match(await page.locator('#campaigns').innerText(), /June roses/);
  await screenshot(page, 'campaigns-list');
});
