// Shared pieces of the browser tests: run the real binary on a loopback port with its own data
// directory (and its own PostgreSQL database), drive Debian's chromium through playwright-core,
// read the mail the service writes to its outbox, and compute authenticator codes.
//
// Every wait here is bounded and polls for a condition; nothing sleeps a fixed time hoping the
// service has caught up.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { chromium } from 'playwright-core';

export const engine = process.env.SMARTMESSAGES_TEST_ENGINE || 'sqlite';
const sourceDir = process.env.SMARTMESSAGES_SOURCE_DIR ||
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const binary = process.env.SMARTMESSAGES_BINARY || path.join(sourceDir, 'build/smartmessages');
const artifactsDir = process.env.SMARTMESSAGES_TEST_ARTIFACTS ||
  path.join(os.tmpdir(), 'smartmessages-browser-artifacts', engine);

const STARTUP_MS = 20_000;
const SHUTDOWN_MS = 10_000;

// Polls `probe` until it returns a truthy value or `ms` pass; returns that value or undefined.
export async function waitFor(probe, { ms = 10_000, every = 100 } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) return undefined;
    await delay(every);
  }
}

export function randomName(prefix = '') {
  return prefix + randomBytes(5).toString('hex');
}

// ---- The service --------------------------------------------------------------------------

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

function psql(url, sql) {
  const run = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql],
    { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) {
    throw new Error(`psql failed (${sql}): ${run.error ?? ''}${run.stderr}`);
  }
  return run.stdout;
}

