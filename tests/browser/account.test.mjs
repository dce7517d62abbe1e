// An account holder's first hour: sign up, confirm the email, sign in, turn on two-factor
// authentication, sign in with it (and see a reused code refused), use a recovery code, fill in
// the controller details, read the public privacy notice, and reset a forgotten password.
//
// Runs against the real binary on SQLite or PostgreSQL (SMARTMESSAGES_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  clearScreenshots, engine, freshTotp, launchBrowser, randomName, readOutbox, screenshot,
  startService, totpStep, waitFor,
} from './harness.mjs';

let service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

function newOwner() {
  const id = randomName();
  return {
    organisation: `Fernhill Bakery ${id}`,
    contactName: 'Ada Fernhill',
    address: '12 Mill Lane\nHebden Bridge\nHX7 8AA',
    email: `owner-${id}@example.org`,
    website: 'https://fernhill.example.org',
    password: 'lantern orchard velvet 92 quietly',
  };
}

const url = (path) => service.baseUrl + path;
const pathOf = (page) => new URL(page.url()).pathname;
const button = (page, name) => page.getByRole('button', { name, exact: true });
const link = (page, name) => page.getByRole('link', { name, exact: true });
const field = (page, name) => page.getByLabel(name, { exact: true });

// Runs one step of a flow; a failure names the step and leaves a screenshot of the page.
async function stepper(page, flow) {
  await clearScreenshots(`FAILED-${flow}-`);
  return async (name, body) => {
    try {
      return await body();
    } catch (error) {
      const file = `FAILED-${flow}-${name.replace(/\W+/g, '-')}`;
      await screenshot(page, file).catch(() => {});
      error.message = `[${engine}] step "${name}" (at ${page.url()}): ${error.message}`;
      throw error;
    }
  };
}

// Waits (bounded) until the first element of `locator` is visible and its text matches.
async function expectText(locator, pattern, what) {
  const first = locator.first();
  await first.waitFor({ state: 'visible' }).catch(() => {});
  const matches = (text) =>
    (pattern instanceof RegExp ? pattern.test(text) : text.includes(pattern));
  let text = '';
  const ok = await waitFor(async () => {
    text = (await first.innerText().catch(() => '')).trim();
    return matches(text);
  }, { ms: 5_000 });
  assert.ok(ok, `${what}: expected text matching ${pattern}, got ${JSON.stringify(text)}`);
  return text;
}

async function hrefPath(locator) {
  const href = await locator.first().getAttribute('href');
  assert.ok(href, 'link has no href');
  return new URL(href, service.baseUrl).pathname;
}

// Clicks a submit button and returns the response to the POST it sends.
async function submit(page, buttonName) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' &&
      r.request().resourceType() === 'document'),
    button(page, buttonName).click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

async function fillSignup(page, owner, password) {
  await field(page, 'Organisation name').fill(owner.organisation);
  await field(page, 'Your name').fill(owner.contactName);
  await field(page, 'Postal address').fill(owner.address);
  await field(page, 'Email address').fill(owner.email);
  await field(page, 'Website').fill(owner.website);
  await field(page, 'Password').fill(password);
}

async function signUp(page, owner, { shots = false } = {}) {
  const response = await page.goto(url('/signup'));
  assert.equal(response.status(), 200, 'GET /signup status');
  if (shots) await screenshot(page, 'signup');
  await fillSignup(page, owner, owner.password);
  await button(page, 'Create account').click();
  await page.waitForURL((u) => u.pathname === '/signup/check-email');
  await expectText(page.getByRole('heading', { level: 1 }), 'Check your email', 'check-email h1');
}

async function verifyEmail(page, owner, { shots = false } = {}) {
  const mail = await readOutbox(service.outboxDir, { to: owner.email });
  assert.equal(mail.subject, 'Confirm your email address for Smartmessages',
    'subject of the verification email');
  const verify = mail.links.find((l) => l.startsWith(url('/verify-email/')));
  assert.ok(verify, `no ${url('/verify-email/')}… link in the email; links: ${mail.links}`);

  // Opening the link only shows a button, so a mail scanner that follows it confirms nothing.
  await page.goto(verify);
  await page.reload();
  await expectText(page.getByRole('heading', { level: 1 }), 'Confirm your email address',
    'verify page h1');
  if (shots) await screenshot(page, 'verify-email');
  await button(page, 'Confirm my email address').click();
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('verified') === '1');
  await expectText(page.locator('.alert.success'),
    'Your email address is confirmed. You can sign in now.', 'alert after confirming');
}

