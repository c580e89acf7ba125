#!/usr/bin/env python3
"""Catches up on the change feed from zero: GET /api/v1/changes?limit=N, then `after=next_cursor`
until `has_more` is false, on one keep-alive connection. Prints one JSON object: wall seconds,
pages, changes, bytes, per-page latency p50/p99 (ms), non-2xx answers.

usage: feed.py HOST PORT TOKEN [LIMIT] [MAX_SECONDS]
"""
import http.client
import json
import re
import sys
import time
import urllib.parse

TAIL = re.compile(rb'"next_cursor":(null|"([^"]*)"),"has_more":(true|false)\}\s*$')


def pct(sorted_values, p):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[i]


def main():
    host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    max_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 1800
    conn = http.client.HTTPConnection(host, port, timeout=300)
    headers = {"Authorization": "Bearer " + token}
    after, pages, changes, size, errors, error = None, 0, 0, 0, 0, None
    latencies = []
    started = time.monotonic()
    while True:
        path = "/api/v1/changes?limit=%d" % limit
        if after:
            path += "&after=" + urllib.parse.quote(after, safe="")
        t0 = time.monotonic()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append((time.monotonic() - t0) * 1000.0)
        if response.status // 100 != 2:
            errors += 1
            error = "HTTP %d: %s" % (response.status, body[:300].decode("utf-8", "replace"))
            break
        pages += 1
        size += len(body)
        changes += body.count(b'"entity":"contribution"')
        m = TAIL.search(body[-400:])
        if m and pages > 1:
            cursor = m.group(2).decode() if m.group(2) else None
            has_more = m.group(3) == b"true"
        else:  # the first page is parsed in full, to check the shape the tail match relies on
            page = json.loads(body)
            cursor, has_more = page.get("next_cursor"), bool(page.get("has_more"))
        if not has_more or not cursor:
            break
        if time.monotonic() - started > max_seconds:
            error = "stopped after %.0f s" % max_seconds
            errors += 1
            break
        after = cursor
    seconds = time.monotonic() - started
    latencies.sort()
    print(json.dumps({
        "seconds": round(seconds, 3), "pages": pages, "changes": changes, "bytes": size,
        "p50_ms": round(pct(latencies, 50), 2), "p99_ms": round(pct(latencies, 99), 2),
        "errors": errors, "error": error,
    }))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
