"""Runs the steps of a GitHub Actions composite action or workflow job on this machine.

Enough of GitHub Actions for the tests of action.yml and .github/workflows/*.yml: `${{ }}`
expressions (contexts, literals, ==, !=, &&, ||, !, always(), success(), failure(),
fromJSON(), toJSON()), `if:` conditions, `env:`, `working-directory:`, bash `run:` steps with
$GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY and $GITHUB_ENV, and `uses:` steps handed to stand-ins the
test provides (a checkout copies a fixture, an artifact upload stores files). Anything else is an
error, so a workflow that needs more than the stand-ins fails its test instead of passing
unexamined.
"""
import itertools
import json
import os
import re
import subprocess
import tempfile

# --- Expressions ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|&&|\|\||<=|>=|[!()<>,\[\]])
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*)
    )""", re.VERBOSE)


class ExpressionError(Exception):
    """An expression the runner does not understand."""


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot read expression at {text[pos:]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def truthy(value):
    return value not in (None, False, 0, "") and value != 0.0


def to_string(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def _to_number(value):
    kind = _kind(value)
    if kind == "null":
        return 0
    if kind == "boolean":
        return 1 if value else 0
    if kind == "number":
        return value
    if kind == "string":
        text = value.strip()
        if text == "":
            return 0
        try:
            return int(text, 16) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return float("nan")
    return float("nan")


def _equal(a, b):
    """GitHub's ==: strings ignoring case; values of different types compared as numbers
    (null and '' are 0, so a missing output equals '')."""
    if _kind(a) != _kind(b):
        return _to_number(a) == _to_number(b)
    if _kind(a) == "string":
        return a.casefold() == b.casefold()
    if _kind(a) == "object":
        return a is b
    return a == b


class _Parser:
    def __init__(self, text, context, status):
        self.tokens = _tokens(text)
        self.i = 0
        self.context = context
        self.status = status  # "success" or "failure": the job so far

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise ExpressionError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self):
        value = self.or_()
        if self.i != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()[1]!r}")
        return value

    def or_(self):
        value = self.and_()
        while self.peek()[1] == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self):
        value = self.compare()
        while self.peek()[1] == "&&":
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self):
        value = self.unary()
        while self.peek()[1] in ("==", "!="):
            op = self.take()[1]
            right = self.unary()
            value = _equal(value, right) if op == "==" else not _equal(value, right)
        return value

    def unary(self):
        if self.peek()[1] == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text) if "." in text else int(text)
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek()[1] == "(":
            self.take("(")
            args = []
            while self.peek()[1] != ")":
                args.append(self.or_())
                if self.peek()[1] == ",":
                    self.take(",")
            self.take(")")
            return self.call(text, args)
        return self.lookup(text)

    def call(self, name, args):
        if name == "always":
            return True
        if name == "success":
            return self.status == "success"
        if name == "failure":
            return self.status == "failure"
        if name == "cancelled":
            return False
        if name == "fromJSON":
            return json.loads(to_string(args[0]))
        if name == "toJSON":
            return json.dumps(args[0])
        raise ExpressionError(f"no function {name}() here")

    def lookup(self, path):
        parts = path.split(".")
        if parts[0] not in self.context:
            raise ExpressionError(f"no context {parts[0]!r} here (in {path})")
        value = self.context
        for part in parts:
            value = value.get(part) if isinstance(value, dict) else None
        return value


def evaluate(expression, context, status="success"):
    """The value of one expression (without the ${{ }})."""
    return _Parser(expression, context, status).parse()


_INTERPOLATION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def interpolate(text, context, status="success"):
    """`text` with each ${{ expression }} replaced by its value as a string; a whole-string
    expression keeps its type (a list stays a list, as GitHub does for matrix values)."""
    if not isinstance(text, str):
        return text
    whole = _INTERPOLATION.fullmatch(text.strip())
    if whole and "}}" not in whole.group(1):
        return evaluate(whole.group(1), context, status)
    return _INTERPOLATION.sub(lambda m: to_string(evaluate(m.group(1), context, status)), text)


def expressions_in(value):
    """Every ${{ }} expression text anywhere in a loaded YAML value."""
    if isinstance(value, str):
        return [m.group(1).strip() for m in _INTERPOLATION.finditer(value)]
    if isinstance(value, dict):
        found = []
        for k, v in value.items():
            # A condition is an expression with or without ${{ }}.
            if k == "if" and isinstance(v, str) and "${{" not in v:
                found.append(v.strip())
            else:
                found += expressions_in(k) + expressions_in(v)
        return found
    if isinstance(value, list):
        return [e for v in value for e in expressions_in(v)]
    return []


# --- Steps -------------------------------------------------------------------------------------


def _read_outputs(path):
    outputs = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            value = []
            while i < len(lines) and lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            i += 1
            outputs[key] = "\n".join(value)
        else:
            key, value = line.split("=", 1)
            outputs[key] = value
    return outputs


class StepResult:
    """What one step did: skipped or not, its outcome, its outputs and what it printed."""

    def __init__(self, step_id, skipped=False, outcome="success", outputs=None, stdout="",
                 stderr="", code=0):
        self.id, self.skipped, self.outcome = step_id, skipped, outcome
        self.outputs = outputs or {}
        self.stdout, self.stderr, self.code = stdout, stderr, code


class Runner:
    """Runs a list of steps like one job (or one composite action) of GitHub Actions.

    `context`: the expression contexts (inputs, matrix, github, runner, secrets, …); `steps` is
    added. `uses`: action name (without @ref) -> function(with_values, runner) returning its
    outputs, raising to fail the step. `skip`: step ids not to run (the installation of otel-audit,
    which the test replaces by putting a built one on PATH).
    """

    def __init__(self, workspace, context, uses, env=None, skip=(), defaults_shell=None):
        self.workspace = workspace
        self.context = dict(context)
        self.context.setdefault("env", {})
        self.context["steps"] = {}
        self.uses = uses
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.skip = set(skip)
        self.defaults_shell = defaults_shell
        self.status = "success"
        self.results = []
        self.temp = tempfile.mkdtemp(prefix="gha-", dir=env.get("RUNNER_TEMP") if env else None)
        self.summary = os.path.join(self.temp, "step-summary.md")
        open(self.summary, "w").close()

    def run(self, steps):
        for index, step in enumerate(steps):
            self.results.append(self.run_step(index, step))
        return self.results

    def run_step(self, index, step):
        step_id = step.get("id", f"__step{index}")
        condition = step.get("if", "success()")
        if isinstance(condition, str):
            condition = condition.strip()
            inner = _INTERPOLATION.fullmatch(condition)
            condition = inner.group(1) if inner and "}}" not in inner.group(1) else condition
            # A condition without a status function runs only after success, as on GitHub.
            if not re.search(r"\b(always|success|failure|cancelled)\(", condition):
                condition = f"success() && ({condition})"
            run = truthy(evaluate(condition, self.context, self.status))
        else:
            run = bool(condition) and self.status == "success"
        if not run or step_id in self.skip:
            result = StepResult(step_id, skipped=True, outcome="skipped")
            self.context["steps"][step_id] = {"outputs": {}, "outcome": "skipped",
                                              "conclusion": "skipped"}
            return result
        if "uses" in step:
            result = self.run_uses(step_id, step)
        elif "run" in step:
            result = self.run_shell(step_id, step)
        else:
            raise ExpressionError(f"step {step_id} neither uses an action nor runs a command")
        self.context["steps"][step_id] = {"outputs": result.outputs, "outcome": result.outcome,
                                          "conclusion": result.outcome}
        if result.outcome == "failure" and not step.get("continue-on-error", False):
            self.status = "failure"
        return result

    def run_uses(self, step_id, step):
        name = step["uses"].split("@", 1)[0]
        if name not in self.uses:
            raise ExpressionError(f"no local stand-in for the action {step['uses']}")
        values = {k: interpolate(v, self.context, self.status)
                  for k, v in (step.get("with") or {}).items()}
        try:
            outputs = self.uses[name](values, self) or {}
        except Exception as error:  # the stand-in's failure is the step's failure
            return StepResult(step_id, outcome="failure", stderr=str(error), code=1)
        return StepResult(step_id, outputs={k: to_string(v) for k, v in outputs.items()})

    def run_shell(self, step_id, step):
        shell = step.get("shell", self.defaults_shell)
        if shell != "bash":
            raise ExpressionError(f"step {step_id}: only `shell: bash` runs here, not {shell!r}")
        env = dict(self.env)
        env.update({k: to_string(interpolate(v, self.context, self.status))
                    for k, v in (self.context.get("env") or {}).items()})
        env.update({k: to_string(interpolate(v, self.context, self.status))
                    for k, v in (step.get("env") or {}).items()})
        output = os.path.join(self.temp, f"output-{step_id}")
        open(output, "w").close()
        script = os.path.join(self.temp, f"script-{step_id}.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(interpolate(step["run"], self.context, self.status))
        env.update({"GITHUB_OUTPUT": output, "GITHUB_STEP_SUMMARY": self.summary,
                    "GITHUB_WORKSPACE": self.workspace, "CI": "true", "GITHUB_ACTIONS": "true"})
        cwd = self.workspace
        if "working-directory" in step:
            cwd = os.path.join(self.workspace,
                               interpolate(step["working-directory"], self.context, self.status))
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                              cwd=cwd, env=env, capture_output=True, text=True)
        return StepResult(step_id, outcome="success" if proc.returncode == 0 else "failure",
                          outputs=_read_outputs(output), stdout=proc.stdout, stderr=proc.stderr,
                          code=proc.returncode)


def matrix_combinations(strategy, context):
    """The matrix of a job's `strategy`, expanded: one dict per job (no include/exclude)."""
    # A matrix given as one expression (matrix: ${{ fromJSON(…) }}) evaluates to its mapping.
    matrix = interpolate((strategy or {}).get("matrix", {}), context)
    keys, lists = [], []
    for key, values in matrix.items():
        if key in ("include", "exclude"):
            raise ExpressionError("matrix include/exclude is not supported here")
        values = interpolate(values, context)
        keys.append(key)
        lists.append(values if isinstance(values, list) else [values])
    return [dict(zip(keys, combo)) for combo in itertools.product(*lists)]
