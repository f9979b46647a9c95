#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace otelaudit {

/// A semantic version as Cargo reads it (`1.2.3-alpha.1+build`).
struct Version {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::string pre;   // pre-release, without the '-'; empty for a release
  std::string build; // build metadata, ignored in comparisons

  std::string str() const;
  /// The OpenTelemetry-style release line: "0.27" for 0.27.x, "1" for 1.x.y (the breaking unit).
  std::string line() const;
  friend bool operator==(const Version& a, const Version& b);
  friend bool operator<(const Version& a, const Version& b); // semver precedence
};

/// Parses a full version `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; nullopt when malformed.
std::optional<Version> parse_version(std::string_view text);

/// One comparator of a requirement, e.g. `^0.27`, `>=1.2, <1.5`'s parts, `0.27.*`.
struct Comparator {
  enum class Op { caret, tilde, exact, greater, greater_eq, less, less_eq, wildcard };
  Op op = Op::caret;
  std::uint64_t major = 0;
  std::optional<std::uint64_t> minor, patch;
  std::string pre;
  bool matches(const Version& v) const;
};

/// A Cargo version requirement: comparators joined by ',' (all must hold); `*` is an empty list.
/// A bare `0.27` means `^0.27`. Pre-releases match only comparators naming the same
/// major.minor.patch with a pre-release, as in Cargo.
struct VersionReq {
  std::string text;
  std::vector<Comparator> comparators;

  bool matches(const Version& v) const;
  /// The lowest release version the requirement accepts (`^0.27.1` → 0.27.1, `>=0.21, <0.28` →
  /// 0.21.0, `*` → 0.0.0); nullopt when it accepts none of the form X.Y.Z.
  std::optional<Version> minimum() const;
};

/// Parses a requirement; on error returns nullopt and sets `error` to a message that says what
/// is wrong (e.g. `unexpected character 'x' in version requirement "0.2x"`).
std::optional<VersionReq> parse_requirement(std::string_view text, std::string& error);

} // namespace otelaudit
