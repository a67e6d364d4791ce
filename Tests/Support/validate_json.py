#!/usr/bin/env python3
"""Validates JSON documents against JSON Schemas with the jsonschema package.

Reads one JSON object a line: {"schema": PATH, "document": {...}}; prints one line per document:
"ok" or the first error."""
import json
import sys

import jsonschema

checkers = {}
for line in sys.stdin:
    case = json.loads(line)
    if case["schema"] not in checkers:
        schema = json.load(open(case["schema"]))
        checkers[case["schema"]] = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(checkers[case["schema"]].iter_errors(case["document"]), key=lambda e: list(e.path))
    print("ok" if not errors else "%s at %s" % (errors[0].message, "/".join(map(str, errors[0].path))), flush=True)
