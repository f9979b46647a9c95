"""Validates a SARIF file against the SARIF 2.1.0 JSON schema beside this script.

Usage: python3 validate.py FILE.sarif
Prints one line per schema violation (JSON path: message) and exits 1 when there is any.
Uses Debian's python3-jsonschema (installed by scripts/setup.sh).
"""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "sarif-schema-2.1.0.json"), encoding="utf-8") as f:
    schema = json.load(f)
with open(sys.argv[1], encoding="utf-8") as f:
    document = json.load(f)

validator_class = jsonschema.validators.validator_for(schema)
validator_class.check_schema(schema)
errors = sorted(validator_class(schema).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
for error in errors:
    print("/".join(map(str, error.absolute_path)) + ": " + error.message)
sys.exit(1 if errors else 0)
