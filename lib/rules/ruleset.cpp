#include "rules/ruleset.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "common/strings.h"
#include "rules/data_readers.h"

namespace otelaudit {

using data::in_quotes;
using data::LineKey;
using data::parse_line_text;

// ---- CrateOnLine, LineInfo, ApiChange ----------------------------------------------------

int CrateOnLine::match_rank(const Version& v) const {
  int best = 0;
  for (const std::string& m : matches) {
    auto parts = data::split_numbers(m, 3);
    if (!parts) continue;
    const std::uint64_t have[3] = {v.major, v.minor, v.patch};
    bool ok = v.pre.empty();
    for (std::size_t i = 0; i < parts->size() && ok; ++i)
      ok = (*parts)[i] == have[i];
    if (ok) best = std::max(best, static_cast<int>(parts->size()));
  }
  return best;
}

bool CrateOnLine::built_on_line(const Version& v) const {
  return match_rank(v) > 0;
}

std::string CrateOnLine::requirement() const {
  auto v = parse_version(latest);
  std::string best;
  int rank = 0;
  for (const std::string& m : matches) {
    CrateOnLine one;
    one.matches = {m};
    int r = v ? one.match_rank(*v) : 0;
    if (r > 0 && (rank == 0 || r < rank)) {
      best = m;
      rank = r;
    }
  }
  return best.empty() ? latest : best;
}

std::vector<Version> CrateOnLine::candidates() const {
  std::vector<Version> out;
  auto newest = parse_version(latest);
  for (const std::string& m : matches) {
    auto parts = data::split_numbers(m, 3);
    if (!parts) continue;
    Version v;
    v.major = (*parts)[0];
    v.minor = parts->size() > 1 ? (*parts)[1] : 999999;
    v.patch = parts->size() > 2 ? (*parts)[2] : 999999;
    CrateOnLine one;
    one.matches = {m};
    if (parts->size() < 3 && newest && one.match_rank(*newest) > 0) v = *newest;
    out.push_back(v);
  }
  return out;
}

const CrateOnLine* LineInfo::find(std::string_view crate) const {
  if (bridge && bridge->name == crate) return &*bridge;
  auto it = crates.find(std::string(crate));
  return it == crates.end() ? nullptr : &it->second;
}

const Replacement* ApiChange::replacement_for(std::string_view target) const {
  const Replacement* best = nullptr;
  auto t = parse_line_text(target);
  if (!t) return nullptr;
  for (const Replacement& r : replacements)
    if (auto f = parse_line_text(r.from); f && !(*t < *f)) best = &r;
  return best;
}

// ---- Ruleset -------------------------------------------------------------------------------

double ScoringModel::hours(std::string_view rule, Severity severity) const {
  if (severity == Severity::info) return 0;
  if (auto it = rule_hours.find(std::string(rule)); it != rule_hours.end()) return it->second;
  return default_hours[static_cast<std::size_t>(severity)];
}

const LineInfo& Ruleset::target_line() const {
  static const LineInfo empty;
  const LineInfo* l = find_line(target);
  return l ? *l : empty;
}

const LineInfo* Ruleset::find_line(std::string_view line) const {
  auto it =
      std::find_if(lines.begin(), lines.end(), [&](const LineInfo& l) { return l.line == line; });
  return it == lines.end() ? nullptr : &*it;
}

std::optional<int> Ruleset::line_index(std::string_view line) const {
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].line == line) return static_cast<int>(i);
  return std::nullopt;
}

bool Ruleset::is_otel_crate(std::string_view crate) const {
  return std::any_of(lines.begin(), lines.end(), [&](const LineInfo& l) {
    return l.crates.find(std::string(crate)) != l.crates.end();
  });
}

// The loader refuses two entries of one crate covering one release equally specifically, so
// the most specific entry decides alone ("0.29.1" on one line wins over "0.29" on another).
const CrateOnLine* Ruleset::entry_of(std::string_view crate, const Version& v) const {
  const CrateOnLine* best = nullptr;
  int best_rank = 0;
  for (const LineInfo& l : lines) {
    const CrateOnLine* e = l.find(crate);
    if (!e) continue;
    int r = e->match_rank(v);
    if (r > best_rank) {
      best = e;
      best_rank = r;
    }
  }
  return best;
}

