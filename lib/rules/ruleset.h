#pragma once
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cargo/semver.h"
#include "common/location.h"
#include "rules/finding.h"

namespace otelaudit {

/// One OpenTelemetry release line and the version of each crate released for it
/// (before 0.25 the companion crates had numbers of their own: otlp 0.14 is the 0.21 line).
struct LineInfo {
  std::string line; // "0.21"
  std::map<std::string, std::string>
      crates;         // crate -> its line version, e.g. "opentelemetry-otlp" -> "0.14"
  std::string bridge; // the tracing-opentelemetry line built for it, e.g. "0.22"
  std::map<std::string, std::vector<std::string>> default_features; // crate -> its default features
};

/// A feature set a crate of the line must enable.
struct FeatureRequirement {
  std::string crate;
  std::vector<std::string> features;
  Severity severity = Severity::high;
  /// When not empty, the requirement applies only to packages whose production code calls one
  /// of these (`.with_tonic()` needs grpc-tonic), judged with the target line's defaults: what
  /// the package will have once its requirement is raised to the target.
  std::vector<std::string> when_calls;
};

/// A crate that must be replaced, and with what.
struct DeprecatedCrate {
  std::string crate;
  std::string replacement; // e.g. "opentelemetry-otlp"
  std::string reason;
  std::string fix; // the manifest line to write instead
  Severity severity = Severity::blocker;
};

/// A crate that is not OpenTelemetry's but should move with it (metrics, tracing-subscriber).
struct Companion {
  std::string crate;
  std::string version; // canonical requirement, e.g. "0.24"
  std::vector<std::string> features;
  Severity severity = Severity::low;
};

/// An API that stops compiling at some release: what the source scan looks for and what to
/// write instead (rules/api-changes.toml).
struct ApiChange {
  std::string identifier;      // "new_pipeline"
  std::string path;            // "opentelemetry_otlp::new_pipeline"; empty for a method entry
  std::string method;          // "with_batch_exporter"; empty for a path entry
  std::vector<std::string> on; // method entries: judged only in files that name one of these
                               // paths (what the method is called on); empty: every file
  int args = -1;               // the argument count that breaks; -1 when any count does
  std::string crate;           // the crate that owns it, e.g. "opentelemetry-otlp"
  std::string breaks;          // the line where it stops compiling, e.g. "0.27"
  std::string replacement;
  Severity severity = Severity::high;
  std::string source; // where the break is documented
};

/// The ecosystem's telemetry conventions the source rules judge code against
/// (rules/conventions.toml). Empty vectors mean the file was not read: rules then do nothing.
struct Conventions {
  bool loaded = false;
  // [service-name]
  std::string service_name_pattern;   // "llm.{component}[.{subcomponent}]", for messages
  std::string service_name_namespace; // "llm": the first level
  std::string service_name_separator; // "."
  int service_name_max_levels = 3;    // levels including the namespace
  // [resource]
  std::vector<std::string> required_resource;                       // "service.version", ...
  std::map<std::string, std::vector<std::string>> resource_aliases; // key -> accepted other names
  std::vector<std::string> recommended_resource;
  std::vector<std::string> resource_constructors; // "Resource::builder", ...
  // [environment]
  std::vector<std::string> required_env, optional_env, standard_env;
  std::vector<std::string> standard_env_prefixes; // "OTEL_"
  std::vector<std::string> build_env_prefixes;    // "CARGO_": set by Cargo for the compiler
  std::vector<std::string> build_env;             // "OUT_DIR": likewise, by name
  // [propagation]
  std::vector<std::string> propagation_identifiers; // "TraceContextPropagator", ...
  std::vector<std::string> exporter_crates;         // crates whose declaration means "exports"
  std::vector<std::string> exporter_calls;          // calls that build a trace exporter
  // [http]
  std::vector<std::string> http_crates;      // "axum", "actix-web", ...
  std::string request_id_header;             // "x-request-id"
  std::vector<std::string> request_id_calls; // calls that set or forward it: "x_request_id"
  std::string span_name_pattern;             // "{METHOD} {route}", for messages
  std::vector<std::string> http_methods;     // "GET", "POST", ...
  // [jaeger]
  std::vector<int> jaeger_agent_ports;          // 6831, 6832
  std::vector<std::string> jaeger_code_paths;   // "opentelemetry_jaeger"
  std::vector<std::string> jaeger_env_prefixes; // "JAEGER_AGENT_"
  std::string jaeger_replacement;               // the OTLP code to write instead
};

/// The readiness model's numbers (rules/scoring.toml): the points each severity costs the score
/// and the hours one finding takes to resolve. `loaded` is false when the file was not read
/// (rulesets parsed from strings in tests); then nothing costs points or hours.
struct ScoringModel {
  bool loaded = false;
  std::array<int, 5> penalty{};             // indexed by Severity
  std::array<double, 5> default_hours{};    // indexed by Severity; info is always 0
  std::map<std::string, double> rule_hours; // rule id -> hours for one of its findings