async function signInWithPassword(page, owner, password = owner.password) {
  if (pathOf(page) !== '/login') await page.goto(url('/login'));
  await field(page, 'Email address').fill(owner.email);
  await field(page, 'Password').fill(password);
  return submit(page, 'Sign in');
}

async function expectDashboard(page, owner) {
  await page.waitForURL((u) => u.pathname === '/account');
  await expectText(page.getByRole('heading', { level: 1 }), owner.organisation,
    'dashboard h1 is the organisation name');
}

async function signOut(page) {
  await button(page, 'Sign out').click();
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('signed_out') === '1');
  await expectText(page.locator('.alert.info'), 'You have signed out.', 'alert after sign-out');
}

// Sign up, confirm and sign in: the account every later test starts from.
async function createAccount(page, owner) {
  await signUp(page, owner);
  await verifyEmail(page, owner);
  await signInWithPassword(page, owner);
  await expectDashboard(page, owner);
}

// The two-factor section's text on /account/security (the whole main when it has no section).
async function twoFactorSection(page) {
  const heading = page.getByRole('heading', { name: 'Two-factor authentication', exact: true });
  await heading.waitFor({ state: 'visible' });
  const section = page.locator('section').filter({ has: heading });
  return (await section.count()) > 0 ? section.first() : page.locator('main');
}

async function submitCode(page, code) {
  await field(page, 'Authentication code').fill(code);
  return submit(page, 'Verify');
}

async function expectNoDashboardWithoutSession(page) {
  const response = await page.goto(url('/account'));
  const shown = pathOf(page) === '/account' && response.status() === 200;
  assert.ok(!shown, 'after signing out, /account still shows the dashboard');
}

test('a weak password is refused at sign-up with a field error, keeping the other values',
  { timeout: 60_000 }, async (t) => {
    const browser = await launchBrowser({ origin: service.baseUrl });
    t.after(() => browser.close());
    const page = await browser.context.newPage();
    const step = await stepper(page, 'weak-password');
    const owner = newOwner();

    await step('submit the form with password1234', async () => {
      const response = await page.goto(url('/signup'));
      assert.equal(response.status(), 200, 'GET /signup status');
      await fillSignup(page, owner, 'password1234');
      const posted = await submit(page, 'Create account');
      assert.equal(posted.status(), 422, 'POST /signup with a weak password status');
    });

    await step('the form comes back with the errors and the typed values', async () => {
      await expectText(page.locator('.alert.error'), /\S/, 'error summary');
      const password = field(page, 'Password');
      const state = await password.evaluate((input) => {
        const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
        const error = ids.map((id) => document.getElementById(id))
          .find((el) => el?.classList.contains('field-error'));
        const nearby = input.closest('label, div, p, fieldset')?.querySelector('.field-error');
        return {
          value: input.value,
          invalid: input.getAttribute('aria-invalid'),
          linked: error?.textContent.trim() ?? null,
          nearby: nearby?.textContent.trim() ?? null,
        };
      });
      assert.ok(state.nearby || state.linked, 'no .field-error next to the password field');
      assert.ok(state.linked, 'the password .field-error is not referenced by the input\'s ' +
        `aria-describedby (text near the field: ${JSON.stringify(state.nearby)})`);
      assert.equal(state.invalid, 'true', 'password input has aria-invalid="true"');
      assert.equal(state.value, '', 'the password is not sent back');
      assert.equal(await field(page, 'Organisation name').inputValue(), owner.organisation,
        'organisation name kept');
      assert.equal(await field(page, 'Email address').inputValue(), owner.email, 'email kept');
      assert.equal(await field(page, 'Postal address').inputValue(), owner.address,
        'postal address kept, with its line breaks');
      await screenshot(page, 'signup-error');
    });
  });