std::optional<std::string> Ruleset::line_of(std::string_view crate, const Version& v) const {
  const CrateOnLine* e = entry_of(crate, v);
  if (!e) return std::nullopt;
  for (const LineInfo& l : lines)
    if (l.find(crate) == e) return l.line;
  return std::nullopt;
}

std::vector<std::string> Ruleset::selected_lines(std::string_view crate,
                                                 const VersionReq& req) const {
  // Cargo picks the newest release that matches: of every release the packs stand for, the
  // newest the requirement accepts decides.
  std::optional<Version> chosen;
  for (const LineInfo& l : lines)
    if (const CrateOnLine* e = l.find(crate))
      for (const Version& cand : e->candidates())
        if (req.matches(cand) && (!chosen || *chosen < cand)) chosen = cand;
  if (!chosen) {
    // No known release matches (a pin of a patch the packs do not name, `=0.27.3`): judge by
    // the lowest version it accepts, which then decides as a release would.
    chosen = req.minimum();
    if (!chosen) return {};
  }
  std::vector<std::string> out;
  if (auto line = line_of(crate, *chosen)) out.push_back(*line);
  return out;
}

bool Ruleset::older_than_known(std::string_view crate, const Version& v) const {
  bool known = false;
  for (const LineInfo& l : lines)
    if (const CrateOnLine* e = l.find(crate))
      for (const std::string& m : e->matches) {
        // The oldest release an entry stands for: its prefix padded with zeros.
        auto parts = data::split_numbers(m, 3);
        if (!parts) continue;
        Version oldest;
        oldest.major = (*parts)[0];
        oldest.minor = parts->size() > 1 ? (*parts)[1] : 0;
        oldest.patch = parts->size() > 2 ? (*parts)[2] : 0;
        known = true;
        if (!(v < oldest)) return false;
      }
  return known;
}

bool Ruleset::confirmed(std::string_view line, std::string_view crate) const {
  const LineInfo* l = find_line(line);
  if (!l || !l->confirmed) return false;
  if (crate.empty()) return true;
  const CrateOnLine* e = l->find(crate);
  return !e || e->confirmed;
}

std::optional<std::string> Ruleset::target_version(std::string_view crate) const {
  const CrateOnLine* e = target_line().find(crate);
  if (!e) return std::nullopt;
  return e->requirement();
}

const DeprecatedCrate* Ruleset::deprecation(std::string_view crate) const {
  for (const DeprecatedCrate& d : deprecated)
    if (d.crate == crate) return &d;
  return nullptr;
}

std::optional<std::string> Ruleset::misspelling_of(std::string_view name) const {
  auto check = [&](const std::string& known) -> std::optional<std::string> {
    if (known != name && same_crate_name(known, name)) return known;
    return std::nullopt;
  };
  if (auto m = check(bridge_crate)) return m;
  for (const LineInfo& l : lines)
    for (const auto& [crate, e] : l.crates) {
      (void)e;
      if (crate == name) return std::nullopt;
      if (auto m = check(crate)) return m;
    }
  return std::nullopt;
}

std::optional<bool> line_less(std::string_view a, std::string_view b) {
  auto ka = parse_line_text(a), kb = parse_line_text(b);
  if (!ka || !kb) return std::nullopt;
  return *ka < *kb;
}

// ---- the loader ----------------------------------------------------------------------------

