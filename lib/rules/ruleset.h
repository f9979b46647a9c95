#pragma once
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/location.h"
#include "model/cargo/semver.h"
#include "rules/deploy_data.h"
#include "rules/finding.h"
#include "rules/spread_data.h"

namespace otelaudit {

/// The releases of one crate built on one OpenTelemetry line, as a rule pack lists them
/// (rules/otel-LINE.toml `[[crate]]` or `[bridge]`). A version maps to a line only through
/// `matches`, never by formula: before 0.25 the companion crates had numbers of their own
/// (opentelemetry-otlp 0.14 is the 0.21 line), and some releases sit on the line before their
/// number (opentelemetry-prometheus 0.17.0 is built on opentelemetry 0.24).
struct CrateOnLine {
  std::string name;
  std::string repository;           // "opentelemetry-rust", "opentelemetry-rust-contrib", …
  std::vector<std::string> matches; // "0.27": every 0.27.x; "0.29.1": that release only
  std::string latest;               // newest release built on the line, "0.27.1"
  std::vector<std::string> default_features;
  std::vector<std::string> features; // every feature a manifest may name (implicit ones too)
  bool features_known = false;       // `features` was given: a feature not in it does not exist
  // [crate.implies]: what enabling a feature enables too, from the crate's own [features]
  // table: features of the crate itself ("trace") and of other crates of the line
  // ("opentelemetry_sdk/rt-tokio"); optional dependencies it turns on are left out.
  std::map<std::string, std::vector<std::string>> implies;
  bool deprecated = false; // deprecated as of this line
  bool confirmed = true;   // false: not read in a primary source; never a blocker
  std::string source;      // where the line of `latest` was read
  Location loc;            // where the entry is written

  /// True when `v` is one of the releases built on the line.
  bool built_on_line(const Version& v) const;
  /// How specific the entry of `matches` that covers `v` is (2: "0.27", 3: "0.29.1"); 0 when
  /// none covers it.
  int match_rank(const Version& v) const;
  /// The requirement to write for this crate on the line: the entry of `matches` covering
  /// `latest` ("0.27", or "0.29.1" when only that patch belongs to the line).
  std::string requirement() const;
  /// The newest release each entry of `matches` stands for, for matching requirements against
  /// (0.27 → `latest` when it is a 0.27.x, else 0.27.999999; 0.29.1 → 0.29.1).
  std::vector<Version> candidates() const;
};

/// One OpenTelemetry release line from its rule pack: the crates released for it, the
/// tracing bridge built for it, and the policy that applies when it is the audit's target.
struct LineInfo {
  std::string line;     // "0.21"
  std::string released; // date of its first opentelemetry release, "2023-11-06"
  bool confirmed = true;
  std::string file;                          // the pack it was read from
  std::optional<CrateOnLine> bridge;         // the tracing-opentelemetry release(s) built for it
  std::map<std::string, CrateOnLine> crates; // crate name -> its releases on this line

  /// The crate's entry on this line (the bridge crate included), or nullptr.
  const CrateOnLine* find(std::string_view crate) const;
};

/// A feature set a crate of the line must enable.
struct FeatureRequirement {
  std::string crate;
  std::string source;
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
  std::string source;
};

/// A crate that is not OpenTelemetry's but should move with it (metrics, tracing-subscriber):
/// the ecosystem's standard, from rules/conventions.toml.
struct Companion {
  std::string crate;
  std::string version; // canonical requirement, e.g. "0.24"
  std::vector<std::string> features;
  Severity severity = Severity::low;
  std::string source;
};

/// The text that replaces a removed API from some line on: each must compile on every line
/// from `from` up to the next replacement's `from`.
struct Replacement {
  std::string from; // "0.27"
  std::string text;
  std::string source;
};

/// An API that stops compiling at some release: what the source scan looks for and what to
/// write instead (rules/api-changes.toml).
struct ApiChange {
  std::string identifier;            // "new_pipeline"
  std::string path;                  // "opentelemetry_otlp::new_pipeline"; empty for a method entry
  std::string method;                // "with_batch_exporter"; empty for a path entry
  std::vector<std::string> on;       // method entries: judged only in files that name one of these
                                     // paths (what the method is called on); empty: every file
  std::vector<std::string> receiver; // method entries: only when called (through a chain of
                                     // method calls) on the result of one of these calls
  int args = -1;                     // the argument count that breaks; -1 when any count does
  std::string crate;                 // the crate that owns it, e.g. "opentelemetry-otlp"
  std::string breaks;                // the line where it stops compiling, e.g. "0.27"
  std::string deprecated; // the line where it was deprecated (still compiling); may be empty
  std::string restored;   // the line from which it compiles again; empty when never
  std::string feature;    // a feature of `crate` that keeps it compiling (a gate, not a removal)
  std::vector<Replacement> replacements; // by `from`, oldest first
  std::string replacement; // the one that compiles on the audit's target line (set on loading)
  Severity severity = Severity::high;
  std::string source; // where the break is documented

