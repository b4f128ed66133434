#!/usr/bin/env python3
"""A reference reading of nginx's combined log format, written apart from
flow's hand-written parser (a regex), for tests/fields/parse_cli_test.cpp.

    nginx_reference.py LOG

prints one JSON line per line of LOG: {"ok": false} for a line that is not in
the format, else {"ok": true, "fields": {...}} with the fields docs/fields.md
promises: '-' leaves a field out; the request is split into method, path and
protocol (when its last word starts with HTTP/); status and body_bytes_sent
are numbers.
"""
import json
import re
import sys

QUOTED = r'"((?:[^"\\]|\\.)*)"'
LINE = re.compile(r'^([^ ]+) - ([^ ]+) \[([^\]]*)\] ' + QUOTED + r' (-?\d+) (-?\d+) ' + QUOTED + ' ' + QUOTED +
                  r'[ \r]*$')
NAMES = ["remote_addr", "remote_user", "time_local", "request", "status", "body_bytes_sent", "http_referer",
         "http_user_agent"]


def fields_of(line):
    match = LINE.match(line)
    if not match:
        return None
    fields = {}
    for name, value in zip(NAMES, match.groups()):
        if name in ("status", "body_bytes_sent"):
            fields[name] = int(value)
        elif value != "-" or name in ("remote_addr", "time_local", "request"):
            fields[name] = value
    method, space, rest = fields["request"].partition(" ")
    if space and method:
        words = rest.rsplit(" ", 1)
        if len(words) == 2 and words[1].startswith("HTTP/"):
            fields["protocol"] = words[1]
            rest = words[0]
        fields["method"] = method
        fields["path"] = rest
    return fields


def main(path):
    with open(path, encoding="utf-8", newline="\n") as log:
        for line in log:
            fields = fields_of(line.rstrip("\n"))
            print(json.dumps({"ok": False} if fields is None else {"ok": True, "fields": fields}))


if __name__ == "__main__":
    main(sys.argv[1])