namespace {

constexpr std::string_view kPackPrefix = "otel-", kPackSuffix = ".toml";

/// The file name of a path ("rules/otel-0.27.toml" → "otel-0.27.toml").
std::string_view base_name(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// The line a pack's file name states ("otel-0.27.toml" → "0.27"); nullopt for other files.
std::optional<std::string> pack_line(std::string_view name) {
  name = base_name(name);
  if (name.size() <= kPackPrefix.size() + kPackSuffix.size() || !name.starts_with(kPackPrefix) ||
      !name.ends_with(kPackSuffix))
    return std::nullopt;
  std::string line(
      name.substr(kPackPrefix.size(), name.size() - kPackPrefix.size() - kPackSuffix.size()));
  if (!parse_line_text(line)) return std::nullopt;
  return line;
}

Diagnostic file_error(const std::string& file, std::string message) {
  return {std::string(data::kDataRule), {file, 0, 0}, std::move(message)};
}

/// The data files other than the packs, each required, with its reader.
struct Part {
  std::string_view name;
  void (*read)(const toml::table&, data::Checker&, Ruleset&);
};

constexpr Part kParts[] = {
    {"api-changes.toml", [](const toml::table& r, data::Checker& c,
                            Ruleset& rs) { data::read_api_changes(r, c, rs.api_changes); }},
    {"conventions.toml",
     [](const toml::table& r, data::Checker& c, Ruleset& rs) {
       data::read_conventions(r, c, rs);
       rs.conventions.loaded = true;
     }},
    {"scoring.toml",
     [](const toml::table& r, data::Checker& c, Ruleset& rs) {
       data::read_scoring(r, c, rs.scoring);
       rs.scoring.loaded = true;
     }},
    {"deployment.toml", [](const toml::table& r, data::Checker& c,
                           Ruleset& rs) { data::read_deploy_rules(r, c, rs.deployment); }},
    {"spread.toml", [](const toml::table& r, data::Checker& c,
                       Ruleset& rs) { data::read_spread_rules(r, c, rs.spread); }},
};

/// Checks across packs: one bridge crate, and no release of a crate on two lines.
void check_packs(const std::vector<data::Pack>& packs, std::vector<Diagnostic>& errors,
                 std::string& bridge_crate) {
  std::string bridge_file;
  for (const data::Pack& p : packs) {
    if (!p.line.bridge) continue;
    if (bridge_file.empty()) {
      bridge_crate = p.line.bridge->name;
      bridge_file = p.line.file;
    } else if (p.line.bridge->name != bridge_crate) {
      errors.push_back({std::string(data::kDataRule), p.line.bridge->loc,
                        "[bridge] crate " + in_quotes(p.line.bridge->name) + " differs from " +
                            in_quotes(bridge_crate) + " in " + bridge_file});
    }
  }
  // crate -> matches entry -> the pack that lists it
  std::map<std::string, std::map<std::string, const data::Pack*>> seen;
  for (const data::Pack& p : packs) {
    std::vector<const CrateOnLine*> entries;
    for (const auto& [name, e] : p.line.crates)
      entries.push_back(&e);
    if (p.line.bridge) entries.push_back(&*p.line.bridge);
    for (const CrateOnLine* e : entries)
      for (const std::string& m : e->matches) {
        auto [it, fresh] = seen[e->name].emplace(m, &p);
        if (!fresh && it->second != &p)
          errors.push_back({std::string(data::kDataRule), e->loc,
                            in_quotes(e->name) + " " + in_quotes(m) + " is also on line " +
                                in_quotes(it->second->line.line) + " (" + it->second->line.file +
                                "): a release is built on one line"});
      }
  }
}

} // namespace

RulesetResult parse_rule_data(const std::vector<DataFile>& files, std::string_view target) {
  RulesetResult result;
  Ruleset rs;
  std::vector<data::Pack> packs;
  std::vector<const DataFile*> by_part(std::size(kParts), nullptr);
  // Errors are reported file by file in name order, each file's in position order.
  std::vector<const DataFile*> sorted;
  for (const DataFile& f : files)
    sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const DataFile* a, const DataFile* b) { return a->name < b->name; });
  for (const DataFile* file : sorted) {
    const DataFile& f = *file;
    rs.files.push_back(f.name);
    std::vector<Diagnostic> errors;
    data::Checker c(errors, f.name);
    if (auto line = pack_line(f.name)) {
      data::Pack pack;
      if (auto root = data::parse_toml(f.text, c)) data::read_pack(*root, c, pack);
      if (errors.empty() && pack.line.line != *line)
        errors.push_back(file_error(f.name, "line " + in_quotes(pack.line.line) +
                                                " does not match the file name"));
      if (errors.empty()) packs.push_back(std::move(pack));
    } else {
      const std::string_view name = base_name(f.name);
      auto part = std::find_if(std::begin(kParts), std::end(kParts),
                               [&](const Part& p) { return p.name == name; });
      if (part == std::end(kParts)) continue; // other files of the directory are not rule data
      by_part[static_cast<std::size_t>(part - std::begin(kParts))] = &f;
      if (auto root = data::parse_toml(f.text, c)) part->read(*root, c, rs);
    }
    data::sort_by_position(errors);
    result.errors.insert(result.errors.end(), errors.begin(), errors.end());
  }
  for (std::size_t i = 0; i < std::size(kParts); ++i)
    if (!by_part[i])
      result.errors.push_back(file_error(std::string(kParts[i].name),
                                         "missing rule data file " + in_quotes(kParts[i].name)));
  if (packs.empty() && result.errors.empty())
    result.errors.push_back(file_error({}, "no line pack (otel-LINE.toml) in the rule data"));

  std::sort(packs.begin(), packs.end(),
            [](const data::Pack& a, const data::Pack& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < packs.size(); ++i)
    if (packs[i].key == packs[i - 1].key)
      result.errors.push_back(file_error(
          packs[i].line.file, "line " + in_quotes(packs[i].line.line) + " has two packs"));
  check_packs(packs, result.errors, rs.bridge_crate);

  // The target: a line with a pack, or "latest", the newest confirmed one.
  const data::Pack* chosen = nullptr;
  if (target == "latest") {
    for (const data::Pack& p : packs)
      if (p.line.confirmed) chosen = &p;
  } else if (auto key = parse_line_text(target)) {
    for (const data::Pack& p : packs)
      if (p.key == *key) chosen = &p;
  }
  if (!chosen && result.errors.empty()) {
    std::string available;
    for (const data::Pack& p : packs)
      available += (available.empty() ? "" : ", ") + p.line.line +
                   (p.line.confirmed ? std::string() : std::string(" (unconfirmed)"));
    result.errors.push_back(file_error(
        std::string(), "no rule pack for target " + in_quotes(target) +
                           " (available: " + (available.empty() ? std::string("none") : available) +
                           ", or \"latest\")"));
  }
  if (!result.errors.empty()) return result;

  rs.target = chosen->line.line;
  rs.required_features = chosen->required_features;
  rs.deprecated = chosen->deprecated;
  for (const auto& [name, e] : chosen->line.crates)
    rs.latest[name] = e.latest;
  for (ApiChange& ch : rs.api_changes)
    if (const Replacement* r = ch.replacement_for(rs.target)) ch.replacement = r->text;
  for (data::Pack& p : packs)
    rs.lines.push_back(std::move(p.line));
  result.ruleset = std::move(rs);
  return result;
}

namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return s.str();
}

/// The rule data files of a directory, sorted by name: the packs and the named parts.
std::vector<std::filesystem::path> data_paths(const std::filesystem::path& dir,
                                              std::error_code& ec) {
  std::vector<std::filesystem::path> out;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool part = std::any_of(std::begin(kParts), std::end(kParts),
                                  [&](const Part& p) { return p.name == name; });
    if (part || pack_line(name)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

RulesetResult load_ruleset(const std::filesystem::path& rules_dir, std::string_view target) {
  RulesetResult result;
  std::error_code ec;
  std::vector<std::filesystem::path> paths = data_paths(rules_dir, ec);
  if (ec) {
    result.errors.push_back(
        file_error(rules_dir.string(), "cannot read the rule data directory: " + ec.message()));
    return result;
  }
  std::vector<DataFile> files;
  for (const std::filesystem::path& p : paths) {
    auto text = read_file(p);
    if (!text) {
      result.errors.push_back(file_error(p.string(), "cannot read " + p.filename().string()));
      continue;
    }
    files.push_back({p.string(), std::move(*text)});
  }
  if (!result.errors.empty()) return result;
  result = parse_rule_data(files, target);
  for (Diagnostic& d : result.errors) // a missing file is named where it was looked for
    if (std::any_of(std::begin(kParts), std::end(kParts),
                    [&](const Part& p) { return p.name == d.loc.file; }))
      d.loc.file = (rules_dir / d.loc.file).string();
  if (result.ruleset) result.ruleset->rules_dir = rules_dir.string();
  return result;
}

std::vector<TargetInfo> available_targets(const std::filesystem::path& rules_dir) {
  std::vector<std::pair<LineKey, TargetInfo>> found;
  std::error_code ec;
  for (const std::filesystem::path& p : data_paths(rules_dir, ec)) {
    auto line = pack_line(p.filename().string());
    if (!line) continue;
    TargetInfo info;
    info.line = *line;
    if (auto text = read_file(p)) {
      std::vector<Diagnostic> errors;
      data::Checker c(errors, p.string());
      if (auto root = data::parse_toml(*text, c)) {
        info.released = (*root)["released"].value_or(std::string());
        info.confirmed = (*root)["confirmed"].value_or(true);
      }
    }
    found.emplace_back(*parse_line_text(*line), std::move(info));
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TargetInfo> out;
  for (auto& [k, info] : found)
    out.push_back(std::move(info));
  return out;
}

} // namespace otelaudit
