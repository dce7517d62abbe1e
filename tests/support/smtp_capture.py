#!/usr/bin/python3
"""An SMTP server on loopback that keeps what it receives, for tests of outgoing mail.

    smtp_capture.py --port N --dir D [--fail-with CODE] [--auth USER:PASSWORD]
                    [--rcpt-reply ADDRESS=CODE ...] [--rcpt-reply-once ADDRESS=CODE ...]

Each accepted message n (counting from 1) is written to D as n.eml (the DATA exactly as
received, dot-stuffing removed) and then n.json, which is the marker that the message is
complete: {"mail_from", "rcpt_tos", "connection", "auth_login"}, with "" as mail_from for
the null reverse-path. "connection" numbers the SMTP
sessions in the order they were opened, so a test can see whether messages shared one.

--fail-with CODE answers every DATA with CODE (e.g. 451 or 554) and keeps nothing.
--auth USER:PASSWORD offers AUTH PLAIN and LOGIN without TLS and accepts only that pair.
--rcpt-reply ADDRESS=CODE answers RCPT TO:<ADDRESS> with CODE (4xx or 5xx); may be repeated.
--rcpt-reply-once ADDRESS=CODE does so the first time only, then accepts the address.

D/connections holds the number of SMTP sessions opened so far, rewritten as each one opens.

Prints "ready" once listening; stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class CaptureHandler:
    def __init__(self, directory, fail_with, rcpt_replies):
        self.directory = directory
        self.fail_with = fail_with
        self.rcpt_replies = rcpt_replies
        self.rcpt_once = {}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rcpt_replies.get(address) or self.rcpt_once.pop(address, None)
        if code:
            kind = "4.2.0 mailbox busy" if code < 500 else "5.1.1 no such mailbox"
            return f"{code} {kind} (capture told to refuse)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_with:
            kind = "4.3.0 try again later" if self.fail_with < 500 else "5.7.1 rejected"
            return f"{self.fail_with} {kind} (capture told to fail)"
        self.count += 1
        stem = os.path.join(self.directory, str(self.count))
        write_atomically(stem + ".eml", envelope.original_content)
        login = session.auth_data.login.decode() if isinstance(
            session.auth_data, LoginPassword) else None
        meta = {
            # aiosmtpd spells the null reverse-path "<>"; callers spell it "".
            "mail_from": "" if envelope.mail_from == "<>" else envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "connection": server.connection_number,
            "auth_login": login,
        }
        write_atomically(stem + ".json", json.dumps(meta).encode())
        return "250 2.0.0 captured"


def write_atomically(path, data):
    temp = path + ".tmp"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


def parse_rcpt_replies(pairs):
    replies = {}
    for pair in pairs:
        address, _, code = pair.rpartition("=")
        replies[address] = int(code)
    return replies


def make_authenticator(expected):
    user, _, password = expected.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        # handled=False lets aiosmtpd answer a failure with its 535 reply.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticate


async def serve(args):
    handler = CaptureHandler(args.dir, args.fail_with, parse_rcpt_replies(args.rcpt_reply))
    handler.rcpt_once = parse_rcpt_replies(args.rcpt_reply_once)
    connections = 0

    def new_session():
        nonlocal connections
        connections += 1
        options = {}
        if args.auth:
            options = {"authenticator": make_authenticator(args.auth),
                       "auth_require_tls": False}
        smtp = SMTP(handler, hostname="capture.test", **options)
        smtp.connection_number = connections
        write_atomically(os.path.join(args.dir, "connections"), str(connections).encode())
        return smtp

    loop = asyncio.get_running_loop()
    server = await loop.create_server(new_session, "127.0.0.1", args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-with", type=int, default=0)
    parser.add_argument("--auth", default="")
    parser.add_argument("--rcpt-reply", action="append", default=[])
    parser.add_argument("--rcpt-reply-once", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    # aiosmtpd warns about its own deprecated attributes on every AUTH; keep test output clean.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