  /// Points a finding of `severity` costs its repository's score.
  int penalty_of(Severity severity) const { return penalty[static_cast<std::size_t>(severity)]; }
  /// Hours to resolve one finding of `rule` at `severity`: none for info (orphan files, notes),
  /// else the rule's estimate, else the severity's default.
  double hours(std::string_view rule, Severity severity) const;
};

/// The rule data: the canonical set of one target line plus the history of all known lines.
/// Loaded from rules/otel-lines.toml and rules/otel-<target>.toml; rules never hard-code these.
struct Ruleset {
  std::string target;             // "0.27"
  std::vector<std::string> files; // data files read, for messages
  std::vector<LineInfo> lines;    // every known line, oldest first; includes target
  std::map<std::string, std::string>
      latest; // crate -> newest release of the target line ("0.27.1")
  std::vector<FeatureRequirement> required_features;
  std::vector<DeprecatedCrate> deprecated;
  std::vector<Companion> companions;
  std::map<std::string, std::string> misspellings; // "opentelemetry-sdk" -> "opentelemetry_sdk"
  std::vector<std::string> tracing_crates; // crates that show a repository traces ("tracing")
  std::string bridge_crate = "tracing-opentelemetry";
  int blocker_lines_behind = 2;       // a crate this many lines (or more) behind is a blocker
  std::vector<ApiChange> api_changes; // from api-changes.toml; empty when not read
  Conventions conventions;            // from conventions.toml; `loaded` false when not read
  ScoringModel scoring;               // from scoring.toml; `loaded` false when not read

  const LineInfo& target_line() const;
  const LineInfo* find_line(std::string_view line) const;
  /// Position of a line in `lines` (older is smaller); nullopt when unknown.
  std::optional<int> line_index(std::string_view line) const;
  /// True for crates listed in any line (opentelemetry, opentelemetry_sdk, -otlp, …).
  bool is_otel_crate(std::string_view crate) const;
  /// The line a version of an OpenTelemetry crate belongs to ("opentelemetry-otlp" 0.14.1 →
  /// "0.21"); nullopt when no known line lists that crate at that version's line.
  std::optional<std::string> line_of(std::string_view crate, const Version& v) const;
  /// The line a tracing-opentelemetry version is built for (0.28.x → "0.27").
  std::optional<std::string> bridge_line_of(const Version& v) const;
  /// The requirement to write for `crate` on the target line, e.g. "0.27".
  std::optional<std::string> target_version(std::string_view crate) const;
};

struct RulesetResult {
  std::optional<Ruleset> ruleset; // absent when there are errors
  std::vector<Diagnostic> errors; // each names file, line and key (rule "rule-data-invalid")
};

/// Parses the two data files from strings (tests use this; no disk).
RulesetResult parse_ruleset(std::string_view lines_text, const std::string& lines_file,
                            std::string_view target_text, const std::string& target_file);

/// The text of one optional data file and its name for messages; empty `file` means absent.
struct DataText {
  std::string_view text;
  std::string file;
};

/// Parses the two data files, the source rules' data (api-changes.toml, conventions.toml) and
/// the readiness model (scoring.toml); an absent file (empty `file`) leaves its part of the
/// Ruleset empty.
RulesetResult parse_ruleset(std::string_view lines_text, const std::string& lines_file,
                            std::string_view target_text, const std::string& target_file,
                            const DataText& api_changes, const DataText& conventions,
                            const DataText& scoring = {});

/// True when line `a` is older than line `b` ("0.9" < "0.27" < "1"); nullopt when either is
/// not a line.
std::optional<bool> line_less(std::string_view a, std::string_view b);

/// Reads rules_dir/otel-lines.toml, rules_dir/otel-<target>.toml and rules_dir/scoring.toml,
/// and api-changes.toml and conventions.toml when present (without them the source rules have
/// no data and report nothing). A target without a data file is an error naming the targets
/// that exist.
RulesetResult load_ruleset(const std::filesystem::path& rules_dir, std::string_view target);

/// The targets that have a data file in rules_dir, sorted ("0.27", "0.28").
std::vector<std::string> available_targets(const std::filesystem::path& rules_dir);

} // namespace otelaudit
