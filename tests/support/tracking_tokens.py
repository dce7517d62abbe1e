#!/usr/bin/env python3
"""Prints the open and click tokens of one delivery, made as services/tracking_token.cpp makes
them, for bench/track_bench.sh and tests/browser/report.test.mjs. The installation's HMAC key is
derived from DATA_DIR/secret.key as services/keyring.cpp derives it (libsodium crypto_kdf:
BLAKE2b keyed with the master key, the subkey id as salt, the context as personalisation).

usage: tracking_tokens.py DATA_DIR ACCOUNT CAMPAIGN DELIVERY LINK   -> "OPEN_TOKEN CLICK_TOKEN"
"""
import base64
import hashlib
import hmac
import struct
import sys


def hmac_key(data_dir):
    with open(f"{data_dir}/secret.key") as f:
        master = bytes.fromhex(f.read().strip())
    salt = struct.pack("<Q", 1) + bytes(8)  # subkey id 1: the HMAC key
    person = b"smkeyrng" + bytes(8)
    return hashlib.blake2b(b"", digest_size=32, key=master, salt=salt, person=person).digest()


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def token(key, kind, account, campaign, delivery, link):
    payload = bytes([1]) + kind + varint(account) + varint(campaign) + varint(delivery) + varint(link)
    mac = hmac.new(key, b"track:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()


def main():
    data_dir, account, campaign, delivery, link = sys.argv[1], *map(int, sys.argv[2:6])
    key = hmac_key(data_dir)
    print(token(key, b"o", account, campaign, delivery, 0),
          token(key, b"c", account, campaign, delivery, link))


if __name__ == "__main__":
    main()
