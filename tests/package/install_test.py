"""cmake --install: the files land in their places, and an installed prefix moved elsewhere runs
`otel-audit check` from / with its bundled rules, as the build tree's program does; without
them it says where it looked. Nothing in the program names the source or build tree."""
import filecmp
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ["OTEL_AUDIT_SOURCE_DIR"]
BUILD_DIR = os.environ["OTEL_AUDIT_BUILD_DIR"]
BUILT = os.path.join(BUILD_DIR, "bin", "otel-audit")
ECOSYSTEM = sorted(glob.glob(os.path.join(SOURCE_DIR, "fixtures", "ecosystem", "*")))


def run(program, *args, cwd="/", env=None):
    environment = {k: v for k, v in os.environ.items() if k != "OTEL_AUDIT_RULES_DIR"}
    environment.update({"NO_COLOR": "1"}, **(env or {}))
    proc = subprocess.run([program, *args], cwd=cwd, env=environment, capture_output=True,
                          text=True)
    return proc.returncode, proc.stdout, proc.stderr


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.mkdtemp(prefix="otel-audit-install-")
        first = os.path.join(cls.temp, "first")
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", first], check=True,
                       capture_output=True)
        # Moved after installing: nothing may depend on where it was installed.
        cls.prefix = os.path.join(cls.temp, "moved", "elsewhere")
        os.makedirs(os.path.dirname(cls.prefix))
        shutil.move(first, cls.prefix)
        cls.program = os.path.join(cls.prefix, "bin", "otel-audit")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.temp, ignore_errors=True)

    def test_files_are_installed_in_their_standard_places(self):
        p = self.prefix
        self.assertTrue(os.access(self.program, os.X_OK))
        rules = sorted(os.path.relpath(f, os.path.join(SOURCE_DIR, "rules")) for f in
                       glob.glob(os.path.join(SOURCE_DIR, "rules", "**", "*.toml"),
                                 recursive=True))
        self.assertIn(os.path.join("ecosystems", "llm-devops.toml"), rules)
        for rel in rules:
            installed = os.path.join(p, "share", "otel-audit", "rules", rel)
            self.assertTrue(filecmp.cmp(installed, os.path.join(SOURCE_DIR, "rules", rel),
                                        shallow=False), rel)
        schemas = sorted(os.listdir(os.path.join(SOURCE_DIR, "docs", "schema")))
        self.assertEqual(schemas, ["otel-audit-scan-v1.schema.json",
                                   "otel-audit-v1.schema.json"])
        self.assertEqual(sorted(os.listdir(os.path.join(p, "share", "otel-audit", "schema"))),
                         schemas)
        for rel in ["share/man/man1/otel-audit.1",
                    "share/bash-completion/completions/otel-audit",
                    "share/zsh/site-functions/_otel-audit",
                    "share/fish/vendor_completions.d/otel-audit.fish"]:
            self.assertTrue(filecmp.cmp(os.path.join(p, rel), os.path.join(BUILD_DIR, rel),
                                        shallow=False), rel)

    def test_a_moved_prefix_audits_from_root_with_its_bundled_rules(self):
        code, out, err = run(self.program, "check", *ECOSYSTEM, "--format", "json")
        self.assertEqual((code, err), (1, ""))
        self.assertEqual(json.loads(out)["verdict"], "NO-GO")
        # The same report as the build tree's program (reading rules/ of the sources) gives.
        self.assertEqual(run(BUILT, "check", *ECOSYSTEM, "--format", "json"), (code, out, err))
        code, out, _ = run(self.program, "check", *ECOSYSTEM)
        self.assertEqual(code, 1)
        self.assertIn("verdict: NO-GO", out)
        code, out, err = run(self.program, "check", *ECOSYSTEM, "--target", "0.28",
                             "--format", "json", "--fail-on", "none")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(json.loads(out)["target"], "0.28")

    def test_a_link_to_the_program_on_path_finds_the_rules_of_its_prefix(self):
        links = os.path.join(self.temp, "links")
        os.makedirs(links, exist_ok=True)
        link = os.path.join(links, "otel-audit")
        if not os.path.lexists(link):
            os.symlink(self.program, link)
        proc = subprocess.run(["otel-audit", "check", ECOSYSTEM[0], "--fail-on", "none"],
                              cwd="/", capture_output=True, text=True,
                              env={"PATH": links + os.pathsep + os.environ["PATH"]})
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))

    def test_the_rules_directory_given_wins_and_a_missing_one_is_named(self):
        code, _, err = run(self.program, "check", ECOSYSTEM[0], "--rules-dir", "/no/rules")
        self.assertEqual(code, 2)
        self.assertEqual(err, 'otel-audit: error: the rule data directory "/no/rules" '
                              '(--rules-dir) is not a directory\n')
        code, _, err = run(self.program, "scan", ECOSYSTEM[0],
                           env={"OTEL_AUDIT_RULES_DIR": "/no/rules"})
        self.assertEqual(code, 2)
        self.assertEqual(err, 'otel-audit: error: the rule data directory "/no/rules" '
                              '($OTEL_AUDIT_RULES_DIR) is not a directory\n')
        # --rules-dir wins over the environment, which wins over the bundled rules.
        rules = os.path.join(self.prefix, "share", "otel-audit", "rules")
        code, _, err = run(self.program, "check", ECOSYSTEM[0], "--rules-dir", rules,
                           "--fail-on", "none", env={"OTEL_AUDIT_RULES_DIR": "/no/rules"})
        self.assertEqual((code, err), (0, ""))

    def test_without_its_rules_it_names_every_place_it_looked(self):
        bare = os.path.join(self.temp, "bare")
        os.makedirs(os.path.join(bare, "bin"), exist_ok=True)
        program = os.path.join(bare, "bin", "otel-audit")
        shutil.copy(self.program, program)
        for command in (["check", ECOSYSTEM[0]], ["scan", ECOSYSTEM[0]],
                        ["history", SOURCE_DIR]):
            code, out, err = run(program, *command)
            self.assertEqual((code, out), (2, ""), command)
            self.assertEqual(
                err, "otel-audit: error: no rule data directory: --rules-dir and "
                     "$OTEL_AUDIT_RULES_DIR are not set, and "
                     f'"{bare}/share/otel-audit/rules" (../share/otel-audit/rules from the '
                     f'executable "{program}") is not a directory; give --rules-dir DIR or '
                     "set OTEL_AUDIT_RULES_DIR\n")

    def test_no_path_of_the_source_or_build_tree_is_in_the_program(self):
        for program in (BUILT, self.program):
            with open(program, "rb") as f:
                data = f.read()
            # The rule data directory of the sources is never compiled in.
            for path in (os.path.join(SOURCE_DIR, "rules"), os.path.join(BUILD_DIR, "share")):
                self.assertFalse(os.fsencode(path) in data, f"{program} names {path}")
            # Nor any path of the trees, but in a sanitizer build: GCC 12 writes the source
            # locations of ASan and UBSan checks without applying -ffile-prefix-map.
            if b"__asan_init" in data:
                continue
            for tree in (SOURCE_DIR, BUILD_DIR):
                self.assertFalse(os.fsencode(tree) in data, f"{program} names {tree}")

    def test_every_golden_json_document_validates_against_the_installed_schemas(self):
        documents = sorted(glob.glob(os.path.join(SOURCE_DIR, "tests", "golden", "**", "*.json"),
                                     recursive=True))
        self.assertGreaterEqual(len(documents), 3)
        proc = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "tests", "schema",
                                                       "validate.py"),
                               os.path.join(self.prefix, "share", "otel-audit", "schema"),
                               *documents], capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
