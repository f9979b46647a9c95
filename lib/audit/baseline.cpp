#include "audit/baseline.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace otelaudit {

namespace {

using Json = nlohmann::json;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// The string at `j[key]`, or nullptr when it is missing or not a string.
const std::string* string_at(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

} // namespace

std::string normalise_evidence(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  bool pending_space = false;
  for (char c : message) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string fingerprint(const Finding& f) {
  std::uint64_t h = fnv1a64(kFingerprintVersion);
  for (std::string_view part :
       {std::string_view(f.rule), std::string_view(f.repo), std::string_view(f.loc.file)}) {
    h = fnv1a64(part, h);
    h = fnv1a64(std::string_view("\0", 1), h);
  }
  h = fnv1a64(normalise_evidence(f.message), h);
  h = fnv1a64(std::string_view("\0", 1), h);
  return fmt::format("{:016x}", h);
}

BaselineResult parse_baseline(std::string_view text, const std::string& file) {
  BaselineResult out;
  const std::string where = "baseline \"" + file + "\"";
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: …": keep the position.
    if (auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    out.error = where + " is not valid JSON: " + what;
    return out;
  }
  auto bad = [&](const std::string& what) {
    out.error = where + " is not an " + std::string(kJsonSchema) + " report: " + what;
    return out;
  };
  if (!j.is_object()) return bad("the top level is not an object");
  const std::string* schema = string_at(j, "schema");
  if (!schema) return bad("no \"schema\" string");
  if (*schema != kJsonSchema) return bad("\"schema\" is \"" + *schema + "\"");
  auto repos = j.find("repos");
  if (repos == j.end() || !repos->is_array()) return bad("no \"repos\" array");

  Baseline baseline;
  baseline.file = file;
  for (std::size_t r = 0; r < repos->size(); ++r) {
    const Json& repo = (*repos)[r];
    const std::string at = fmt::format("repos[{}]", r);
    if (!repo.is_object()) return bad(at + " is not an object");
    auto findings = repo.find("findings");
    if (findings == repo.end() || !findings->is_array())
      return bad(at + " has no \"findings\" array");
    for (std::size_t i = 0; i < findings->size(); ++i) {
      const Json& f = (*findings)[i];
      const std::string fat = fmt::format("{}.findings[{}]", at, i);
      if (!f.is_object()) return bad(fat + " is not an object");
      std::string print;
      if (const std::string* given = string_at(f, "fingerprint")) {
        print = *given;
      } else {
        Finding finding;
        for (auto [key, field] :
             {std::pair{"rule", &finding.rule}, std::pair{"repo", &finding.repo},
              std::pair{"file", &finding.loc.file}, std::pair{"message", &finding.message}}) {
          const std::string* value = string_at(f, key);
          if (!value) return bad(fat + " has no \"" + key + "\" string");
          *field = *value;
        }
        print = fingerprint(finding);
      }
      ++baseline.fingerprints[print];
      ++baseline.findings;
    }
  }
  out.baseline = std::move(baseline);
  return out;
}

BaselineResult load_baseline(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    BaselineResult out;
    out.error = "cannot read baseline \"" + file.string() + "\"";
    return out;
  }
  return parse_baseline(text.str(), file.string());
}

int apply_baseline(AuditResult& result, const Baseline& baseline) {
  std::map<std::string, int> left = baseline.fingerprints;
  int marked = 0;
  for (RepoResult& repo : result.repos) {
    for (Finding& f : repo.findings) {
      auto it = left.find(fingerprint(f));
      if (it == left.end() || it->second == 0) continue;
      --it->second;
      f.baselined = true;
      ++marked;
    }
  }
  return marked;
}

GateResult evaluate_gate(const AuditResult& result, const GateOptions& options) {
  GateResult gate;
  gate.fail_on = options.fail_on;
  gate.min_score = options.min_score;
  int above = 0;                // counted findings at or above fail_on
  std::set<std::string> denied; // rules of the counted -D findings below it
  int denied_count = 0;
  for (const RepoResult& repo : result.repos) {
    for (const Finding& f : repo.findings) {
      if (f.suppressed) {
        ++gate.suppressed;
      } else if (f.baselined) {
        ++gate.baselined;
      } else if (f.gate == GateEffect::warn) {
        ++gate.warned;
      } else if (options.fail_on && f.severity >= *options.fail_on) {
        ++gate.failing;
        ++above;
      } else if (f.gate == GateEffect::deny) {
        ++gate.failing;
        ++denied_count;
        denied.insert(f.rule);
      }
    }
  }
  auto findings = [](int n) { return std::to_string(n) + (n == 1 ? " finding" : " findings"); };
  if (above > 0)
    gate.reasons.push_back(
        findings(above) + " at or above " + std::string(to_string(*options.fail_on)) + " (" +
        options.fail_on_source + " " + std::string(to_string(*options.fail_on)) + ")");
  if (denied_count > 0) {
    std::string rules;
    for (const std::string& r : denied)
      rules += (rules.empty() ? "" : ", ") + r;
    gate.reasons.push_back(findings(denied_count) + " denied (-D: " + rules + ")");
  }
  gate.score_too_low = result.score < options.min_score;
  if (gate.score_too_low)
    gate.reasons.push_back("score " + std::to_string(result.score) + " below " +
                           options.min_score_source + " " + std::to_string(options.min_score));
  gate.failed = gate.failing > 0 || gate.score_too_low;
  return gate;
}

} // namespace otelaudit
