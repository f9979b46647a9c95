"""The Debian package: CPack builds it, its control data declares the packages of every shared
library the program loads, it holds the program, the rules, the schemas, the man page and the
completions under /usr, and its program, unpacked with dpkg-deb -x into a temporary root, audits
the fixture ecosystem from another directory."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ["OTEL_AUDIT_SOURCE_DIR"]
BUILD_DIR = os.environ["OTEL_AUDIT_BUILD_DIR"]
ECOSYSTEM = sorted(glob.glob(os.path.join(SOURCE_DIR, "fixtures", "ecosystem", "*")))


def output(*command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def package_of(library):
    """The installed package holding `library`, by any of its names (/lib and /usr/lib are one
    directory on a merged-/usr system, and dpkg knows only the name the package shipped)."""
    names = []
    for path in (library, os.path.realpath(library)):
        names += [path, path[4:] if path.startswith("/usr/") else "/usr" + path]
    for name in names:
        proc = subprocess.run(["dpkg", "-S", name], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":")[0]
    return None


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.mkdtemp(prefix="otel-audit-deb-")
        output("cpack", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-G", "DEB",
               "-B", os.path.join(cls.temp, "package"))
        debs = glob.glob(os.path.join(cls.temp, "package", "*.deb"))
        assert len(debs) == 1, debs
        cls.deb = debs[0]
        cls.root = os.path.join(cls.temp, "root")
        output("dpkg-deb", "-x", cls.deb, cls.root)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.temp, ignore_errors=True)

    def field(self, name):
        return output("dpkg-deb", "-f", self.deb, name).strip()

    def test_control_data(self):
        self.assertEqual(self.field("Package"), "otel-audit")
        self.assertRegex(self.field("Version"), r"^\d+\.\d+\.\d+(-\d+)?$")
        self.assertEqual(self.field("Architecture"), output("dpkg", "--print-architecture").strip())
        self.assertTrue(self.field("Maintainer"))
        self.assertIn("OpenTelemetry", self.field("Description"))
        self.assertEqual(os.path.basename(self.deb),
                         f"otel-audit_{self.field('Version')}_{self.field('Architecture')}.deb")

    def test_depends_names_the_package_of_every_library_the_program_loads(self):
        depends = {re.split(r"[ (]", d.strip())[0] for d in self.field("Depends").split(",")}
        program = os.path.join(self.root, "usr", "bin", "otel-audit")
        # The libraries it links directly (its NEEDED entries), where the loader finds them.
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", output("readelf", "-d",
                                                                                 program))
        found = dict(re.findall(r"^\s*(\S+) => (/\S+)", output("ldd", program), re.M))
        self.assertTrue(any(n.startswith("libgit2") for n in needed), needed)
        for library in (found[n] for n in needed):
            owner = package_of(library)
            self.assertIsNotNone(owner, library)
            self.assertIn(owner, depends, library)
        for package in ("libgit2-1.5", "libfmt9", "libyaml-cpp0.7", "libtomlplusplus3",
                        "libstdc++6", "libc6"):
            self.assertIn(package, depends)

    def test_contents_under_usr(self):
        listing = output("dpkg-deb", "-c", self.deb)
        for path in ["./usr/bin/otel-audit", "./usr/share/otel-audit/rules/otel-0.27.toml",
                     "./usr/share/otel-audit/rules/ecosystems/llm-devops.toml",
                     "./usr/share/otel-audit/schema/otel-audit-v1.schema.json",
                     "./usr/share/otel-audit/schema/otel-audit-scan-v1.schema.json",
                     "./usr/share/man/man1/otel-audit.1",
                     "./usr/share/bash-completion/completions/otel-audit",
                     "./usr/share/zsh/site-functions/_otel-audit",
                     "./usr/share/fish/vendor_completions.d/otel-audit.fish"]:
            self.assertIn(" " + path + "\n", listing)
        for line in listing.splitlines():
            path = line.split()[5]
            self.assertTrue(path == "./" or path.startswith("./usr/"), line)

    def test_the_unpacked_program_audits_from_another_directory(self):
        elsewhere = os.path.join(self.temp, "elsewhere")
        os.makedirs(elsewhere, exist_ok=True)
        program = os.path.join(self.root, "usr", "bin", "otel-audit")
        env = {k: v for k, v in os.environ.items() if k != "OTEL_AUDIT_RULES_DIR"}
        env["NO_COLOR"] = "1"
        proc = subprocess.run([program, "check", *ECOSYSTEM], cwd=elsewhere, env=env,
                              capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stderr), (1, ""))
        self.assertIn("verdict: NO-GO", proc.stdout)
        proc = subprocess.run([program, "check",
                               os.path.join(SOURCE_DIR, "fixtures", "cases", "jaeger-propagator")],
                              cwd=elsewhere, env=env, capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertIn("verdict: GO", proc.stdout)
        proc = subprocess.run([program, "--version"], cwd=elsewhere, capture_output=True,
                              text=True)
        self.assertEqual(proc.stdout, f"otel-audit {self.field('Version').split('-')[0]}\n")


if __name__ == "__main__":
    unittest.main()
