#pragma once
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/context.h"
#include "rules/family.h"

// The source rules: what the .rs files of a repository really do, judged against the rule data
// in rules/api-changes.toml and rules/conventions.toml. Every rule reads only production code:
// files whose scope is not production and facts marked in_test are skipped. Findings in orphan
// files (reached from no crate root, so never compiled) are reported as info with
// Finding::orphan set.

namespace otelaudit {

/// The source family's rules and checks (source.cpp).
const RuleFamily& source_family();

/// undeclared-crate and unused-otel-crate: crates used in code against those declared.
void check_crate_usage(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// jaeger-code: code of the deprecated Jaeger exporter and Jaeger agent endpoints.
void check_jaeger_code(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// removed-api: APIs that break between the repository's line and the target.
void check_removed_apis(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// service-name-format and service-name-dynamic.
void check_service_names(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// missing-propagation and resource-attributes-missing.
void check_telemetry_setup(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// env-var-nonstandard and env-var-missing.
void check_env_vars(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// request-id-not-propagated and span-name-format.
void check_http_conventions(const RepoModel& repo, const Ruleset& rules, Sink& sink);

/// The name a service name should have under `conv`, or nullopt when `name` already follows
/// it ("llm-edge-agent" → "llm.edge-agent", "edge-agent" → "llm.edge-agent").
std::optional<std::string> service_name_suggestion(std::string_view name, const Conventions& conv);

/// True when `name` looks like an HTTP span name (a route, or a method word first) but is not
/// `{METHOD} {route}`; `suggestion` receives the name to use, when one can be derived.
bool http_span_name_malformed(std::string_view name, const Conventions& conv,
                              std::string& suggestion);

namespace source {

/// One .rs file as the source rules see it.
struct FileView {
  const std::string* file = nullptr;
  const rust::FileFacts* facts = nullptr;
  const SourceFile* unit = nullptr;      // its entry in the module tree; nullptr when absent
  const PackageModel* package = nullptr; // its owning package; nullptr when none
  bool orphan() const { return unit && unit->orphan; }
  CodeScope scope() const { return unit ? unit->scope : CodeScope::production; }
  std::string package_name() const { return package ? package->name : std::string(); }
};

/// Every .rs file of the repository with its unit and package, in file order.
std::vector<FileView> all_files(const RepoModel& repo);

/// The production files of the repository (orphans included), in file order. A file missing
/// from the module tree counts as production code of no package.
std::vector<FileView> production_files(const RepoModel& repo);

/// True when `line` lies in a #[cfg(test)] item or #[test] function of the file.
bool line_in_test(const rust::FileFacts& facts, int line);

/// Emits a finding of `rule` at its default severity at `pos` of `view`'s file; in an orphan
/// file, at info with Finding::orphan set (the source family's policy, docs/rules.md).
void emit_at(Sink& sink, std::string_view rule, const FileView& view, rust::Pos pos,
             std::string message, std::string fix = {});
/// The same at `severity`, for a rule whose severity comes from the rule data (removed-api).
void emit_at(Sink& sink, std::string_view rule, Severity severity, const FileView& view,
             rust::Pos pos, std::string message, std::string fix = {});

/// `-` → `_`: how Cargo turns a crate or dependency name into the name code uses.
std::string code_name(std::string_view crate);

/// Splits "a::b::c" into its segments (a leading `::` dropped).
std::vector<std::string> split_path(std::string_view path);

/// What a file's `use` declarations bring into scope: a local name → the full path it stands
/// for, and the paths glob-imported (`use a::b::*`).
struct Imports {
  std::map<std::string, std::vector<std::string>, std::less<>> names;
  std::vector<std::vector<std::string>> globs;
  /// The package's renamed dependencies: the key's code name → the crate's code name
  /// (`otel` → `opentelemetry`); filled by imports_for, empty from imports_of.
  std::map<std::string, std::string, std::less<>> renamed;
};
Imports imports_of(const rust::FileFacts& facts);
/// No imports: what a `use` path resolves against (it is written in full).
const Imports& no_imports();

/// imports_of the view's file, with its package's renamed dependencies.
Imports imports_for(const FileView& view);

/// The first segment a path starting with `first` resolves to (resolve(...).front() with the
/// imports_for table), without building the path: what a rule asking "which crate is this"
/// needs. The view points into `first` or `imports`.
std::string_view resolved_root(std::string_view first, const Imports& imports);

/// The first segment of a written path ("a" of "::a::b"), as a view into `path`.
std::string_view first_segment(std::string_view path);
/// The last segment of a written path ("b" of "a::b"), as a view into `path`.
std::string_view last_segment(std::string_view path);

/// `segments` with a first segment imported by `use` replaced by the path it stands for, and
/// a renamed dependency key (`otel` for package "opentelemetry") by the crate's code name.
std::vector<std::string> resolve(const std::vector<std::string>& segments, const Imports& imports,
                                 const PackageModel* package);

/// True when `callee` is `entry` or ends with `::entry`
/// ("opentelemetry_otlp::SpanExporter::builder" is "SpanExporter::builder").
bool callee_is(std::string_view callee, std::string_view entry);

/// True when `crate` is declared by `package` in any dependency kind (by real crate name).
bool declares(const PackageModel* package, std::string_view crate);
/// True when `package` enables `feature` of its dependency on `crate` (as written or inherited
/// from the workspace entry).
bool enables(const PackageModel* package, std::string_view crate, std::string_view feature);

/// True when `package` builds a binary, the only kind of target that runs as a service: a
/// `[[bin]]` section, or Cargo's auto-discovered src/main.rs, src/bin/*.rs, src/bin/*/main.rs.
bool builds_binary(const RepoModel& repo, const PackageModel& package);

/// `package` and the packages of the repository it reaches through normal path dependencies
/// (`path = …`, or `x.workspace = true` on an entry with a path), to any depth, each once,
/// `package` first: what Cargo compiles it from inside the repository.
std::vector<const PackageModel*> path_closure(const RepoModel& repo, const PackageModel& package);

/// A package that builds a binary, with the packages of the repository its code is compiled
/// from: itself first, then what it reaches through normal path dependencies (a workspace
/// member named by `x.workspace = true` or `path = …`), each once. A service's set-up
/// (exporter, propagator, Resource, environment, request ids) may live in any of them.
struct Service {
  const PackageModel* binary = nullptr;
  std::vector<const PackageModel*> closure;
  bool holds(const PackageModel* p) const {
    return std::find(closure.begin(), closure.end(), p) != closure.end();
  }
};
/// The packages of `repo` that build a binary, in package order, each with its closure.
std::vector<Service> services(const RepoModel& repo);

/// A read of an environment variable whose name is a string literal.
struct EnvRead {
  const rust::Call* call = nullptr;
  const rust::Arg* name = nullptr; // the literal argument
};
/// The reads of `facts` outside test code: std::env::var, env::var, var_os, env!, option_env!,
/// dotenvy::var (and dotenv::var).
std::vector<EnvRead> env_reads(const rust::FileFacts& facts);

/// Where a service shows that it exports traces: the first exporter crate's normal dependency
/// key (in closure order), else the first call in its compiled production code that builds an
/// exporter. `what` names the crate or the call.
struct ExportSign {
  Location loc;
  std::string package;
  std::string what;
};
/// The export sign of `service`, from its closure's dependencies and compiled code, or nothing
/// when it does not export traces.
std::optional<ExportSign> export_sign(const RepoModel& repo, const Service& service,
                                      const Conventions& conv);

/// The services that lack something, grouped by the export sign they share (two binaries built
/// from one telemetry library are one place to fix): the sign and the binaries' names, in
/// the order the signs are first met.
struct SignGroup {
  ExportSign sign;
  std::vector<std::string> binaries;
  /// "svc" or "svc, worker"; `one` / `many` chosen by the count ("exports" / "export").
  std::string subject() const;
  const char* pick(const char* one, const char* many) const {
    return binaries.size() == 1 ? one : many;
  }
  /// The package the finding belongs to: the binary, or the sign's package for several.
  const std::string& package() const {
    return binaries.size() == 1 ? binaries.front() : sign.package;
  }
};
void add_to_groups(std::vector<SignGroup>& groups, ExportSign sign, const std::string& binary);

} // namespace source

} // namespace otelaudit
