#!/usr/bin/env python3
"""A seeded generator of realistic nginx access logs (log_format combined).

    gen_access_log.py N [SEED] [--broken]

writes N lines to standard output; the same N and SEED give the same bytes.
About 3% of the requests answer 5xx, 7% 4xx; paths mix pages, static files and
/api/... calls; user agents have spaces, parentheses and, now and then, a
quote, written as nginx escapes it (\\x22). Timestamps advance about 1 ms a
line from 07/Dec/2026:10:00:00 +0000. With --broken about one line in a
hundred is broken (truncated, a missing quote, a status that is not a
number, a missing field), as a test of error handling wants; without it
every line parses. Used by tests/fields and the bench rows of bench/text.sh.
"""
import random
import sys

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PAGES = ["/", "/index.html", "/about", "/blog/2026/12/flow-1-0", "/search?q=access+log&page=2", "/login",
         "/favicon.ico", "/static/app.3f9a1c.js", "/static/style.css", "/images/logo.png", "/robots.txt"]
API = ["/api/v1/users/{}", "/api/v1/orders?page={}", "/api/v1/orders/{}/items", "/api/v2/search?term=x{}",
       "/api/health", "/api/v1/login"]
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
    "Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; \\x22QuoteBot\\x22 0.3; +https://example.org/bot)",
    "-",
]
REFERERS = ["-", "-", "https://www.example.com/", "https://www.google.com/search?q=flow",
            "https://example.com/blog/2026/12/flow-1-0", "http://localhost:8080/admin"]
USERS = ["alice", "bob", "svc-deploy"]


def status(rng):
    roll = rng.random()
    if roll < 0.03:
        return rng.choice([500, 502, 503, 504])
    if roll < 0.10:
        return rng.choice([404, 404, 404, 401, 403, 429])
    if roll < 0.15:
        return rng.choice([301, 302, 304])
    return rng.choice([200, 200, 200, 200, 201, 204])


def request(rng):
    method = rng.choices(["GET", "POST", "PUT", "DELETE", "HEAD"], [80, 12, 4, 2, 2])[0]
    if rng.random() < 0.45:
        path = rng.choice(API).format(rng.randint(1, 99999))
    else:
        path = rng.choice(PAGES)
    protocol = rng.choices(["HTTP/1.1", "HTTP/2.0", "HTTP/1.0"], [70, 25, 5])[0]
    return method, path, protocol


def timestamp(seconds):
    day, rest = divmod(int(seconds), 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return "{:02d}/{}/2026:{:02d}:{:02d}:{:02d} +0000".format(7 + day, MONTHS[11], hour, minute, second)


def line(rng, seconds):
    ip = "{}.{}.{}.{}".format(rng.choice([10, 66, 93, 172, 185, 203]), rng.randint(0, 255), rng.randint(0, 255),
                              rng.randint(1, 254))
    user = rng.choice(USERS) if rng.random() < 0.05 else "-"
    method, path, protocol = request(rng)
    code = status(rng)
    size = 0 if code in (204, 304) or method == "HEAD" else int(rng.lognormvariate(7.5, 1.4))
    return '{} - {} [{}] "{} {} {}" {} {} "{}" "{}"'.format(ip, user, timestamp(seconds), method, path, protocol,
                                                            code, size, rng.choice(REFERERS), rng.choice(AGENTS))


def broken(rng, text):
    kind = rng.randrange(4)
    if kind == 0:
        return text[:rng.randint(1, len(text) - 1)]  # truncated
    if kind == 1:
        return text.replace('"', "", 1)  # the request's opening quote is missing
    if kind == 2:
        parts = text.split('" ', 1)
        return parts[0] + '" OK' + parts[1][3:]  # a status that is not a number
    return text.replace(" - ", " ", 1)  # a missing field


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if not args or any(a not in ("--broken",) for a in argv if a.startswith("--")):
        sys.exit("usage: gen_access_log.py N [SEED] [--broken]")
    count = int(args[0])
    rng = random.Random(int(args[1]) if len(args) > 1 else 1)
    seconds = 36000.0
    out = sys.stdout
    for _ in range(count):
        seconds += rng.expovariate(1000.0)
        text = line(rng, seconds)
        if "--broken" in argv and rng.random() < 0.01:
            text = broken(rng, text)
        out.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
