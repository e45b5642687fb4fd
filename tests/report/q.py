#!/usr/bin/python3
"""q.py FILE EXPR - EXPR (Python) over the JSON report in FILE, bound to r,
printed: strings as they are, anything else as JSON.  Helpers:
  row(table, **match)   the first row of table whose keys equal match
  rows(table, **match)  all such rows
  pick(rows, *keys)     the keys of each row, as lists
"""
import json
import sys

r = json.load(open(sys.argv[1], encoding="utf-8"))


def rows(table, **match):
    return [x for x in table if all(x.get(k) == v for k, v in match.items())]


def row(table, **match):
    found = rows(table, **match)
    return found[0] if found else None


def pick(table, *keys):
    return [[x.get(k) for k in keys] for x in table]


v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