// A fresh database on the test PostgreSQL; returns its URL and a function that drops it.
function createPgDatabase() {
  const adminUrl = process.env.SMARTMESSAGES_TEST_PG_URL;
  assert.ok(adminUrl, 'SMARTMESSAGES_TEST_PG_URL must be set when the engine is postgresql');
  const name = randomName('sm_b_');
  psql(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = '/' + name;
  const drop = () => {
    try {
      psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch (e) {
      console.error(`could not drop test database ${name}: ${e.message}`);
    }
  };
  return { url: url.toString(), drop };
}

async function healthy(baseUrl) {
  try {
    const res = await fetch(baseUrl + '/healthz', { signal: AbortSignal.timeout(2_000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

// Starts `smartmessages serve` on a free loopback port with a new data directory. `env` adds
// or overrides environment variables (e.g. SMARTMESSAGES_ACCOUNTS_REQUIRE_2FA).
export async function startService({ env = {} } = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sm-browser-'));
  const database = engine === 'postgresql'
    ? createPgDatabase()
    : { url: `sqlite:${dataDir}/smartmessages.db`, drop: () => {} };
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const serviceEnv = {
    ...process.env,
    SMARTMESSAGES_DATA_DIR: dataDir,
    SMARTMESSAGES_DATABASE_URL: database.url,
    SMARTMESSAGES_HTTP_LISTEN: `127.0.0.1:${port}`,
    SMARTMESSAGES_HTTP_BASE_URL: baseUrl,
    ...env,
  };

  // The server's output goes to a file, so a failing run can be read afterwards.
  const logPath = path.join(dataDir, 'serve.log');
  const log = createWriteStream(logPath);
  const child = spawn(binary, ['serve'], { env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve((exited = { code, signal })));
    child.on('error', (error) => resolve((exited = { error })));
  });

  const readLog = async () => (await readFile(logPath, 'utf8').catch(() => '')).slice(-4000);
  const up = await waitFor(async () => exited || (await healthy(baseUrl)), { ms: STARTUP_MS });
  if (up !== true) {
    if (!exited) child.kill('SIGKILL');
    database.drop();
    const why = exited ? `exited early: ${JSON.stringify(exited)}` :
      `GET /healthz did not answer 200 within ${STARTUP_MS / 1000} s`;
    throw new Error(`${binary} serve ${why}\n--- serve.log ---\n${await readLog()}`);
  }

  const cli = (args, options) => runCli(args, { ...options, env: serviceEnv });
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const done = await Promise.race([exit, delay(SHUTDOWN_MS).then(() => null)]);
    if (!done) child.kill('SIGKILL');
    log.end();
    database.drop();
    assert.ok(done, `smartmessages serve did not exit within ${SHUTDOWN_MS / 1000} s of SIGTERM`);
    assert.ok(done.signal === 'SIGTERM' || done.code === 0,
      `smartmessages serve exited with ${JSON.stringify(done)} after SIGTERM\n${await readLog()}`);
    if (!process.env.SMARTMESSAGES_TEST_KEEP) await rm(dataDir, { recursive: true, force: true });
  };

  // databaseUrl: for tests that set up rows no page or API makes yet (sqlite:PATH or a
  // postgresql:// URL; see sql() below).
  return { baseUrl, dataDir, databaseUrl: database.url, outboxDir: path.join(dataDir, 'outbox'),
    logPath, cli, stop };
}

// Runs `statements` against a service's database (sqlite3 or psql); returns what they print,
// one row a line, columns separated by |. For test set-up only.
export function sql(databaseUrl, statements) {
  if (databaseUrl.startsWith('sqlite:')) {
    const run = spawnSync('sqlite3', [databaseUrl.slice('sqlite:'.length)],
      { input: statements, encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`sqlite3 failed: ${run.error ?? ''}${run.stderr}`);
    return run.stdout;
  }
  return psql(databaseUrl, statements);
}

// Runs the binary with the service's environment; resolves {code, stdout, stderr}.
function runCli(args, { input, env, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A command that needs no input may exit before reading it: that EPIPE is no failure
    // (the exit status and stderr say how the command went).
    child.stdin.on('error', (e) => { if (e.code !== 'EPIPE') reject(e); });
    child.stdin.end(input ?? '');
  });
}

// ---- The browser --------------------------------------------------------------------------

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function checkSecurityHeaders(url, headers) {
  const problems = [];
  const csp = headers['content-security-policy'] ?? '';
  if (!/(^|;)\s*default-src\s+'self'\s*(;|$)/.test(csp)) {
    problems.push(`${url}: Content-Security-Policy lacks default-src 'self' (got "${csp}")`);
  }
  if ((headers['x-content-type-options'] ?? '').toLowerCase() !== 'nosniff') {
    problems.push(`${url}: X-Content-Type-Options is not nosniff`);
  }
  if ((headers['referrer-policy'] ?? '').toLowerCase() !== 'same-origin') {
    problems.push(`${url}: Referrer-Policy is not same-origin`);
  }
  return problems;
}

// Launches chromium and opens one context. Every context made through the returned object is
// watched: a request to another origin, a document without the security headers, a failed
// stylesheet or image, or a CSP violation is recorded, and close() fails with the list. Call
// close() from t.after() so the check runs even when the test body has already failed.
export async function launchBrowser({ origin, ...contextOptions } = {}) {
  assert.ok(origin, 'launchBrowser needs the service origin');
  const expected = new URL(origin).origin;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true,
  });
  const requests = [];
  const violations = [];
  const pending = [];

  const watch = (context) => {
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(15_000);
    context.on('request', (request) => {
      const url = request.url();
      requests.push(url);
      if (/^(data|blob|about):/.test(url)) return;
      let requestOrigin = null;
      try {
        requestOrigin = new URL(url).origin;
      } catch {
        // An unparsable URL is foreign too.
      }
      if (requestOrigin !== expected) violations.push(`request to another origin: ${url}`);
    });
    context.on('response', (response) => {
      const request = response.request();
      const url = response.url();
      if (!url.startsWith(expected + '/')) return;
      const status = response.status();
      if (request.resourceType() === 'document' && (status < 300 || status >= 400)) {
        pending.push(response.allHeaders()
          .then((headers) => violations.push(...checkSecurityHeaders(url, headers)))
          .catch(() => {}));
      } else if (request.resourceType() !== 'document' && status >= 400 &&
                 !url.endsWith('/favicon.ico')) {
        violations.push(`${request.resourceType()} ${url} answered ${status}`);
      }
    });
    context.on('page', (page) => {
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
          violations.push(`CSP violation on ${page.url()}: ${message.text()}`);
        }
      });
    });
    return context;
  };

  const newContext = async (options = {}) => watch(await browser.newContext({
    viewport: { width: 1280, height: 800 }, ...contextOptions, ...options,
  }));
  const context = await newContext();

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(pending);
    await browser.close();
    if (violations.length > 0) {
      assert.fail(`privacy/security checks failed over ${requests.length} requests:\n  ` +
        violations.join('\n  '));
    }
  };
  return { browser, context, newContext, requests, violations, close };
}

