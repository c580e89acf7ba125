#!/usr/bin/env python3
"""Turns a run's results.jsonl (written by bench/run.sh) into markdown tables.

    report.py RESULTS.jsonl OUT.md [--results-md bench/RESULTS.md --out-rel bench/out/STAMP]
    report.py --check RESULTS.jsonl      exit 1 when any scenario had errors, non-2xx or failed checks

With --results-md, the run's section is put first in that file and the sections of earlier
runs are kept below it (the last KEEP_RUNS of them).
"""
import json
import re
import sys

KEEP_RUNS = 8

SCENARIOS = [
    ("rest_list_p1", "REST list page 1 (`status=published`, newest first, 50)"),
    ("rest_list_deep", "REST list, keyset page ~90% deep"),
    ("rest_search", "REST full-text search `q=migration` (50)"),
    ("rest_by_id", "REST one contribution by id (random published id)"),
    ("gql_nested", "GraphQL 50 contributions + organisation + questions + totalCount"),
    ("feed_catchup", "Change feed catch-up from zero (1000 per page; rates per page)"),
    ("rest_create", "REST create with `Idempotency-Key`"),
    ("token", "Token issuance (`POST /oauth/token`, argon2)"),
]
LABEL = dict(SCENARIOS)
# The pgbench file each scenario's ratio is taken against; others are listed as extra rows.
PRIMARY_REF = {
    "rest_list_p1": "list_p1", "rest_list_deep": "list_deep", "rest_search": "search_service",
    "rest_by_id": "by_id", "gql_nested": "gql_nested", "rest_create": "create", "feed_catchup": "feed_page",
}
REF_NOTE = {
    "search": "a lower bound: the same matches without ranking, newest first (stops after 51 matches)",
}
PEERS = ["directus", "postgraphile"]


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def num(v, default=0.0):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def fmt(v, digits=0, dash="–"):
    if v is None or v == "":
        return dash
    v = float(v)
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def fmt_ms(v):
    if v is None or v == "":
        return "–"
    v = float(v)
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def ratio(a, b):
    a, b = num(a, None), num(b, None)
    if not a or not b:
        return None
    return a / b


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×" if r >= 10 else f"{100 * r:.0f}%"


def rss_cell(r):
    peak, start = r.get("rss_mib"), r.get("rss_start_mib")
    if peak in (None, ""):
        return "–"
    return fmt(peak, 1) + ("" if start in (None, "") else f" ({fmt(start, 1)})")


def errors_of(r):
    return int(num(r.get("non2xx")) + num(r.get("sock_errors")) + num(r.get("errors")))


def check(rows):
    bad = []
    for r in rows:
        if r.get("kind") in ("wrk", "feed", "check", "pgbench") and errors_of(r) > 0:
            bad.append(r)
    for r in bad:
        print("error: %s %s %s %s: non2xx=%s socket=%s errors=%s" % (
            r.get("system"), r.get("backend"), int(num(r.get("size"))), r.get("scenario"),
            r.get("non2xx", 0), r.get("sock_errors", 0), r.get("errors", 0)), file=sys.stderr)
    return 1 if bad else 0


def mean(values):
    values = [num(v) for v in values if v not in (None, "")]
    return sum(values) / len(values) if values else None


def merge(records, rate_key):
    """One record out of the rounds of a measurement: means of rates and latencies, sums of
    errors, the largest RSS, and the per-round rates (for the spread)."""
    if len(records) == 1:
        r = dict(records[0])
        r["rates"] = [num(r.get(rate_key))]
        return r
    r = dict(records[-1])
    for k in (rate_key, "p50_ms", "p99_ms", "cpu_s_per_1k", "latency_avg_ms", "seconds"):
        if any(x.get(k) not in (None, "") for x in records):
            r[k] = mean(x.get(k) for x in records)
    for k in ("non2xx", "sock_errors", "errors", "log_warnings", "requests"):
        if any(x.get(k) not in (None, "") for x in records):
            r[k] = sum(num(x.get(k)) for x in records)
    rss = [num(x.get("rss_mib")) for x in records if x.get("rss_mib") not in (None, "")]
    if rss:
        r["rss_mib"] = max(rss)
    r["rss_start_mib"] = records[0].get("rss_start_mib")
    r["rates"] = [num(x.get(rate_key)) for x in records]
    return r


