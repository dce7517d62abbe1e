#!/usr/bin/python3
"""Checks that a file holds a well-formed email, as a receiving client would see it.

    check_mime.py MESSAGE_FILE

Parses with Python's email package (policy=email.policy.default) and reports every defect it
finds in the message, its parts and its headers; also requires CRLF line ends throughout,
lines of at most 998 characters, and text parts that decode. Prints one line per problem and
exits 1 if there is any, otherwise prints "ok" and exits 0.
"""

import email
import email.policy
import sys

MAX_LINE = 998


def line_problems(raw):
    problems = []
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, start=1):
        is_last = number == len(lines)
        if is_last and line == b"":
            continue
        if not is_last and not line.endswith(b"\r"):
            problems.append(f"line {number}: ends with LF, not CRLF")
        body = line[:-1] if line.endswith(b"\r") else line
        if b"\r" in body:
            problems.append(f"line {number}: bare CR")
        if len(body) > MAX_LINE:
            problems.append(f"line {number}: {len(body)} characters (limit {MAX_LINE})")
    if raw and not raw.endswith(b"\r\n"):
        problems.append("message does not end with CRLF")
    return problems


def parse_problems(raw):
    problems = []
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for index, part in enumerate(message.walk()):
        where = f"part {index} ({part.get_content_type()})"
        problems += [f"{where}: {type(d).__name__}: {d}" for d in part.defects]
        for name, value in part.items():
            problems += [f"{where}: header {name}: {type(d).__name__}: {d}"
                         for d in getattr(value, "defects", ())]
        if part.get_content_maintype() == "text":
            try:
                part.get_content()
            except Exception as error:  # any failure to decode is a finding, not a crash
                problems.append(f"{where}: content does not decode: {error}")
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    problems = line_problems(raw) + parse_problems(raw)
    for problem in problems:
        print(problem)
    if not problems:
        print("ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