// Full-page PNGs of the current page at desktop and phone widths, into the artifacts
// directory. At phone width the page must not scroll sideways (tables scroll in .table-wrap).
export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  const sizes = [['desktop', 1280, 800], ['phone', 390, 844]];
  try {
    for (const [label, width, height] of sizes) {
      await page.setViewportSize({ width, height });
      const file = path.join(artifactsDir, `${name}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0,
        `${name}: at ${width} px wide the page scrolls sideways by ${overflow} px (${file})`);
    }
  } finally {
    await page.setViewportSize(original);
  }
}

// Removes screenshots whose names start with `prefix`, e.g. those left by an earlier failure.
export async function clearScreenshots(prefix) {
  const names = await readdir(artifactsDir).catch(() => []);
  await Promise.all(names.filter((n) => n.startsWith(prefix))
    .map((n) => rm(path.join(artifactsDir, n), { force: true })));
}

// ---- The outbox ---------------------------------------------------------------------------

const consumed = new Map();  // outbox dir -> Set of files already returned

function unfold(headerText) {
  const headers = {};
  for (const line of headerText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = headers[name] ? `${headers[name]}, ${line.slice(colon + 1).trim()}`
      : line.slice(colon + 1).trim();
  }
  return headers;
}

function splitMessage(raw) {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return null;
  return { headers: unfold(raw.slice(0, match.index)), body: raw.slice(match.index +
    match[0].length) };
}

export function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// RFC 2047 encoded words, as in a Subject with non-ASCII text.
function decodeWords(value) {
  return value.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=(\s+(?==\?))?/g, (_, cs, enc, data) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
    return decodeQuotedPrintable(data.replace(/_/g, ' '));
  });
}

function decodeBody(headers, body) {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64')
    .toString('utf8');
  return body;
}

// Leaf parts of a MIME entity as [{type, text}]; null when a multipart is cut short (the file
// is still being written).
function leafParts(headers, body) {
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  if (!type.startsWith('multipart/')) {
    return [{ type: type.split(';')[0].trim(), text: decodeBody(headers, body) }];
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'])?.[1];
  if (!boundary || !body.includes(`--${boundary}--`)) return null;
  const parts = [];
  const sections = body.split(`--${boundary}`).slice(1);
  for (const section of sections) {
    if (section.startsWith('--')) break;
    const part = splitMessage(section.replace(/^\r?\n/, ''));
    if (!part) continue;
    const leaves = leafParts(part.headers, part.body);
    if (!leaves) return null;
    parts.push(...leaves);
  }
  return parts;
}

// Parses one .eml file: {to, subject, text, html, links}; null when incomplete.
export function parseEml(raw) {
  const message = splitMessage(raw);
  if (!message) return null;
  const parts = leafParts(message.headers, message.body);
  if (!parts) return null;
  const text = parts.filter((p) => p.type === 'text/plain').map((p) => p.text).join('\n');
  const html = parts.filter((p) => p.type === 'text/html').map((p) => p.text).join('\n');
  const links = new Set();
  for (const m of text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) links.add(m[0].replace(/[.,;]$/, ''));
  for (const m of html.matchAll(/href="(https?:\/\/[^"]+)"/g)) {
    links.add(m[1].replace(/&amp;/g, '&'));
  }
  return {
    to: message.headers.to ?? '',
    subject: decodeWords(message.headers.subject ?? ''),
    headers: message.headers,
    text,
    html,
    links: [...links],
  };
}

async function emlFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true });
  } catch {
    return [];
  }
  const files = [];
  for (const entry of entries.filter((e) => e.endsWith('.eml'))) {
    const file = path.join(dir, entry);
    const info = await stat(file).catch(() => null);
    if (info?.isFile()) files.push({ file, mtime: info.mtimeMs });
  }
  return files.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
}

// Waits (bounded by `wait` ms) for a message to `to` that no earlier call returned.
export async function readOutbox(outboxDir, { to, wait = 10_000 } = {}) {
  assert.ok(to, 'readOutbox needs the recipient address');
  if (!consumed.has(outboxDir)) consumed.set(outboxDir, new Set());
  const seen = consumed.get(outboxDir);
  const wanted = to.toLowerCase();
  const found = await waitFor(async () => {
    for (const { file } of await emlFiles(outboxDir)) {
      if (seen.has(file)) continue;
      const message = parseEml(await readFile(file, 'utf8').catch(() => ''));
      if (!message) continue;
      const recipients = message.to.toLowerCase().match(/[^\s<>,"]+@[^\s<>,"]+/g) ?? [];
      if (!recipients.includes(wanted)) continue;
      seen.add(file);
      return { ...message, file };
    }
    return null;
  }, { ms: wait });
  if (found) return found;
  const listing = (await emlFiles(outboxDir)).map((f) => path.basename(f.file));
  assert.fail(`no new email to ${to} in ${outboxDir} within ${wait / 1000} s ` +
    `(files there: ${listing.join(', ') || 'none'})`);
}

// ---- Authenticator codes --------------------------------------------------------------------

export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export const TOTP_STEP_MS = 30_000;

export function totpStep(time = Date.now()) {
  return Math.floor(time / TOTP_STEP_MS);
}

// RFC 6238 with HMAC-SHA-1, 30 s steps, 6 digits. `time` is in milliseconds since the epoch
// (a Date works too), like Date.now().
export function totp(secretBase32, time = Date.now(), { digits = 6 } = {}) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(totpStep(Number(time))));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(number).padStart(digits, '0');
}

// A code for a time step not in `usedSteps`, waiting (at most one step) for the next step
// when the current one was used already. Returns {code, step}.
export async function freshTotp(secretBase32, usedSteps) {
  let step = totpStep();
  if (usedSteps.has(step)) {
    const nextStart = (step + 1) * TOTP_STEP_MS;
    await delay(Math.max(0, nextStart - Date.now()) + 250);
    step = totpStep();
    assert.ok(!usedSteps.has(step), 'clock did not reach the next TOTP step');
  }
  return { code: totp(secretBase32, step * TOTP_STEP_MS), step };
}
