// The harness's own pure parts: authenticator codes and reading .eml files. No browser and no
// service, so a failure here points at the harness, not at the pages.

import assert from 'node:assert/strict';
import test from 'node:test';

import { base32Decode, decodeQuotedPrintable, parseEml, totp } from './harness.mjs';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890"; the last 6 of the 8 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('totp matches the RFC 6238 SHA-1 test vectors', () => {
  assert.equal(base32Decode(RFC_SECRET).toString(), '12345678901234567890');
  const vectors = [[59, '287082'], [1111111109, '081804'], [1111111111, '050471'],
    [1234567890, '005924'], [2000000000, '279037'], [20000000000, '353130']];
  for (const [seconds, code] of vectors) {
    assert.equal(totp(RFC_SECRET, seconds * 1000), code, `code at T=${seconds}`);
  }
  assert.equal(totp('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', 59_000), '287082',
    'grouped, lower-case secrets are accepted');
});

test('quoted-printable: soft breaks and escaped bytes', () => {
  assert.equal(decodeQuotedPrintable('a=3Db and =C3=A9t=\r\n=C3=A9 line=\nend'),
    'a=b and été lineend');
});

test('parseEml reads a multipart/alternative message with QP parts', () => {
  const raw = [
    'From: Smartmessages <no-reply@localhost>',
    'To: "Jane Doe" <Jane@Example.org>',
    'Subject: =?UTF-8?Q?Confirm_your_email_address_for_Smartmessages?=',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative;',
    ' boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Open http://127.0.0.1:1/verify-email/abc=',
    'def to confirm. Caf=C3=A9.',
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<a href=3D"http://127.0.0.1:1/verify-email/abcdef?x=3D1&amp;y=3D2">Confirm</a>',
    '--b1--',
    '',
  ].join('\r\n');
  const message = parseEml(raw);
  assert.equal(message.subject, 'Confirm your email address for Smartmessages');
  assert.match(message.text, /Café\./);
  assert.deepEqual(message.links, ['http://127.0.0.1:1/verify-email/abcdef',
    'http://127.0.0.1:1/verify-email/abcdef?x=1&y=2']);
  assert.equal(parseEml(raw.slice(0, raw.indexOf('--b1--'))), null,
    'a message cut short is not read yet');
});
