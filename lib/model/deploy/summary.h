#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The per-repository deployment answers the reports show, apart from the deployment family that
// computes them (rules/families/deployment.h), so that report types need not see the rules.

namespace otelaudit::deploy {

/// A yes / no answer that may not apply (no Jaeger, no Kubernetes manifests).
enum class Check { yes, no, not_applicable };
/// "yes", "no", "n/a": how the reports print an answer.
constexpr std::string_view to_string(Check c) {
  switch (c) {
  case Check::yes:
    return "yes";
  case Check::no:
    return "no";
  case Check::not_applicable:
    return "n/a";
  }
  return "n/a";
}

/// The deployment table of one repository in the Markdown report.
struct DeploySummary {
  Check collector_in_path = Check::not_applicable; // no: a service exports straight to Jaeger
  Check jaeger_otlp = Check::not_applicable;       // n.a.: no Jaeger
  Check env_standard = Check::not_applicable;      // n.a.: no .env.example and no own service
  Check k8s_metadata = Check::not_applicable;      // n.a.: no Deployment / StatefulSet
  std::vector<std::string> env_missing;            // union, in rule-data order

  /// True when some answer applies: the repository has deployment files to judge.
  bool applies() const {
    return collector_in_path != Check::not_applicable || jaeger_otlp != Check::not_applicable ||
           env_standard != Check::not_applicable || k8s_metadata != Check::not_applicable;
  }
  friend bool operator==(const DeploySummary&, const DeploySummary&) = default;
};

} // namespace otelaudit::deploy
