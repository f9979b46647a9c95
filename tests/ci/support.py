"""What the CI-integration tests share: where the sources and the built program are, scratch
directories, and running otel-audit directly to compare with."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ.get("OTEL_AUDIT_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("OTEL_AUDIT_BINARY") or os.path.join(SOURCE_DIR, "build", "bin",
                                                             "otel-audit")
ECOSYSTEM = ["connector-hub", "cost-ops", "edge-agent", "observatory", "policy-engine",
             "sentinel", "shield"]


def source(*parts):
    return os.path.join(SOURCE_DIR, *parts)


def load_yaml(*parts):
    import yaml  # python3-yaml
    with open(source(*parts), encoding="utf-8") as f:
        return yaml.safe_load(f)


class Scratch:
    """A temporary directory removed at the end of the test."""

    def __init__(self, test: unittest.TestCase, name="otel-audit-ci"):
        self.path = tempfile.mkdtemp(prefix=name + "-")
        test.addCleanup(shutil.rmtree, self.path, True)

    def __call__(self, *parts):
        return os.path.join(self.path, *parts)

    def copy_fixtures(self, into, names=ECOSYSTEM, group="ecosystem"):
        os.makedirs(self(into), exist_ok=True)
        for name in names:
            shutil.copytree(source("fixtures", group, name), self(into, name), symlinks=True)
        return self(into)

    def bin_dir(self):
        """A directory holding `otel-audit` (a link to the built program), for PATH."""
        directory = self("bin")
        os.makedirs(directory, exist_ok=True)
        link = os.path.join(directory, "otel-audit")
        if not os.path.lexists(link):
            os.symlink(BINARY, link)
        return directory


def otel_audit(*args, cwd=None):
    """Runs the built otel-audit; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([BINARY, *args], cwd=cwd or SOURCE_DIR, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


def validate_sarif(path):
    """(exit code, output) of the SARIF 2.1.0 schema check of tests/data/sarif."""
    proc = subprocess.run([sys.executable, source("tests", "data", "sarif", "validate.py"), path],
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def validate_json(schema_dir, *paths):
    """(exit code, output) of tests/schema/validate.py over `paths`."""
    proc = subprocess.run([sys.executable, source("tests", "schema", "validate.py"), schema_dir,
                           *paths], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr
