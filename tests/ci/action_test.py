"""action.yml: its metadata is consistent, and its steps, run here as GitHub runs them (tests/ci/
gha.py) with the built otel-audit, audit the fixture ecosystem: the report, the SARIF upload, the
job summary and the gate's exit code."""
import json
import os
import re
import subprocess
import unittest

import gha
from support import BINARY, SOURCE_DIR, Scratch, load_yaml, otel_audit, source, validate_sarif

ACTION = load_yaml("action.yml")


def expression_names(expressions, context):
    """The `context.name` references (inputs.paths, steps.audit) in the expressions."""
    names = set()
    for e in expressions:
        names.update(re.findall(r"\b" + context + r"\.([A-Za-z0-9_-]+)", e))
    return names


class ActionMetadata(unittest.TestCase):
    def test_is_a_composite_action_with_a_name_and_description(self):
        self.assertEqual(ACTION["runs"]["using"], "composite")
        self.assertTrue(ACTION["name"])
        self.assertTrue(ACTION["description"])

    def test_every_input_used_is_declared_and_every_declared_input_is_used(self):
        used = expression_names(gha.expressions_in(ACTION["runs"]) +
                                gha.expressions_in(ACTION["outputs"]), "inputs")
        declared = set(ACTION["inputs"])
        self.assertEqual(used - declared, set(), "inputs used but not declared")
        self.assertEqual(declared - used, set(), "inputs declared but never used")
        for name, spec in ACTION["inputs"].items():
            self.assertTrue(spec.get("description"), name)
            self.assertIn("default", spec, name)
            self.assertIsInstance(spec["default"], str, name)

    def test_steps_refer_only_to_earlier_steps_and_outputs_to_existing_ones(self):
        seen = set()
        for step in ACTION["runs"]["steps"]:
            referenced = expression_names(gha.expressions_in(step), "steps")
            self.assertEqual(referenced - seen, set(), f"step {step.get('id')}")
            self.assertNotIn(step.get("id"), seen, "step ids are unique")
            seen.add(step.get("id"))
        referenced = expression_names(gha.expressions_in(ACTION["outputs"]), "steps")
        self.assertEqual(referenced - seen, set())

    def test_run_steps_use_bash_take_values_through_env_and_call_the_script(self):
        with open(source("scripts", "action-run.sh"), encoding="utf-8") as f:
            script = f.read()
        for step in ACTION["runs"]["steps"]:
            if "run" not in step:
                self.assertRegex(step["uses"], r"^[\w.-]+/[\w./-]+@v\d+$")
                continue
            self.assertEqual(step.get("shell"), "bash", step["id"])
            # An expression inside a script would be pasted into it unquoted: values go
            # through env: instead.
            self.assertNotIn("${{", step["run"], step["id"])
            m = re.search(r"action-run\.sh\" (\w+)", step["run"])
            if m:
                self.assertRegex(script, r"\n" + m.group(1) + r"\) " + m.group(1) + " ;;")

    def test_the_gate_is_the_last_step_and_exits_with_the_audit_exit_code(self):
        gate = ACTION["runs"]["steps"][-1]
        self.assertEqual(gate["env"]["EXIT_CODE"], "${{ steps.audit.outputs.exit-code }}")
        self.assertEqual(gate["run"].strip(), 'exit "$EXIT_CODE"')

    def test_the_summary_format_is_set_in_one_place(self):
        with open(source("scripts", "action-run.sh"), encoding="utf-8") as f:
            script = f.read()
        self.assertEqual(len(re.findall(r"^SUMMARY_FORMAT=", script, re.M)), 1)
        self.assertIn('--format "$SUMMARY_FORMAT"', script)


