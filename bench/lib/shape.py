"""Checks that a sample answer has the shape its scenario asks for, whoever answered it
(the service, Directus or PostGraphile, each with its own envelope).

    shape.py SCENARIO SAMPLE_FILE ROWS

The rows are the objects that have a "title": the first list of them met breadth-first (the first
such object for rest_by_id).
  rest_list_p1, rest_list_deep  ROWS rows, all published
  rest_by_id                    one row, published
  gql_nested                    ROWS rows, each with a nested organisation (an object with a name),
                                and a total count beside them
Other scenarios: nothing to check. Prints what it found; exit 1 when the shape is wrong.
"""
import json
import sys


def breadth_first(doc):
    queue = [doc]
    while queue:
        node = queue.pop(0)
        yield node
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        queue.extend(c for c in children if isinstance(c, (dict, list)))


def unwrap(v):  # a Relay edge {"node": row} stands for its row
    return v["node"] if isinstance(v, dict) and isinstance(v.get("node"), dict) else v


def is_row(v):
    v = unwrap(v)
    return isinstance(v, dict) and "title" in v


def main():
    scenario, path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if scenario not in ("rest_list_p1", "rest_list_deep", "rest_by_id", "gql_nested"):
        return 0
    doc = json.load(open(path, encoding="utf-8"))
    if scenario == "rest_by_id":
        found = [next((n for n in breadth_first(doc) if is_row(n)), None)]
        found = [r for r in found if r is not None]
        rows = 1
    else:
        found = next((n for n in breadth_first(doc) if isinstance(n, list) and n and all(map(is_row, n))), [])
        found = [unwrap(r) for r in found]
    problems = []
    if len(found) != rows:
        problems.append("%d rows, expected %d" % (len(found), rows))
    if scenario != "gql_nested":
        drafts = [r for r in found if r.get("status") != "published"]
        if drafts:
            problems.append("%d rows not published" % len(drafts))
    else:
        flat = [r for r in found if not any(isinstance(v, dict) and "name" in v for v in r.values())]
        if flat:
            problems.append("%d rows without a nested organisation" % len(flat))
        if not any(isinstance(n, dict) and ("totalCount" in n or "count" in n) for n in breadth_first(doc)):
            problems.append("no total count")
    print("%s: %d rows%s" % (scenario, len(found), "; " + "; ".join(problems) if problems else ", as expected"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
