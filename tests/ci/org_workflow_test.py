""".github/workflows/org-audit.yml: its structure, and its scan and report jobs run here as
GitHub runs them (tests/ci/gha.py) over the fixture ecosystem, one scan job per repository,
artifacts passed as on GitHub, compared with `otel-audit check` over the same repositories.
Also the GNU parallel recipe of docs/scan.md, run as written."""
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import unittest

import gha
from support import (ECOSYSTEM, Scratch, load_yaml, otel_audit, source, validate_json,
                     validate_sarif)

WORKFLOW = load_yaml(".github", "workflows", "org-audit.yml")
# YAML 1.1 reads the key `on` as true.
TRIGGER = WORKFLOW.get("on", WORKFLOW.get(True))
OWNER = "LLM-Dev-Ops"  # the owner the fixtures' git dependencies name


def names_used(value, context):
    found = set()
    for e in gha.expressions_in(value):
        found.update(re.findall(r"\b" + context + r"\.([A-Za-z0-9_-]+)", e))
    return found


class WorkflowStructure(unittest.TestCase):
    def test_is_a_reusable_workflow_with_declared_inputs_and_secrets(self):
        call = TRIGGER["workflow_call"]
        self.assertEqual(call["inputs"]["repositories"]["type"], "string")
        self.assertTrue(call["inputs"]["repositories"]["required"])
        for name in ("target", "fail-on"):
            self.assertIn(name, call["inputs"])
        self.assertEqual(names_used(WORKFLOW["jobs"], "inputs") - set(call["inputs"]), set())
        self.assertEqual(set(call["inputs"]) - names_used(WORKFLOW["jobs"], "inputs"), set(),
                         "inputs declared but never used")
        self.assertEqual(names_used(WORKFLOW["jobs"], "secrets") - set(call["secrets"]), set())
        for name, spec in call["inputs"].items():
            self.assertTrue(spec.get("description"), name)
        self.assertEqual(call["outputs"]["exit-code"]["value"],
                         "${{ jobs.report.outputs.exit-code }}")

    def test_a_scan_job_per_repository_then_one_report_job(self):
        jobs = WORKFLOW["jobs"]
        self.assertEqual(list(jobs), ["package", "scan", "report"])
        self.assertEqual(jobs["scan"]["needs"], "package")
        self.assertEqual(jobs["scan"]["strategy"]["matrix"]["repository"],
                         "${{ fromJSON(inputs.repositories) }}")
        self.assertFalse(jobs["scan"]["strategy"]["fail-fast"])
        self.assertEqual(jobs["report"]["needs"], "scan")
        for job in jobs.values():
            self.assertEqual(job["container"], "debian:12")

    def test_each_scan_uploads_its_own_artifact_and_the_report_downloads_them_all(self):
        scan_upload = [s for s in WORKFLOW["jobs"]["scan"]["steps"]
                       if s.get("uses", "").startswith("actions/upload-artifact@")]
        self.assertEqual(len(scan_upload), 1)
        name = scan_upload[0]["with"]["name"]
        # Artifacts are immutable: each matrix job needs a name of its own.
        self.assertIn("${{ steps.name.outputs.name }}", name)
        download = [s for s in WORKFLOW["jobs"]["report"]["steps"]
                    if s.get("with", {}).get("pattern")]
        self.assertEqual(len(download), 1)
        self.assertTrue(download[0]["with"]["merge-multiple"])
        self.assertTrue(fnmatch.fnmatch(name.replace("${{ steps.name.outputs.name }}", "x"),
                                        download[0]["with"]["pattern"]))

    def test_steps_use_bash_values_through_env_and_pinned_actions(self):
        self.assertEqual(WORKFLOW["defaults"]["run"]["shell"], "bash")
        for job_name, job in WORKFLOW["jobs"].items():
            ids = set()
            for step in job["steps"]:
                referenced = names_used(step, "steps")
                self.assertEqual(referenced - ids, set(), f"{job_name}: {step}")
                ids.add(step.get("id"))
                if "run" in step:
                    self.assertNotIn("${{", step["run"], f"{job_name}: {step.get('id')}")
                else:
                    self.assertRegex(step["uses"], r"^[\w.-]+/[\w./-]+@v\d+$")
            for output in job.get("outputs", {}).values():
                self.assertEqual(names_used(output, "steps") - ids, set())


