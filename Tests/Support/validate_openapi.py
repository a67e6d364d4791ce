#!/usr/bin/env python3
"""Checks docs/openapi.json and the daemon's real answers against it.

`validate_openapi.py OPENAPI --check`: the document is valid OpenAPI 3.1 (openapi-spec-validator).
`validate_openapi.py OPENAPI`: reads one JSON object a line, {"schema": NAME, "document": {...}},
and prints one line per document: "ok", or the first error against components.schemas.NAME."""
import json
import sys

import jsonschema

document = json.load(open(sys.argv[1]))
if "--check" in sys.argv:
    from openapi_spec_validator import validate
    validate(document)
    print("ok")
    sys.exit(0)
for line in sys.stdin:
    case = json.loads(line)
    # The component, with the others beside it so that its $refs resolve.
    schema = {"$ref": "#/components/schemas/" + case["schema"], "components": document["components"]}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(case["document"]), key=lambda e: list(e.path))
    print("ok" if not errors else "%s at %s" % (errors[0].message, "/".join(map(str, errors[0].path))), flush=True)
