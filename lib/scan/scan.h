#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "audit/audit.h"
#include "model/cargo/workspace.h"
#include "score/readiness.h"

namespace otelaudit {

/// Identifies the scan document format; docs/scan.md is its contract. Within v1 fields are only
/// ever added, never renamed, retyped or removed; a reader ignores keys it does not know.
inline constexpr std::string_view kScanSchema = "otel-audit-scan/v1";

/// One repository audited on its own, as `otel-audit scan` writes it and `otel-audit report`
/// reads it back: the repository's own findings (before any policy) and the facts the
/// cross-repository analysis needs, so that the set can be judged without the repositories.
struct ScanDocument {
  std::string target;    // the canonical line the repository's rules ran against
  std::string url;       // its git URL when known: git dependencies of the others match it
  std::string root;      // its directory when read from disk: path dependencies resolve in it
  std::string component; // expected service-name component, empty: the name
  /// Name, path, commit, line, crates and findings; status and score are left to the set-level
  /// scoring. `sources` holds only the lines in `source_lines`, at their line numbers.
  RepoResult result;
  /// The subset of the Cargo model lib/graph and the declarations read: manifests' and
  /// packages' dependencies (without features), workspaces, lockfile packages. No texts and no
  /// diagnostics (those are findings already).
  CargoModel cargo;
  /// file -> line number -> line as written (without its `\n`): every line a report can show,
  /// which is a finding's line or any location of `cargo` (where set-level findings point).
  std::map<std::string, std::map<int, std::string>> source_lines;
};

/// Builds the document of one audited repository: keeps the lines reports can show and drops
/// the rest of the file texts, so a document grows with findings and dependencies, not with
/// the size of the repository.
ScanDocument make_scan_document(RepoAudit audit, const RepoInput& input, std::string target);

/// The document as JSON: keys in a fixed order, 2-space indent, trailing newline. Strings that
/// are not valid UTF-8 (audited input is untrusted) are written as {"hex": "…"} so they come
/// back byte for byte.
std::string render_scan(const ScanDocument& document);

/// A document read back, or `error` saying which file is wrong and where.
struct ScanParseResult {
  std::optional<ScanDocument> document;
  std::string error;
};

/// Reads a document from text; `file` names it in errors. Malformed JSON gives the parser's
/// line and column; a wrong shape gives the JSON pointer of the value, e.g. `/repo/findings/3`.
ScanParseResult parse_scan(std::string_view text, const std::string& file);

/// Reads `file` and parses it; an unreadable file is an error naming it.
ScanParseResult load_scan(const std::filesystem::path& file);

/// The input of the set-level analysis for a document's repository (no tree: it is not read).
RepoInput scan_input(const ScanDocument& document);

} // namespace otelaudit