class Artifacts:
    """actions/upload-artifact@v4 and download-artifact@v4 between the jobs of one run."""

    def __init__(self, root):
        self.root = root

    def upload(self, values, runner):
        name = values["name"]
        target = os.path.join(self.root, name)
        if os.path.exists(target):
            raise RuntimeError(f"an artifact named {name} exists already (v4 artifacts are "
                               "immutable)")
        os.makedirs(target)
        files = []
        for pattern in values["path"].split("\n"):
            if pattern.strip():
                files += glob.glob(os.path.join(runner.workspace, pattern.strip()))
        if not files:
            raise RuntimeError(f"no files found with the path {values['path']!r}")
        for f in files:
            if os.path.isdir(f):  # a directory's files are the artifact's root
                shutil.copytree(f, target, dirs_exist_ok=True)
            else:
                shutil.copy(f, target)

    def download(self, values, runner):
        destination = os.path.join(runner.workspace, values.get("path", "."))
        if "name" in values:
            names = [values["name"]]
        else:
            names = sorted(n for n in os.listdir(self.root)
                           if fnmatch.fnmatch(n, values["pattern"]))
        if not names or not all(os.path.isdir(os.path.join(self.root, n)) for n in names):
            raise RuntimeError(f"no artifact for {values}")
        for n in names:
            into = destination if values.get("merge-multiple") or "name" in values else \
                os.path.join(destination, n)
            shutil.copytree(os.path.join(self.root, n), into, dirs_exist_ok=True)


