// An account holder turns tracking on, and after a campaign has been opened and clicked reads
// its report: the numbers, and three charts drawn by the server as SVG that render (they have
// a size on the page and their bars and lines are there), with nothing loaded from elsewhere
// and no script. Then /reports compares the campaign. Screenshots at desktop and phone widths.
//
// The campaign and its deliveries are rows inserted for the test (the campaign composer and
// sending are wired to tracking separately); the opens and clicks are real requests to the
// real /o/ and /l/ endpoints, with tokens made from the installation's key.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { clearScreenshots, engine, launchBrowser, screenshot, sql, startService, waitFor }
  from './harness.mjs';

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

const PASSWORD = 'quiet orchard lantern 47 ribbon';
const EMAIL = 'owner@orchard.example';
const url = (p) => service.baseUrl + p;
const tokenScript = path.resolve(path.dirname(new URL(import.meta.url).pathname),
  '../support/tracking_tokens.py');

async function accountWithKey() {
  const made = await service.cli(
    ['account', 'create', '--org', 'Orchard Growers', '--email', EMAIL, '--contact', 'Ro Lane',
      '--address', '3 Orchard Row, Hereford', '--password-stdin'],
    { input: `${PASSWORD}\n` });
  assert.equal(made.code, 0, `account create: ${made.stderr}`);
  const accountId = Number(made.stdout.trim().split('\n')[0]);
  const key = await service.cli(['apikey', 'create', '--account', String(accountId)]);
  assert.equal(key.code, 0, key.stderr);
  return { accountId, key: key.stdout.trim() };
}

// A campaign sent two hours ago to three confirmed subscribers, with two tracked links.
function sentCampaign(accountId) {
  const sent = Date.now() - 2 * 3600_000;
  const ids = sql(service.databaseUrl, `
    INSERT INTO lists (account_id, public_id, name, confirm_subject, confirm_body, created_at)
      VALUES (${accountId}, 'REPORTLIST01', 'Harvest news', 'Confirm', '{{confirm_url}}', ${sent});
    INSERT INTO subscribers (account_id, email, email_normalized, fields, created_at, updated_at)
      VALUES (${accountId}, 'a@reader.example', 'a@reader.example', '{}', ${sent}, ${sent}),
             (${accountId}, 'b@reader.example', 'b@reader.example', '{}', ${sent}, ${sent}),
             (${accountId}, 'c@reader.example', 'c@reader.example', '{}', ${sent}, ${sent});
    INSERT INTO subscriptions (account_id, list_id, subscriber_id, status, token_salt, created_at)
      SELECT ${accountId}, l.id, s.id, 'confirmed', 'salt', ${sent} FROM lists l, subscribers s
      WHERE l.public_id = 'REPORTLIST01' AND s.account_id = ${accountId};
    INSERT INTO campaigns (account_id, public_id, name, status, started_at, finished_at,
                           created_at, updated_at, track_opens, track_clicks)
      VALUES (${accountId}, 'REPORTCAMP01', 'Harvest festival', 'sent', ${sent}, ${sent},
              ${sent}, ${sent}, 1, 1);
    INSERT INTO deliveries (account_id, campaign_id, subscriber_id, subscription_id, email,
                            status, sent_at)
      SELECT ${accountId}, c.id, s.subscriber_id, s.id, 'x@reader.example', 'sent', ${sent}
      FROM campaigns c, subscriptions s
      WHERE c.public_id = 'REPORTCAMP01' AND s.account_id = ${accountId};
    INSERT INTO campaign_links (account_id, campaign_id, link_index, url)
      SELECT ${accountId}, id, 1, 'https://orchard.example/festival' FROM campaigns
      WHERE public_id = 'REPORTCAMP01';
    INSERT INTO campaign_links (account_id, campaign_id, link_index, url)
      SELECT ${accountId}, id, 2, 'https://orchard.example/apples?kind=cox#buy' FROM campaigns
      WHERE public_id = 'REPORTCAMP01';
    SELECT c.id, d.id FROM campaigns c JOIN deliveries d ON d.campaign_id = c.id
      WHERE c.public_id = 'REPORTCAMP01' ORDER BY d.id;`);
  const rows = ids.trim().split('\n').map((line) => line.split('|').map(Number));
  assert.equal(rows.length, 3, `set-up rows: ${ids}`);
  return { campaignId: rows[0][0], deliveries: rows.map((r) => r[1]) };
}