test('sign up, confirm, sign in, two-factor authentication and recovery codes',
  { timeout: 180_000 }, async (t) => {
    const browser = await launchBrowser({ origin: service.baseUrl });
    t.after(() => browser.close());
    const { context } = browser;
    const page = await context.newPage();
    const step = await stepper(page, 'account');
    const owner = newOwner();
    const usedSteps = new Set();
    let secret;
    let recoveryCodes;
    let lastCode;

    await step('landing page links to sign-up and sign-in', async () => {
      const response = await page.goto(url('/'));
      assert.equal(response.status(), 200, 'GET / status');
      assert.equal(await hrefPath(link(page, 'Sign up')), '/signup', 'Sign up link');
      assert.equal(await hrefPath(link(page, 'Sign in')), '/login', 'Sign in link');
      await screenshot(page, 'landing');
    });

    await step('sign up', () => signUp(page, owner, { shots: true }));
    await step('confirm the email address', () => verifyEmail(page, owner, { shots: true }));

    await step('public pages set no cookie', async () => {
      const cookies = await context.cookies(service.baseUrl);
      assert.deepEqual(cookies.map((c) => c.name), [],
        'cookies set by /, /signup, /verify-email and /login');
    });

    await step('a wrong password is refused', async () => {
      assert.equal(await hrefPath(link(page, 'Forgot your password?')), '/forgot',
        'Forgot your password? link');
      const response = await signInWithPassword(page, owner, 'not the password at all 77');
      assert.equal(response.status(), 401, 'POST /login with a wrong password status');
      await expectText(page.locator('.alert.error'),
        'That email address and password do not match an account.', 'wrong password alert');
      await screenshot(page, 'login-error');
    });

    await step('sign in', async () => {
      await signInWithPassword(page, owner);
      await expectDashboard(page, owner);
    });

    await step('the session cookie is HttpOnly, SameSite=Lax and ends with the session',
      async () => {
        const cookies = await context.cookies(service.baseUrl);
        const session = cookies.find((c) => c.name === 'sm_session');
        assert.ok(session, `no sm_session cookie; cookies: ${cookies.map((c) => c.name)}`);
        assert.equal(session.httpOnly, true, 'sm_session HttpOnly');
        assert.equal(session.sameSite, 'Lax', 'sm_session SameSite');
        assert.equal(session.expires, -1, 'sm_session has no Expires/Max-Age');
        assert.equal(session.path, '/', 'sm_session path');
        assert.equal(session.secure, false, 'sm_session is not Secure over plain http');
        assert.ok(session.value.length >= 22, 'sm_session value looks random (long enough)');
        assert.deepEqual(cookies.map((c) => c.name), ['sm_session'],
          'account pages set only the session cookie');
      });

    await step('dashboard navigation', async () => {
      const nav = page.getByRole('navigation');
      const expected = [['Dashboard', '/account'], ['Controller details', '/account/details'],
        ['Security', '/account/security'], ['Team', '/account/users']];
      for (const [name, path] of expected) {
        assert.equal(await hrefPath(nav.getByRole('link', { name, exact: true })), path,
          `nav link "${name}"`);
      }
      await nav.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
      await screenshot(page, 'dashboard');
    });

    await step('security page: two-factor authentication is off', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Security', exact: true })
        .click();
      await page.waitForURL((u) => u.pathname === '/account/security');
      await expectText(await twoFactorSection(page), /\bOff\b/, '2FA status before set-up');
      await expectText(page.getByRole('heading', { name: 'Recent sign-ins' }), 'Recent sign-ins',
        'recent sign-ins heading');
      // A placeholder row ("Nothing yet") has a single cell; a real event has several.
      const rows = await page.locator('table.data tbody tr:has(td + td)').count();
      assert.ok(rows >= 1, `Recent sign-ins table lists this sign-in (rows: ${rows})`);
      await button(page, 'Sign out everywhere').waitFor();
      await screenshot(page, 'security-off');
    });

    await step('set up two-factor authentication', async () => {
      const name = 'Set up two-factor authentication';
      await page.getByRole('link', { name, exact: true })
        .or(page.getByRole('button', { name, exact: true })).first().click();
      await page.waitForURL((u) => u.pathname === '/account/security/2fa');
      assert.equal(await page.locator('.qr svg').count(), 1, 'one inline SVG inside .qr');
      secret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
      assert.match(secret, /^[A-Z2-7]{16,}=*$/, `#totp-secret is base32: ${secret}`);
      await screenshot(page, 'enable-2fa');

      const { code, step: used } = await freshTotp(secret, usedSteps);
      usedSteps.add(used);
      await field(page, 'Code from your app').fill(code);
      await button(page, 'Turn on two-factor authentication').click();
      await expectText(page.getByRole('heading', { level: 1 }), 'Save your recovery codes',
        'h1 after turning 2FA on');
    });

    await step('ten recovery codes are shown once', async () => {
      const items = page.locator('ul#recovery-codes > li');
      recoveryCodes = (await items.allInnerTexts()).map((c) => c.trim());
      assert.equal(recoveryCodes.length, 10, `recovery codes: ${recoveryCodes}`);
      assert.equal(new Set(recoveryCodes).size, 10, 'recovery codes are all different');
      await screenshot(page, 'recovery-codes');
      await link(page, 'I have saved them').click();
      await page.waitForURL((u) => u.pathname === '/account/security');
      await expectText(await twoFactorSection(page), /\bOn\b/, '2FA status after set-up');
    });

    await step('sign out', async () => {
      await signOut(page);
      await expectNoDashboardWithoutSession(page);
    });

    await step('sign in with password and a fresh authenticator code', async () => {
      await signInWithPassword(page, owner);
      await page.waitForURL((u) => u.pathname === '/login/2fa');
      await field(page, 'Authentication code').waitFor();
      await expectText(page.locator('.hint'), /recovery code/i, 'hint under the code field');
      await screenshot(page, 'login-2fa');
      const { code, step: used } = await freshTotp(secret, usedSteps);
      usedSteps.add(used);
      lastCode = code;
      await submitCode(page, code);
      await expectDashboard(page, owner);
    });

    await step('sign out again', () => signOut(page));

    await step('the same code is refused the second time', async () => {
      await signInWithPassword(page, owner);
      await page.waitForURL((u) => u.pathname === '/login/2fa');
      await submitCode(page, lastCode);
      await expectText(page.locator('.alert.error'), 'already been used',
        `reused code ${lastCode} (issued for step ${[...usedSteps].at(-1)}, now ${totpStep()})`);
      assert.notEqual(pathOf(page), '/account', 'a reused code does not sign in');
    });

    await step('a recovery code signs in', async () => {
      await submitCode(page, recoveryCodes[0]);
      await expectDashboard(page, owner);
    });
  });