class WorkflowRun(unittest.TestCase):
    """The scan and report jobs over the fixture ecosystem. The package job (which builds or
    downloads the .deb) and the steps installing it are left out: the built otel-audit is on
    PATH instead."""

    def run_workflow(self, **inputs):
        scratch = Scratch(self, "otel-audit-org")
        artifacts = Artifacts(scratch("artifacts"))
        os.makedirs(scratch("artifacts", "otel-audit-deb"))
        call = TRIGGER["workflow_call"]
        given = {name: spec.get("default") for name, spec in call["inputs"].items()}
        given["repositories"] = json.dumps([f"{OWNER}/{n}" for n in ECOSYSTEM])
        given.update(inputs)
        path = scratch.bin_dir() + os.pathsep + os.environ["PATH"]

        def checkout(values, runner):
            owner, name = values["repository"].split("/")
            self.assertEqual(owner, OWNER)
            self.assertEqual(values["persist-credentials"], False)
            shutil.copytree(source("fixtures", "ecosystem", name),
                            os.path.join(runner.workspace, values["path"]))

        uses = {"actions/checkout": checkout, "actions/upload-artifact": artifacts.upload,
                "actions/download-artifact": artifacts.download,
                "github/codeql-action/upload-sarif": lambda values, runner: self.sarif_uploads
                .append(values)}
        self.sarif_uploads = []
        github = {"server_url": "https://github.com", "token": "a-token"}

        def job(name, matrix):
            workspace = scratch("jobs", name + "-" + "-".join(matrix.values()))
            os.makedirs(workspace)
            runner = gha.Runner(workspace, {"inputs": given, "matrix": matrix, "github": github,
                                            "secrets": {}, "runner": {"os": "Linux"}},
                                uses, env={"PATH": path, "RUNNER_TEMP": scratch.path},
                                skip={"install"},
                                defaults_shell=WORKFLOW["defaults"]["run"]["shell"])
            runner.run(WORKFLOW["jobs"][name]["steps"])
            return runner

        scan = WORKFLOW["jobs"]["scan"]
        matrices = gha.matrix_combinations(scan["strategy"], {"inputs": given})
        self.assertEqual(len(matrices), len(ECOSYSTEM))
        scans = [job("scan", m) for m in matrices]
        report = job("report", {})
        return scans, report, artifacts

    def test_scan_and_report_judge_the_set_as_check_does(self):
        scans, report, artifacts = self.run_workflow()
        for runner in scans:
            self.assertEqual(runner.status, "success",
                             [(r.id, r.stderr) for r in runner.results])
        results = {r.id: r for r in report.results}
        self.assertEqual(results["report"].outcome, "success", results["report"].stderr)
        self.assertEqual(results["report"].outputs["exit-code"], "1")
        self.assertEqual(results["gate"].code, 1)
        self.assertEqual(report.status, "failure")
        self.assertEqual(self.sarif_uploads, [])  # upload-sarif is off by default

        out = os.path.join(artifacts.root, "otel-audit-report")
        with open(os.path.join(out, "otel-audit.json"), encoding="utf-8") as f:
            merged = json.load(f)
        code, text, _ = otel_audit("check", *[f"fixtures/ecosystem/{n}" for n in ECOSYSTEM],
                                   "--format", "json")
        self.assertEqual(code, 1)
        checked = json.loads(text)
        # The same judgement; only the paths differ (repo/ in each job, the fixtures here).
        for r in merged["repos"] + checked["repos"]:
            r["path"] = None
        self.assertEqual(merged, checked)

        self.assertEqual(validate_sarif(os.path.join(out, "otel-audit.sarif")), (0, ""))
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            summary = f.read()
        self.assertIn("NO-GO", summary)
        with open(report.summary, encoding="utf-8") as f:
            self.assertEqual(f.read(), summary)
        self.assertIn("::error file=", results["report"].stdout)
        # Every document the jobs passed on has the shape its schema gives.
        documents = glob.glob(os.path.join(artifacts.root, "otel-facts-*", "*.json"))
        self.assertEqual(len(documents), len(ECOSYSTEM))
        self.assertEqual(validate_json(source("docs", "schema"), *documents,
                                       os.path.join(out, "otel-audit.json")), (0, ""))

    def test_fail_on_none_passes_and_sarif_is_uploaded_when_asked(self):
        _, report, _ = self.run_workflow(**{"fail-on": "none", "upload-sarif": True})
        results = {r.id: r for r in report.results}
        self.assertEqual(results["report"].outputs["exit-code"], "0")
        self.assertEqual(report.status, "success")
        self.assertEqual(len(self.sarif_uploads), 1)

    def test_a_repository_that_cannot_be_scanned_fails_its_job(self):
        scans, _, _ = self.run_workflow(target="0.99")
        for runner in scans:
            scan = {r.id: r for r in runner.results}["scan"]
            self.assertEqual(scan.code, 2)
            self.assertIn('no rule pack for target "0.99"', scan.stderr)


class ParallelRecipe(unittest.TestCase):
    """The GNU parallel recipe of docs/scan.md, run as written over the fixture ecosystem."""

    def recipe(self):
        with open(source("docs", "scan.md"), encoding="utf-8") as f:
            text = f.read()
        section = text.split("## One machine: GNU parallel", 1)[1]
        return re.search(r"```sh\n(.*?)```", section, re.S).group(1)

    def test_the_recipe_gives_the_report_check_gives(self):
        scratch = Scratch(self, "otel-audit-parallel")
        scratch.copy_fixtures("repos")
        proc = subprocess.run(["bash", "-c", self.recipe()], cwd=scratch.path,
                              capture_output=True, text=True,
                              env={**os.environ, "NO_COLOR": "1",
                                   "PATH": scratch.bin_dir() + os.pathsep + os.environ["PATH"]})
        code, expected, _ = otel_audit("check", *[f"repos/{n}" for n in ECOSYSTEM],
                                       "--format", "markdown", cwd=scratch.path)
        self.assertEqual(proc.returncode, code, proc.stderr)
        self.assertEqual(code, 1)
        self.assertEqual(sorted(os.listdir(scratch("facts"))), [n + ".json" for n in ECOSYSTEM])
        with open(scratch("readiness.md"), encoding="utf-8") as f:
            self.assertEqual(f.read(), expected)


if __name__ == "__main__":
    unittest.main()
