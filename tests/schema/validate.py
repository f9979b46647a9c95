"""Validates otel-audit JSON documents against the JSON Schemas of a schema directory.

Usage: python3 validate.py SCHEMA_DIR FILE...
Each document is checked against the schema its "schema" field names: "otel-audit/v1" against
SCHEMA_DIR/otel-audit-v1.schema.json, "otel-audit-scan/v1" against
SCHEMA_DIR/otel-audit-scan-v1.schema.json. Prints one line per violation (FILE: JSON pointer:
message) and exits 1 when there is any, or when a document names no schema of SCHEMA_DIR.
Uses Debian's python3-jsonschema (installed by scripts/setup.sh).
"""
import json
import os
import sys

import jsonschema


def schema_file(schema_dir, name):
    return os.path.join(schema_dir, name.replace("/", "-") + ".schema.json")


def main(argv):
    if len(argv) < 3:
        print("usage: validate.py SCHEMA_DIR FILE...", file=sys.stderr)
        return 2
    schema_dir, files = argv[1], argv[2:]
    schemas = {}
    problems = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        name = document.get("schema") if isinstance(document, dict) else None
        if not isinstance(name, str) or not os.path.isfile(schema_file(schema_dir, name)):
            problems.append(f"{path}: no schema in {schema_dir} for \"schema\": {json.dumps(name)}")
            continue
        if name not in schemas:
            with open(schema_file(schema_dir, name), encoding="utf-8") as f:
                schema = json.load(f)
            validator_class = jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            schemas[name] = validator_class(schema)
        errors = sorted(schemas[name].iter_errors(document),
                        key=lambda e: list(map(str, e.absolute_path)))
        for error in errors:
            pointer = "".join("/" + str(p) for p in error.absolute_path)
            problems.append(f"{path}: {pointer or '/'}: {error.message}")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
