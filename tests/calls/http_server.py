#!/usr/bin/env python3
"""A real HTTP server for the http() tests: it records every request it
receives (arrival time, connection, method, path, body) as one JSON line in
--log, and can be slow, answer 503 with Retry-After for its first requests,
or answer every request with one status. Prints "listening on PORT" once it
is bound; port 0 picks a free one. Killed and started again on the same
port, it goes on appending to the same log."""
import argparse
import email.utils
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--log", required=True)
parser.add_argument("--unavailable", type=int, default=0, help="answer 503 to the first N requests")
parser.add_argument("--retry-after", default="", help="seconds, or date:+S for an HTTP-date S seconds ahead")
parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
parser.add_argument("--status", type=int, default=200, help="the status of every other answer")
args = parser.parse_args()

lock = threading.Lock()
served = 0
log = open(args.log, "a", buffering=1)


def retry_after():
    if args.retry_after.startswith("date:+"):
        return email.utils.formatdate(time.time() + float(args.retry_after[6:]), usegmt=True)
    return args.retry_after


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def log_message(self, *_):
        pass

    def answer(self):
        global served
        arrived = time.time()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        with lock:
            served += 1
            number = served
        status = 503 if number <= args.unavailable else args.status
        record = {"time": arrived, "connection": "%s:%d" % self.client_address, "method": self.command,
                  "path": self.path, "body": body, "status": status,
                  "content_type": self.headers.get("Content-Type", "")}
        with lock:
            log.write(json.dumps(record) + "\n")
        if args.delay:
            time.sleep(args.delay)
        reply = (body.upper() if 200 <= status < 300 else "unavailable").encode()
        self.send_response(status)
        if status == 503 and args.retry_after:
            self.send_header("Retry-After", retry_after())
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = answer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", args.port), Handler)
print("listening on %d" % server.server_address[1], flush=True)
server.serve_forever()
