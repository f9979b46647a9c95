"""The expression evaluator of tests/ci/gha.py behaves as GitHub's on what the workflow files
use: a wrong evaluator would let the action and workflow tests pass on conditions GitHub reads
differently."""
import unittest

import gha

CONTEXT = {"inputs": {"paths": ".", "flag": True, "empty": ""},
           "steps": {"audit": {"outputs": {"exit-code": "1", "sarif": "/tmp/x.sarif"}},
                     "failed": {"outputs": {}}},
           "matrix": {"repository": "org/name"}}


def ev(expression, status="success"):
    return gha.evaluate(expression, CONTEXT, status)


class Expressions(unittest.TestCase):
    def test_a_missing_output_equals_the_empty_string(self):
        self.assertIs(ev("steps.failed.outputs.sarif == ''"), True)
        self.assertIs(ev("steps.failed.outputs.sarif != ''"), False)
        self.assertIs(ev("steps.audit.outputs.sarif != ''"), True)

    def test_strings_compare_ignoring_case_and_mixed_types_as_numbers(self):
        self.assertIs(ev("'Build' == 'build'"), True)
        self.assertIs(ev("steps.audit.outputs.exit-code == 1"), True)
        self.assertIs(ev("inputs.flag == 'true'"), False)  # true is 1, 'true' is NaN
        self.assertIs(ev("inputs.flag == true"), True)

    def test_and_or_not_return_operands_and_status_functions_follow_the_job(self):
        self.assertEqual(ev("inputs.empty || inputs.paths"), ".")
        self.assertEqual(ev("inputs.paths && inputs.empty"), "")
        self.assertIs(ev("!inputs.empty"), True)
        self.assertIs(ev("always() && inputs.flag", status="failure"), True)
        self.assertIs(ev("success()", status="failure"), False)
        self.assertIs(ev("failure()", status="failure"), True)

    def test_interpolation_and_functions(self):
        self.assertEqual(gha.interpolate("x-${{ matrix.repository }}-${{ inputs.paths }}",
                                         CONTEXT), "x-org/name-.")
        self.assertEqual(gha.interpolate("${{ fromJSON('[\"a\", \"b\"]') }}", CONTEXT),
                         ["a", "b"])
        self.assertEqual(gha.interpolate("${{ inputs.flag }}", CONTEXT), True)
        self.assertEqual(gha.interpolate("v=${{ inputs.flag }}", CONTEXT), "v=true")

    def test_unknown_contexts_and_functions_are_errors(self):
        with self.assertRaises(gha.ExpressionError):
            ev("vars.name")
        with self.assertRaises(gha.ExpressionError):
            ev("hashFiles('x')")

    def test_expressions_in_finds_bare_conditions(self):
        self.assertEqual(sorted(gha.expressions_in({"if": "inputs.a == ''",
                                                    "with": {"x": "${{ inputs.b }}"}})),
                         ["inputs.a == ''", "inputs.b"])


if __name__ == "__main__":
    unittest.main()
