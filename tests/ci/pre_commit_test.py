""".pre-commit-hooks.yaml: its hook is what pre-commit expects, pre-commit accepts the manifest,
and pre-commit itself runs the hook (try-repo) in a repository holding a fixture: the commit
fails on a NO-GO repository, passes on a clean one, and the hook is skipped when the commit
touches nothing the audit reads."""
import os
import re
import shutil
import subprocess
import unittest

from support import Scratch, load_yaml, source

HOOKS = load_yaml(".pre-commit-hooks.yaml")


def git(*args, cwd):
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


class Manifest(unittest.TestCase):
    def test_one_otel_audit_hook_auditing_the_repository_it_runs_in(self):
        self.assertEqual(len(HOOKS), 1)
        hook = HOOKS[0]
        self.assertEqual(hook["id"], "otel-audit")
        self.assertEqual(hook["language"], "system")
        self.assertEqual(hook["entry"].split(), ["otel-audit", "check", "."])
        self.assertIs(hook["pass_filenames"], False)
        self.assertTrue(hook["name"] and hook["description"])

    def test_the_hook_runs_for_the_files_the_audit_reads_and_only_those(self):
        files = re.compile(HOOKS[0]["files"])
        for path in ["Cargo.toml", "crates/agent/Cargo.toml", "Cargo.lock", "src/main.rs",
                     "deploy/docker-compose.yml", "k8s/deployment.yaml", ".env",
                     ".env.example", "config/otel.env", "otel-audit.toml"]:
            self.assertTrue(files.search(path), path)
        for path in ["README.md", "src/Cargo.toml.orig", "docs/notes.txt", "rustfmt.toml",
                     "LICENSE"]:
            self.assertFalse(files.search(path), path)

    def test_pre_commit_accepts_the_manifest(self):
        proc = subprocess.run(["pre-commit", "validate-manifest",
                               source(".pre-commit-hooks.yaml")], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


class TryRepo(unittest.TestCase):
    """pre-commit try-repo over a repository with this manifest, in a repository holding a
    fixture, with the built otel-audit on PATH."""

    def setUp(self):
        self.scratch = Scratch(self, "otel-audit-pre-commit")
        hooks = self.scratch("hooks")
        os.makedirs(hooks)
        shutil.copy(source(".pre-commit-hooks.yaml"), hooks)
        git("init", "-q", cwd=hooks)
        git("add", ".", cwd=hooks)
        git("commit", "-q", "-m", "hooks", cwd=hooks)
        self.hooks = hooks

    def try_repo(self, fixture, *args, change=None):
        repo = self.scratch("repo")
        shutil.copytree(source("fixtures", *fixture.split("/")), repo)
        git("init", "-q", cwd=repo)
        git("add", ".", cwd=repo)
        if change:
            git("commit", "-q", "-m", "fixture", cwd=repo)
            with open(os.path.join(repo, change), "a", encoding="utf-8") as f:
                f.write("\nchanged\n")
            git("add", change, cwd=repo)
        env = {**os.environ, "PRE_COMMIT_HOME": self.scratch("cache"), "NO_COLOR": "1",
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "PATH": self.scratch.bin_dir() + os.pathsep + os.environ["PATH"]}
        proc = subprocess.run(["pre-commit", "try-repo", self.hooks, "otel-audit", *args],
                              cwd=repo, env=env, capture_output=True, text=True)
        return proc.returncode, proc.stdout + proc.stderr

    def test_a_no_go_repository_fails_the_commit_with_the_report(self):
        code, out = self.try_repo("ecosystem/policy-engine", "--all-files")
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"otel-audit\.+Failed")
        self.assertIn("deprecated-exporter", out)
        self.assertIn("verdict: NO-GO", out)

    def test_a_repository_that_passes_the_gate_passes(self):
        code, out = self.try_repo("cases/jaeger-propagator", "--all-files")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"otel-audit\.+Passed")

    def test_a_commit_touching_nothing_the_audit_reads_skips_the_hook(self):
        code, out = self.try_repo("ecosystem/policy-engine", change="README.md")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"otel-audit\.+\(no files to check\)Skipped")


if __name__ == "__main__":
    unittest.main()