function tokens(accountId, campaignId, delivery, link) {
  const run = spawnSync('python3', [tokenScript, service.dataDir, String(accountId),
    String(campaignId), String(delivery), String(link)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const [open, click] = run.stdout.trim().split(' ');
  return { open, click };
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';

async function hit(p, headers = {}) {
  const res = await fetch(url(p), { redirect: 'manual', headers: { 'User-Agent': BROWSER, ...headers } });
  await res.arrayBuffer();
  return res;
}

test(`[${engine}] the campaign report shows its numbers and draws its charts`, async (t) => {
  await clearScreenshots('report-');
  const { accountId, key } = await accountWithKey();
  const api = (method, p, body) => fetch(url(p), {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const on = await api('PATCH', '/api/v1/account', { tracking_enabled: true });
  assert.equal(on.status, 200, await on.text());

  const { campaignId, deliveries } = sentCampaign(accountId);
  const [a, b, c] = deliveries.map((d) => [1, 2].map((link) => tokens(accountId, campaignId, d, link)));
  assert.equal((await hit(`/o/${a[0].open}.gif`)).status, 200);
  assert.equal((await hit(`/o/${b[0].open}.gif`)).status, 200);
  assert.equal((await hit(`/o/${c[0].open}.gif`, { DNT: '1' })).status, 200);
  const click = await hit(`/l/${a[1].click}`);
  assert.equal(click.status, 302);
  assert.equal(click.headers.get('location'), 'https://orchard.example/apples?kind=cox#buy');
  assert.equal((await hit(`/l/${b[0].click}`)).status, 302);
  assert.equal((await hit(`/l/${c[1].click}`, { 'Sec-GPC': '1' })).status, 302);

  // The writer commits within a fraction of a second; the report API says when.
  const report = await waitFor(async () => {
    const r = await (await api('GET', `/api/v1/campaigns/${campaignId}/report`)).json();
    return r.totals?.clicks === 3 && r.totals?.opens === 3 ? r : undefined;
  });
  assert.ok(report, 'the opens and clicks reached the report');
  assert.equal(report.totals.unique_opens, 2);
  assert.equal(report.totals.anonymous_opens, 1);
  assert.equal(report.links[1].clicks, 2);

  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(url('/login'));
  await page.getByLabel('Email address', { exact: true }).fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/account');

  await page.goto(url(`/campaigns/${campaignId}/report`));
  assert.equal(await page.locator('h1').textContent(), 'Report: Harvest festival');
  assert.equal(await page.locator('#fig-deliveries').textContent(), '3');
  assert.equal(await page.locator('#fig-opens').textContent(), '3');
  assert.equal(await page.locator('#fig-unique-opens').textContent(), '2');
  assert.equal(await page.locator('#fig-clicks').textContent(), '3');
  assert.equal(await page.locator('script').count(), 0, 'no script on the page');

  // Three charts, each an accessible image with a size on the page and its marks drawn.
  for (const [name, marks] of [['Opens and clicks over time', 'polyline'],
    ['Clicks per link', 'rect'], ['Delivery states', 'rect']]) {
    const chart = page.getByRole('img', { name, exact: true });
    await chart.waitFor();
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 50, `${name}: drawn at ${JSON.stringify(box)}`);
    const drawn = await chart.locator(marks).evaluateAll((els) => els.filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 || r.height > 0;
    }).length);
    assert.ok(drawn > 0, `${name}: no ${marks} drawn`);
  }
  const bars = await page.getByRole('img', { name: 'Clicks per link', exact: true })
    .locator('rect').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
  assert.ok(bars[1] > bars[0], `the second link's bar (2 clicks) is longer: ${bars}`);
  await screenshot(page, 'report-campaign');

  const csv = await page.request.get(url(`/campaigns/${campaignId}/report.csv`));
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /\r\ntotal,,,,3,3,2,1,0,3,2,1,/);

  await page.goto(url('/reports'));
  const compare = page.getByRole('img', { name: 'Recent campaigns compared', exact: true });
  await compare.waitFor();
  assert.ok((await compare.boundingBox()).width > 300);
  await page.getByRole('link', { name: 'Harvest festival', exact: true }).waitFor();
  await screenshot(page, 'report-compare');

  // With tracking on, the settings offer deleting inactive subscribers, each choice with how
  // many it would delete now (none: everyone here was added today).
  await page.goto(url('/account/details#inactive'));
  const inactive = page.locator('#inactive');
  assert.equal(await inactive.locator('#inactive-state').textContent(), 'Off');
  const choice = inactive.getByLabel('When to delete', { exact: true });
  await choice.selectOption({ label: 'Delete after 3 months (would delete 0 now)' });
  await inactive.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('inactive') === '1');
  assert.equal(await page.locator('#inactive #inactive-state').textContent(), 'On');
  assert.equal(await page.locator('#inactive_months').inputValue(), '3');
  await page.locator('#inactive').scrollIntoViewIfNeeded();
  await screenshot(page, 'report-inactive-setting');
});
