#!/usr/bin/python3
"""Verifies every DKIM-Signature of a message with python3-dkim, without DNS.

Usage: dkim_verify.py MESSAGE RECORDS
MESSAGE is a file holding the message; RECORDS is a JSON file (or JSON text) mapping record
names ("sel._domainkey.example.org") to TXT values. Prints one line per signature:
"<index> pass|fail a=<algorithm> d=<domain> s=<selector>". Exits 0 when there is at least one
signature and every one passes, 1 otherwise, 2 on bad usage.
"""
import json
import os
import sys

import dkim


def load_records(arg):
    text = open(arg).read() if os.path.exists(arg) else arg
    return {name.lower().rstrip('.'): value for name, value in json.loads(text).items()}


def tag(signature, name):
    for part in signature.split(b';'):
        key, _, value = part.strip().partition(b'=')
        if key.strip() == name:
            return b''.join(value.split()).decode()
    return '?'


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    message = open(sys.argv[1], 'rb').read()
    records = load_records(sys.argv[2])

    def dnsfunc(name, timeout=5):
        # A name that is not in the mapping is like NXDOMAIN: the signature fails.
        value = records.get(name.decode().lower().rstrip('.'))
        return value.encode() if value is not None else None

    checker = dkim.DKIM(message)
    signatures = [v for k, v in checker.headers if k.lower() == b'dkim-signature']
    all_pass = bool(signatures)
    for index, signature in enumerate(signatures):
        try:
            ok = checker.verify(idx=index, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            print(f'{index} error {e}', file=sys.stderr)
            ok = False
        all_pass = all_pass and ok
        print(f"{index} {'pass' if ok else 'fail'} a={tag(signature, b'a')} "
              f"d={tag(signature, b'd')} s={tag(signature, b's')}")
    return 0 if all_pass else 1


if __name__ == '__main__':
    sys.exit(main())