test('controller details and the public privacy notice (no cookie, Do Not Track)',
  { timeout: 90_000 }, async (t) => {
    const browser = await launchBrowser({ origin: service.baseUrl });
    t.after(() => browser.close());
    const page = await browser.context.newPage();
    const step = await stepper(page, 'privacy');
    const owner = newOwner();
    const privacyContact = `privacy-${randomName()}@example.org`;
    let privacyPath;

    await step('create an account', () => createAccount(page, owner));

    await step('controller details are pre-filled and saved', async () => {
      await page.getByRole('navigation')
        .getByRole('link', { name: 'Controller details', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/account/details');
      assert.equal(await field(page, 'Organisation name').inputValue(), owner.organisation,
        'organisation pre-filled from sign-up');
      await field(page, 'Privacy contact (email or address)').fill(privacyContact);
      await button(page, 'Save details').click();
      await expectText(page.locator('.alert.success'), 'Controller details saved.',
        'alert after saving details');
      assert.equal(await field(page, 'Privacy contact (email or address)').inputValue(),
        privacyContact, 'privacy contact shown after saving');
      await screenshot(page, 'details');
    });

    await step('find the link to the privacy notice', async () => {
      for (const path of ['/account/details', '/account']) {
        if (pathOf(page) !== path) await page.goto(url(path));
        const links = page.locator('a[href*="/privacy/"]');
        if ((await links.count()) > 0) {
          privacyPath = await hrefPath(links);
          break;
        }
      }
      assert.ok(privacyPath, 'neither /account nor /account/details links to /privacy/{id}');
      assert.match(privacyPath, /^\/privacy\/[^/]+$/, 'privacy notice path');
    });

    // The notice may mention Do Not Track in several places; the sentence about this browser
    // is the one that changes with the DNT header.
    const dntBlocks = async (p) => {
      await p.locator('main').waitFor();
      const texts = await p.locator('main').locator('p, li, dd, td')
        .filter({ hasText: 'Do Not Track' }).allInnerTexts();
      return texts.map((text) => text.replace(/\s+/g, ' ').trim());
    };
    let withoutDnt;

    await step('the notice sets no cookie and names the controller', async () => {
      const fresh = await browser.newContext();
      const visitor = await fresh.newPage();
      const response = await visitor.goto(url(privacyPath));
      assert.equal(response.status(), 200, `GET ${privacyPath} status`);
      const headers = await response.allHeaders();
      assert.equal(headers['set-cookie'], undefined, 'the privacy notice sends no Set-Cookie');
      assert.deepEqual(await fresh.cookies(), [], 'no cookie after reading the privacy notice');
      await expectText(visitor.locator('main'), owner.organisation, 'organisation on the notice');
      withoutDnt = await dntBlocks(visitor);
      assert.ok(withoutDnt.length > 0, 'the notice mentions Do Not Track');
      await screenshot(visitor, 'privacy');
      await fresh.close();
    });

    await step('the Do Not Track sentence follows the DNT header', async () => {
      const dnt = await browser.newContext({ extraHTTPHeaders: { DNT: '1' } });
      const visitor = await dnt.newPage();
      await visitor.goto(url(privacyPath));
      const withDnt = await dntBlocks(visitor);
      const saysNotSent = withoutDnt.filter((text) => !withDnt.includes(text));
      const saysSent = withDnt.filter((text) => !withoutDnt.includes(text));
      const seen = `without DNT: ${JSON.stringify(withoutDnt)}; with: ${JSON.stringify(withDnt)}`;
      assert.ok(saysNotSent.length > 0 && saysSent.length > 0,
        `no Do Not Track sentence changes with the DNT header (${seen})`);
      assert.ok(saysNotSent.some((text) => /\bnot\b|n't\b|\bno\b/i.test(text)),
        `without DNT the changing sentence should say it is not sent (${seen})`);
      assert.deepEqual(await dnt.cookies(), [], 'no cookie with DNT either');
      await dnt.close();
    });
  });

test('a forgotten password is reset through an emailed link', { timeout: 90_000 }, async (t) => {
  const browser = await launchBrowser({ origin: service.baseUrl });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  const step = await stepper(page, 'reset');
  const owner = newOwner();
  const newPassword = 'copper kettle meadow 31 sideways';
  const sameAnswer = 'If an account uses that address, a reset link is on its way.';

  await step('create an account and sign out', async () => {
    await createAccount(page, owner);
    await signOut(page);
  });

  await step('ask for a reset link, for an unknown and a known address', async () => {
    await link(page, 'Forgot your password?').click();
    await page.waitForURL((u) => u.pathname === '/forgot');
    await screenshot(page, 'forgot');
    for (const email of [`nobody-${randomName()}@example.org`, owner.email]) {
      // The answer may be rendered at /forgot itself, so always start from a fresh form.
      await page.goto(url('/forgot'));
      await page.locator('input[name="email"]').fill(email);
      await button(page, 'Send reset link').click();
      await expectText(page.locator('main'), sameAnswer, `answer for ${email}`);
    }
  });

  await step('set a new password from the emailed link', async () => {
    const mail = await readOutbox(service.outboxDir, { to: owner.email });
    assert.equal(mail.subject, 'Reset your Smartmessages password', 'reset email subject');
    const reset = mail.links.find((l) => l.startsWith(url('/reset/')));
    assert.ok(reset, `no ${url('/reset/')}… link in the email; links: ${mail.links}`);
    await page.goto(reset);
    await field(page, 'New password').fill(newPassword);
    await button(page, 'Set new password').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/reset/'));
  });

  await step('the old password no longer works; the new one does', async () => {
    await page.goto(url('/login'));
    const refused = await signInWithPassword(page, owner);
    assert.equal(refused.status(), 401, 'old password after reset');
    await signInWithPassword(page, owner, newPassword);
    await expectDashboard(page, owner);
  });
});