  /// The replacement text for target line `target`: the one with the greatest `from` not
  /// newer than it; empty when none applies.
  const Replacement* replacement_for(std::string_view target) const;
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
  /// A crate whose functions install W3C propagation for the caller ([[propagation-helpers]]).
  struct PropagationHelper {
    std::string crate;              // "init-tracing-opentelemetry"
    std::vector<std::string> calls; // its functions that do: "init_propagator", ...
    std::string source;             // where that was read
  };
  std::vector<PropagationHelper> propagation_helpers;
  // [http]
  std::vector<std::string> http_crates;       // "axum", "actix-web", ...
  std::vector<std::string> http_server_calls; // calls that build a router or server
  std::string request_id_header;              // "x-request-id"
  std::vector<std::string> request_id_calls;  // calls that set or forward it: "x_request_id"
  std::string span_name_pattern;              // "{METHOD} {route}", for messages
  std::vector<std::string> http_methods;      // "GET", "POST", ...
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

/// All the rule data of one audit, loaded and validated once before any audit work and handed,
/// immutable, to every stage (no stage reads the rules directory): the packs of every known
/// line (rules/otel-LINE.toml) with one of them the target, the API changes, the ecosystem's
/// conventions, the readiness model, the deployment data and the spread data.
struct Ruleset {
  std::string target;             // "0.27"
  std::string rules_dir;          // where it was read, for messages; empty when from strings
  std::vector<std::string> files; // data files read, for messages
  std::vector<LineInfo> lines;    // every known line, oldest first; includes target
  std::map<std::string, std::string>
      latest; // crate -> newest release of the target line ("0.27.1")
  std::vector<FeatureRequirement> required_features; // the target pack's
  std::vector<DeprecatedCrate> deprecated;           // the target pack's
  std::vector<Companion> companions;                 // conventions.toml
  std::vector<std::string> tracing_crates; // crates that show a repository traces ("tracing")
  std::string bridge_crate = "tracing-opentelemetry";
  int blocker_lines_behind = 2;       // a crate this many lines (or more) behind is a blocker
  std::vector<ApiChange> api_changes; // from api-changes.toml
  Conventions conventions;            // from conventions.toml
  ScoringModel scoring;               // from scoring.toml
  deploy::DeployRules deployment;     // from deployment.toml
  SpreadRules spread;                 // from spread.toml

  const LineInfo& target_line() const;
  const LineInfo* find_line(std::string_view line) const;
  /// Position of a line in `lines` (older is smaller); nullopt when unknown.
  std::optional<int> line_index(std::string_view line) const;
  /// True for crates listed on any line (opentelemetry, opentelemetry_sdk, -otlp, contrib
  /// crates, …); the bridge crate is not one of them.
  bool is_otel_crate(std::string_view crate) const;
  /// The line a version of an OpenTelemetry crate (or of the bridge) is built on
  /// ("opentelemetry-otlp" 0.14.1 → "0.21"); nullopt when no pack lists that release.
  std::optional<std::string> line_of(std::string_view crate, const Version& v) const;
  /// The crate's entry that decides line_of, or nullptr.
  const CrateOnLine* entry_of(std::string_view crate, const Version& v) const;
  /// The lines whose releases of `crate` (an OpenTelemetry crate or the bridge) the requirement
  /// selects, oldest first: the newest matching release decides, as in Cargo. Several lines
  /// only when one release serves several (never in confirmed data); empty when none is known.
  std::vector<std::string> selected_lines(std::string_view crate, const VersionReq& req) const;
  /// True when `v` is older than every release of `crate` the packs list (opentelemetry 0.19
  /// when the oldest pack is 0.21): on a line older than any known one.
  bool older_than_known(std::string_view crate, const Version& v) const;
  /// True when the line and the crate's entry on it were read in primary sources; findings
  /// that rest on unconfirmed data are never blockers.
  bool confirmed(std::string_view line, std::string_view crate = {}) const;
  /// The requirement to write for `crate` on the target line, e.g. "0.27"; nullopt when no
  /// release of it is built for the target.
  std::optional<std::string> target_version(std::string_view crate) const;
  /// The target pack's deprecation of `crate`, or nullptr when it is not deprecated.
  const DeprecatedCrate* deprecation(std::string_view crate) const;
  /// The crate a manifest name stands for when it differs from a known crate only by `-` and
  /// `_` (crates.io refuses a second crate whose name differs only so, so no such crate
  /// exists); nullopt for real names and unknown ones.
  std::optional<std::string> misspelling_of(std::string_view name) const;
};

/// One rule data file held in memory: its name for messages and its text.
struct DataFile {
  std::string name; // e.g. "rules/otel-0.27.toml"; its file name decides what it is
  std::string text;
};

struct RulesetResult {
  std::optional<Ruleset> ruleset; // absent when there are errors
  std::vector<Diagnostic> errors; // each names file, line and key (rule "rule-data-invalid")
};

/// The one loader: parses every data file (packs otel-LINE.toml, api-changes.toml,
/// conventions.toml, scoring.toml, deployment.toml, spread.toml) and selects the pack of
/// `target` ("0.27", or "latest": the newest confirmed pack). Every file is required.
RulesetResult parse_rule_data(const std::vector<DataFile>& files, std::string_view target);

/// Reads every data file of `rules_dir` and parses them with parse_rule_data. A target without
/// a pack is an error naming the targets that exist.
RulesetResult load_ruleset(const std::filesystem::path& rules_dir, std::string_view target);

/// True when line `a` is older than line `b` ("0.9" < "0.27" < "1"); nullopt when either is
/// not a line.
std::optional<bool> line_less(std::string_view a, std::string_view b);

/// One pack of the rules directory, for `otel-audit rules --targets`.
struct TargetInfo {
  std::string line;
  std::string released;
  bool confirmed = true;
};

/// The packs of `rules_dir` (every otel-LINE.toml), oldest first, with their release dates;
/// a pack that does not parse is listed with what could be read of it.
std::vector<TargetInfo> available_targets(const std::filesystem::path& rules_dir);

} // namespace otelaudit