def index(rows):
    wrk, pgb, checks, seeds, servers = {}, {}, {}, {}, {}
    for r in rows:
        k = r.get("kind")
        key = (r.get("backend"), int(num(r.get("size"))))
        if k in ("wrk", "feed"):
            wrk.setdefault(key + (r["system"], r["scenario"]), []).append(r)
        elif k == "pgbench":
            pgb.setdefault(key + (r["scenario"], r["ref"]), []).append(r)
        elif k == "check":
            checks[key + (r["system"], r["scenario"])] = r
        elif k == "seed":
            seeds[key] = r
        elif k in ("server", "server_end", "server_log"):
            servers.setdefault(key, {}).update(r)
    wrk = {k: merge(v, "rps") for k, v in wrk.items()}
    pgb = {k: merge(v, "tps") for k, v in pgb.items()}
    return wrk, pgb, checks, seeds, servers


def ratio_cell(a, b):
    """service / reference from the means, with the range of the per-round ratios."""
    if not a or not b:
        return "–"
    main = fmt_ratio(ratio(mean(a["rates"]), mean(b["rates"])))
    if len(a["rates"]) > 1 and len(a["rates"]) == len(b["rates"]):
        per = [ratio(x, y) for x, y in zip(a["rates"], b["rates"])]
        per = [x for x in per if x is not None]
        if per:
            main += f" ({fmt_ratio(min(per))}–{fmt_ratio(max(per))})"
    return main


def rate_cell(r, key="rps"):
    v = r.get(key)
    text = fmt(v, 1 if num(v) < 100 else 0)
    rates = r.get("rates") or []
    if len(rates) > 1 and mean(rates):
        spread = (max(rates) - min(rates)) / 2 / mean(rates)
        text += f" ±{100 * spread:.0f}%"
    return text