class ActionRun(unittest.TestCase):
    """The action's steps over a workspace holding the fixture ecosystem under repos/."""

    def run_action(self, files=None, **inputs):
        scratch = Scratch(self, "otel-audit-action")
        workspace = os.path.dirname(scratch.copy_fixtures("workspace/repos"))
        for name, text in (files or {}).items():
            with open(os.path.join(workspace, name), "w", encoding="utf-8") as f:
                f.write(text)
        temp = scratch("runner-temp")
        os.makedirs(temp)
        given = {name: spec["default"] for name, spec in ACTION["inputs"].items()}
        given.update({"otel-audit": BINARY, "paths": "repos/*"})
        given.update(inputs)
        self.uploads = []
        self.caches = []

        def upload_sarif(values, runner):
            self.assertTrue(os.path.isfile(values["sarif_file"]), values)
            self.uploads.append(values)

        def cache(values, runner):
            self.caches.append(values)
            return {"cache-hit": "false"}

        context = {"inputs": given, "github": {"action_path": SOURCE_DIR, "workspace": workspace},
                   "runner": {"temp": temp, "os": "Linux"}}
        runner = gha.Runner(workspace, context,
                            {"github/codeql-action/upload-sarif": upload_sarif,
                             "actions/cache": cache},
                            env={"GITHUB_ACTION_PATH": SOURCE_DIR, "RUNNER_TEMP": temp})
        results = {r.id: r for r in runner.run(ACTION["runs"]["steps"])}
        self.workspace = workspace
        return runner, results

    def test_a_failing_gate_reports_uploads_sarif_summarises_and_fails_with_exit_1(self):
        runner, steps = self.run_action(format="json")
        self.assertEqual(steps["prepare"].outputs["mode"], "given")
        self.assertTrue(steps["cache"].skipped)
        self.assertEqual(self.caches, [])
        audit = steps["audit"]
        self.assertEqual(audit.outcome, "success", audit.stderr)
        self.assertEqual(audit.outputs["exit-code"], "1")
        # The report: what `otel-audit check` gives for the same repositories, also in the log.
        code, expected, _ = otel_audit("check", *[f"repos/{n}" for n in sorted(os.listdir(
            os.path.join(self.workspace, "repos")))], "--format", "json", cwd=self.workspace)
        self.assertEqual(code, 1)
        with open(audit.outputs["report"], encoding="utf-8") as f:
            self.assertEqual(f.read(), expected)
        self.assertIn(expected, audit.stdout)
        self.assertEqual(json.loads(expected)["verdict"], "NO-GO")
        # SARIF uploaded, valid.
        self.assertEqual(len(self.uploads), 1)
        self.assertEqual(self.uploads[0]["sarif_file"], audit.outputs["sarif"])
        self.assertEqual(self.uploads[0]["category"], "otel-audit")
        self.assertEqual(validate_sarif(audit.outputs["sarif"]), (0, ""))
        # The job summary: the Markdown report.
        _, markdown, _ = otel_audit("check", *[f"repos/{n}" for n in sorted(os.listdir(
            os.path.join(self.workspace, "repos")))], "--format", "markdown", cwd=self.workspace)
        with open(runner.summary, encoding="utf-8") as f:
            self.assertEqual(f.read(), markdown)
        # The gate fails the job with otel-audit's exit code.
        self.assertEqual(steps["gate"].outcome, "failure")
        self.assertEqual(steps["gate"].code, 1)
        self.assertEqual(runner.status, "failure")

    def test_fail_on_none_passes_the_gate(self):
        runner, steps = self.run_action(**{"fail-on": "none"})
        self.assertEqual(steps["audit"].outputs["exit-code"], "0")
        self.assertIn("verdict: NO-GO", steps["audit"].stdout)
        self.assertEqual(steps["gate"].outcome, "success")
        self.assertEqual(runner.status, "success")
        self.assertEqual(len(self.uploads), 1)

    def test_args_reach_otel_audit_and_sarif_upload_can_be_turned_off(self):
        runner, steps = self.run_action(**{"fail-on": "none", "args": "--min-score 100  -q",
                                           "upload-sarif": "false"})
        self.assertEqual(steps["audit"].stderr, "")  # -q
        self.assertEqual(steps["audit"].outputs["exit-code"], "1")
        self.assertTrue(steps["upload-sarif"].skipped)
        self.assertEqual(self.uploads, [])
        self.assertEqual(steps["gate"].code, 1)

    def test_the_config_decides_the_gate_when_fail_on_is_empty_and_target_is_passed_on(self):
        config = '[policy]\nfail-on = "none"\n'
        runner, steps = self.run_action(config="audit.toml", files={"audit.toml": config})
        self.assertEqual(steps["audit"].outputs["exit-code"], "0")
        self.assertEqual(runner.status, "success")
        runner, steps = self.run_action(config="no-such.toml")
        self.assertEqual(steps["audit"].code, 2)
        runner, steps = self.run_action(paths="repos/shield", target="0.28", format="json")
        with open(steps["audit"].outputs["report"], encoding="utf-8") as f:
            self.assertEqual(json.load(f)["target"], "0.28")

    def test_an_audit_that_cannot_run_fails_with_its_code_and_says_so_in_the_summary(self):
        runner, steps = self.run_action(paths="repos/no-such-repo")
        audit = steps["audit"]
        self.assertEqual(audit.outcome, "failure")
        self.assertEqual(audit.code, 2)
        self.assertEqual(audit.outputs["exit-code"], "2")
        self.assertIn('repository path "repos/no-such-repo" does not exist', audit.stderr)
        with open(runner.summary, encoding="utf-8") as f:
            self.assertIn("otel-audit could not audit (exit code 2)", f.read())
        self.assertTrue(steps["upload-sarif"].skipped)
        self.assertTrue(steps["gate"].skipped)
        self.assertEqual(runner.status, "failure")

    def test_an_otel_audit_input_that_is_not_a_program_stops_at_prepare(self):
        runner, steps = self.run_action(**{"otel-audit": "/nonexistent/otel-audit"})
        self.assertEqual(steps["prepare"].code, 2)
        self.assertIn('the otel-audit input "/nonexistent/otel-audit" is not an executable',
                      steps["prepare"].stdout)
        self.assertTrue(steps["audit"].skipped)


class ActionBuildKey(unittest.TestCase):
    """Without otel-audit or a .deb, the action builds this checkout, cached under a key."""

    def prepare(self, **env):
        scratch = Scratch(self, "otel-audit-key")
        output = scratch("output")
        open(output, "w").close()
        proc = subprocess.run([source("scripts", "action-run.sh"), "prepare"], capture_output=True,
                              text=True, env={**os.environ, "GITHUB_OUTPUT": output,
                                              "RUNNER_TEMP": scratch.path, **env})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return gha._read_outputs(output), scratch.path

    def test_the_key_names_the_runner_image_and_changes_with_it(self):
        first, temp = self.prepare(ImageOS="ubuntu24", ImageVersion="20250101.1")
        self.assertEqual(first["mode"], "build")
        self.assertEqual(first["prefix"], os.path.join(temp, "otel-audit-prefix"))
        self.assertRegex(first["cache-key"],
                         r"^otel-audit-ubuntu24-20250101\.1-[\w]+-[0-9a-f]{8}-[0-9a-f]{16}$")
        second, _ = self.prepare(ImageOS="ubuntu24", ImageVersion="20250202.1")
        self.assertNotEqual(first["cache-key"].split("-")[-1], "")
        self.assertNotEqual(first["cache-key"], second["cache-key"])
        # The sources' part is the same for the same sources.
        self.assertEqual(first["cache-key"].split("-")[-1], second["cache-key"].split("-")[-1])


if __name__ == "__main__":
    unittest.main()
