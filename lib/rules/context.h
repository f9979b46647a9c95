#pragma once
#include <string>
#include <vector>

#include "model/repository.h"
#include "rules/finding.h"
#include "rules/ruleset.h"

namespace otelaudit {

/// Collects the findings of one repository at the rules' own severities. Policy (severity
/// overrides and the rest) is applied once every finding exists (audit/policy.h).
class Sink {
public:
  explicit Sink(std::string repo) : repo_(std::move(repo)) {}

  /// Records a finding of `rule` at `loc` at `severity`: only where the rule's documented policy
  /// sets a severity other than its default (from the rule data, or by how far behind).
  void emit(std::string_view rule, Severity severity, Location loc, std::string message,
            std::string fix = {}, std::string package = {});
  /// Records a finding at the default severity its family declares.
  void emit(std::string_view rule, Location loc, std::string message, std::string fix = {},
            std::string package = {});

  /// Records a finding built by the rule (for fields the other overloads do not set, such as
  /// `orphan`). The repository is filled in.
  void emit(Finding finding);

  const std::vector<Finding>& findings() const { return findings_; }
  std::vector<Finding> take() { return std::move(findings_); }

private:
  std::string repo_;
  std::vector<Finding> findings_;
};

/// A repository-level rule: a pure function over the model and the rule data.
using RepoRule = void (*)(const RepoModel&, const Ruleset&, Sink&);

} // namespace otelaudit