def section_tables(rows, meta):
    wrk, pgb, checks, seeds, servers = index(rows)
    combos = []
    for r in rows:
        if r.get("kind") in ("wrk", "feed", "pgbench", "check", "seed"):
            key = (r.get("backend"), int(num(r.get("size"))))
            if key not in combos:
                combos.append(key)
    peers = [p for p in PEERS if any(k[2] == p for k in wrk) or any(k[2] == p for k in checks)]
    out = []
    for backend, size in combos:
        out.append(f"### {backend}, {size:,} contributions\n")
        facts = []
        s = seeds.get((backend, size))
        if s:
            facts.append(f"seeded in {fmt(s.get('seconds'), 1)} s, database {fmt(s.get('db_mib'), 0)} MiB")
        sv = servers.get((backend, size), {})
        if sv.get("idle_rss_mib") not in (None, ""):
            facts.append(f"server RSS idle {fmt(sv.get('idle_rss_mib'), 1)} MiB, peak over the run "
                         f"{fmt(sv.get('peak_rss_mib'), 1)} MiB")
        if num(sv.get("warnings")) > 0:
            facts.append(f"**{int(num(sv['warnings']))} WARN/ERROR lines in the server log** "
                         f"(`{backend}-{size}/server.warnings.txt`)")
        if facts:
            out.append("; ".join(facts) + ".\n")
        head = ["scenario", "req/s", "p50 ms", "p99 ms", "CPU s / 1k req", "peak RSS MiB (at start)", "errors"]
        if backend == "postgres":
            head += ["pgbench tps (same SQL)", "service / pgbench"]
        for p in peers:
            head += [f"{p} req/s", f"service / {p}"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        for sc, label in SCENARIOS:
            r = wrk.get((backend, size, "service", sc))
            c = checks.get((backend, size, "service", sc))
            refs = {ref: v for (b, z, s2, ref), v in pgb.items() if (b, z, s2) == (backend, size, sc)}
            if not r and not c and not refs:
                continue
            name = label
            if sc == "feed_catchup" and r:
                name += f" — **{fmt(r.get('changes'))} changes in {fmt(r.get('seconds'), 2)} s**"
            if r:
                errs = str(errors_of(r))
                if num(r.get("log_warnings")) > 0:
                    errs += f" (+{int(num(r['log_warnings']))} in log)"
                cells = [name, rate_cell(r), fmt_ms(r.get("p50_ms")),
                         fmt_ms(r.get("p99_ms")), fmt(r.get("cpu_s_per_1k"), 3), rss_cell(r), errs]
            elif c:
                cells = [name, "**check failed: HTTP %s**" % c.get("http", "?"), "–", "–", "–", "–", "1"]
            else:
                cells = [name, "–", "–", "–", "–", "–", "–"]
            if backend == "postgres":
                p = refs.get(PRIMARY_REF.get(sc, ""))
                if p:
                    cells += [rate_cell(p, "tps"), ratio_cell(r, p)]
                else:
                    cells += ["–", "–"]
            for peer in peers:
                pr = wrk.get((backend, size, peer, sc))
                pc = checks.get((backend, size, peer, sc))
                if pr:
                    cells += [rate_cell(pr), ratio_cell(r, pr)]
                elif pc:
                    cells += ["check failed", "–"]
                else:
                    cells += ["–", "–"]
            out.append("| " + " | ".join(cells) + " |")
            for ref, p in sorted(refs.items()):
                if ref == PRIMARY_REF.get(sc):
                    continue
                cells = ["↳ vs " + REF_NOTE.get(ref, ref), "", "", "", "", "", ""]
                cells += [rate_cell(p, "tps"), ratio_cell(r, p)]
                cells += ["", ""] * len(peers)
                out.append("| " + " | ".join(cells) + " |")
        out.append("")
        feed = wrk.get((backend, size, "service", "feed_catchup"))
        fp = pgb.get((backend, size, "feed_catchup", "feed_page"))
        if feed and fp and num(fp.get("tps")) > 0:
            est = num(feed.get("pages")) / num(fp.get("tps"))
            out.append(f"Feed: pgbench reads one 1000-change page at {fmt(fp.get('tps'), 1)}/s with one client, i.e. "
                       f"~{est:.2f} s for the {fmt(feed.get('pages'))} pages the service took "
                       f"{fmt(feed.get('seconds'), 2)} s to serve.\n")
        # peer peak RSS and CPU, when known
        peer_lines = []
        for peer in peers:
            prs = [v for k, v in wrk.items() if k[:3] == (backend, size, peer) and v.get("rss_mib") not in (None, "")]
            if prs:
                peer_lines.append(f"{peer}: peak RSS up to {max(num(v['rss_mib']) for v in prs):.0f} MiB, "
                                  "CPU s / 1k req " + ", ".join(f"{v['scenario']} {fmt(v.get('cpu_s_per_1k'), 3)}"
                                                                for v in prs))
        if peer_lines:
            out.append("Peers: " + "; ".join(peer_lines) + ".\n")
    return out


def goals(rows):
    """The issue's targets: met / missed where measured at the size they name, else indicative."""
    wrk, pgb, _, _, _ = index(rows)
    sizes = sorted({k[1] for k in wrk})
    backends = []
    for k in wrk:
        if k[0] not in backends:
            backends.append(k[0])

    def svc(b, z, sc):
        return wrk.get((b, z, "service", sc))

    def pg_ratio(z, sc):
        r, p = svc("postgres", z, sc), pgb.get(("postgres", z, sc, PRIMARY_REF[sc]))
        return ratio(r.get("rps"), p.get("tps")) if r and p else None

    lines = ["| goal | target | measured | status |", "|---|---|---|---|"]

    def status(ok, exact):
        if ok is None:
            return "not measured"
        word = "met" if ok else "**missed**"
        return word if exact else f"{word} at this size (indicative; the goal is at a larger size)"

    def at(z):
        return f"{z:,}"

    # ratios to pgbench at 100k on Postgres
    for sc, target, text in [("rest_list_p1", 0.70, "list page 1 ≥ 70% of pgbench, same SQL (Postgres, 100k)"),
                             ("gql_nested", 0.60, "GraphQL nested list ≥ 60% of pgbench (Postgres, 100k)"),
                             ("rest_by_id", 0.50, "by id ≥ 50% of pgbench (Postgres, 100k)"),
                             ("rest_create", 0.50, "create ≥ 50% of pgbench's insert rate (Postgres, 100k)")]:
        measured = [(z, pg_ratio(z, sc)) for z in sizes if pg_ratio(z, sc) is not None]
        exact = [m for m in measured if m[0] == 100_000]
        use = exact or measured[-1:]
        if use:
            z, r = use[0]
            lines.append(f"| {text} | ≥ {target:.0%} | {fmt_ratio(r)} at {at(z)} | {status(r >= target, bool(exact))} |")
        else:
            lines.append(f"| {text} | ≥ {target:.0%} | – | not measured |")

    for b in backends:
        bs = [z for z in sizes if svc(b, z, "rest_list_p1") or svc(b, z, "feed_catchup")]
        if not bs:
            continue
        big = 1_000_000 if 1_000_000 in bs else bs[-1]
        exact = big == 1_000_000
        # deep page p99 vs page 1 p99 at 1M
        p1, deep = svc(b, big, "rest_list_p1"), svc(b, big, "rest_list_deep")
        if p1 and deep and num(p1.get("p99_ms")) > 0:
            r = num(deep["p99_ms"]) / num(p1["p99_ms"])
            lines.append(f"| deep page p99 ≤ 1.2 × page-1 p99 at 1M ({b}) | ≤ 1.20 | {r:.2f} "
                         f"({fmt_ms(deep['p99_ms'])} vs {fmt_ms(p1['p99_ms'])} ms) at {at(big)} | "
                         f"{status(r <= 1.2, exact)} |")
        # list p99 at 1M within 1.5x of 10k
        small = 10_000 if 10_000 in bs else bs[0]
        a, c = svc(b, small, "rest_list_p1"), svc(b, big, "rest_list_p1")
        if a and c and big != small and num(a.get("p99_ms")) > 0:
            r = num(c["p99_ms"]) / num(a["p99_ms"])
            lines.append(f"| list p99 at 1M ≤ 1.5 × at 10k ({b}) | ≤ 1.50 | {r:.2f} ({at(big)} vs {at(small)}) | "
                         f"{status(r <= 1.5, exact and small == 10_000)} |")
        else:
            lines.append(f"| list p99 at 1M ≤ 1.5 × at 10k ({b}) | ≤ 1.50 | needs two sizes in one run "
                         f"(10k: p99 {fmt_ms(a.get('p99_ms')) if a else '–'} ms) | not measured |")
        # feed catch-up of 1M changes < 60 s
        f = svc(b, big, "feed_catchup")
        if f and num(f.get("seconds")) > 0 and num(f.get("changes")) > 0:
            rate = num(f["changes"]) / num(f["seconds"])
            est = 1_000_000 / rate
            measured = (f"{fmt(f['changes'])} changes in {fmt(f['seconds'], 2)} s ({rate:,.0f}/s"
                        + ("" if exact else f" → ~{est:,.0f} s for 1M") + f") at {at(big)}")
            lines.append(f"| catch-up of 1M changes through the feed < 60 s ({b}) | < 60 s | {measured} | "
                         f"{status(est < 60, exact)} |")
        # RSS under load at 1M
        rss = [num(v.get("rss_mib")) for k, v in wrk.items()
               if k[0] == b and k[1] == big and k[2] == "service" and v.get("rss_mib") not in (None, "")]
        if rss:
            m = max(rss)
            no_token = [num(v.get("rss_mib")) for k, v in wrk.items()
                        if k[0] == b and k[1] == big and k[2] == "service" and k[3] != "token"
                        and v.get("rss_mib") not in (None, "")]
            extra = f"; {max(no_token):.1f} MiB without `token`" if no_token and max(no_token) != m else ""
            lines.append(f"| server RSS under load < 100 MiB at 1M ({b}) | < 100 MiB | {m:.1f} MiB (max over "
                         f"scenarios{extra}) at {at(big)} | {status(m < 100, exact)} |")
    return lines


def render(rows, out_rel):
    meta = next((r for r in rows if r.get("kind") == "meta"), {})
    end = next((r for r in rows if r.get("kind") == "end"), {})
    lines = [f"## Run {meta.get('date', '?')}", ""]
    lines.append(f"- **Command:** `{meta.get('command', '?')}` (from the repository root; took "
                 f"{fmt(end.get('elapsed_s'))} s after a {fmt(end.get('build_s'))} s build)")
    lines.append(f"- **Machine:** {int(num(meta.get('nproc')))} CPUs ({meta.get('cpu', '?')}), "
                 f"{meta.get('mem_gib', '?')} GiB RAM, Linux {meta.get('kernel', '?')}, load average at start "
                 f"{meta.get('loadavg', '?')}; PostgreSQL {meta.get('postgres') or '–'}, wrk {meta.get('wrk', '?')}")
    lines.append(f"- **Commit:** {meta.get('commit', '?')}; sources (sha256 of `src/`, `migrations/`, `Cargo.*` "
                 f"right after the build): {meta.get('src_digest', '?')} (the working tree may differ from the commit)")
    lines.append(f"- **Load:** wrk -t{int(num(meta.get('threads')))} -c{int(num(meta.get('conns')))} "
                 f"-d{int(num(meta.get('dur')))}s --latency after a {int(num(meta.get('warm')))} s warm-up; "
                 f"pgbench -n -M prepared -c{int(num(meta.get('pgb_conns')))} -j{int(num(meta.get('pgb_threads')))} "
                 f"-T{int(num(meta.get('pgb_dur')))} on the same database right after; server HUB_WORKERS="
                 f"{meta.get('workers')}, HUB_DB_POOL_SIZE={meta.get('pool')}"
                 + (f", MALLOC_ARENA_MAX={meta.get('malloc_arena_max')}" if meta.get("malloc_arena_max") else "")
                 + f"; {int(num(meta.get('rounds', 1)))} round(s) per scenario (service, pgbench, peers in turn; "
                 "rates are means, ± half the spread between rounds, ratio ranges per round); "
                 f"{int(num(meta.get('orgs')))} organisations")
    if out_rel:
        lines.append(f"- **Raw outputs:** `{out_rel}/` (wrk, pgbench, samples, server logs; git-ignored)")
    lines.append("- Ratios are service ÷ reference, both measured in this run on this machine (shared and noisy: "
                 "compare ratios, not absolute rates across runs). CPU and RSS are the server process's own "
                 "(RSS: peak during the measured run, and in brackets at its start: one server process serves "
                 "every scenario of a table, in the order listed, so memory it keeps carries over).")
    lines.append("")
    lines.append("### Goals")
    lines.append("")
    lines += goals(rows)
    lines.append("")
    lines += section_tables(rows, meta)
    return "\n".join(lines).rstrip() + "\n", meta.get("stamp", "unknown")


HEADER = """# Benchmark results

Written by `bench/run.sh` (see `bench/README.md`); the newest run comes first and earlier runs are
kept below it. Every ratio compares numbers measured in the same run.

"""


def update_results_md(path, stamp, section):
    try:
        old = open(path, encoding="utf-8").read()
    except FileNotFoundError:
        old = ""
    runs = re.findall(r"<!-- run:([^ ]+) -->\n(.*?)<!-- /run -->\n", old, flags=re.S)
    runs = [(s, body) for s, body in runs if s != stamp]
    blocks = [(stamp, section)] + runs[: KEEP_RUNS - 1]
    # A hand-written summary across runs, kept as it is above the runs.
    summary = re.search(r"<!-- summary -->\n.*?<!-- /summary -->\n", old, flags=re.S)
    text = HEADER + (summary.group(0) + "\n" if summary else "")
    for i, (s, body) in enumerate(blocks):
        if i == 1:
            text += "# Earlier runs\n\n"
        text += f"<!-- run:{s} -->\n{body.rstrip()}\n\n<!-- /run -->\n\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip() + "\n")


def main(argv):
    if argv and argv[0] == "--check":
        return check(load(argv[1]))
    src, dst = argv[0], argv[1]
    results_md = out_rel = None
    rest = argv[2:]
    while rest:
        if rest[0] == "--results-md":
            results_md, rest = rest[1], rest[2:]
        elif rest[0] == "--out-rel":
            out_rel, rest = rest[1], rest[2:]
        else:
            raise SystemExit("unknown argument " + rest[0])
    rows = load(src)
    section, stamp = render(rows, out_rel)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(section)
    if results_md:
        update_results_md(results_md, stamp, section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
