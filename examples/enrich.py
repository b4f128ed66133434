#!/usr/bin/env python3
"""Turns each line of examples/data/app.log into a JSON object, one answer line
per input line, as exec() expects (docs/calls.md). Run by examples/enrich.flow:
flow sets PYTHONUNBUFFERED=1, so each answer leaves as soon as it is printed."""
import json
import sys

SEVERITY = {"DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}

for line in sys.stdin:
    time, host, level, message = line.rstrip("\n").split(" ", 3)
    print(json.dumps({"time": time, "host": host, "level": level,
                      "severity": SEVERITY.get(level, 0), "message": message}))
