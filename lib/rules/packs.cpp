#include <algorithm>
#include <set>

#include "rules/data_readers.h"

namespace otelaudit::data {

namespace {

/// The crates whose feature lists every confirmed pack must give: the ones the feature rules
/// judge (a feature a crate does not have is a manifest Cargo refuses).
constexpr std::string_view kFeatureCrates[] = {"opentelemetry", "opentelemetry_sdk",
                                               "opentelemetry-otlp"};

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
  return true;
}

/// A `matches` entry: "0.27" (a minor, every patch) or "0.29.1" (one release); "1" for a
/// whole major from 1.0 on.
bool valid_prefix(std::string_view s) {
  auto parts = split_numbers(s, 3);
  return parts && (parts->size() >= 2 || (*parts)[0] > 0);
}

/// Reads the keys shared by `[[crate]]` and `[bridge]` into `e`; false when one is missing or
/// wrong (already reported).
bool read_crate(const toml::table& t, Checker& c, std::string_view where, bool named,
                CrateOnLine& e) {
  bool ok = true;
  if (named) {
    if (auto v = c.text(t, "name", where))
      e.name = *v;
    else
      ok = false;
    if (auto v = c.text(t, "repository", where))
      e.repository = *v;
    else
      ok = false;
  } else {
    if (auto v = c.text(t, "crate", where))
      e.name = *v;
    else
      ok = false;
  }
  e.loc = {c.file(), static_cast<int>(t.source().begin.line),
           static_cast<int>(t.source().begin.column)};
  if (auto m = c.string_list(t, "matches", where, true)) {
    if (std::all_of(m->begin(), m->end(), valid_prefix)) {
      e.matches = std::move(*m);
    } else {
      c.error(*t.get("matches"), "\"matches\" in " + std::string(where) +
                                     " lists version prefixes like \"0.27\" or \"0.29.1\"");
      ok = false;
    }
  } else {
    ok = false;
  }
  if (auto latest = c.text(t, "latest", where)) {
    auto parsed = parse_version(*latest);
    if (!parsed || !parsed->pre.empty()) {
      c.error(*t.get("latest"), "\"latest\" must be a release like \"0.27.1\"");
      ok = false;
    } else {
      e.latest = *latest;
      if (!e.matches.empty() && e.match_rank(*parsed) == 0) {
        c.error(*t.get("latest"), "\"latest\" " + in_quotes(*latest) +
                                      " is not one of the releases \"matches\" lists");
        ok = false;
      }
    }
  } else {
    ok = false;
  }
  if (auto s = c.text(t, "source", where))
    e.source = *s;
  else
    ok = false;
  auto confirmed = c.boolean(t, "confirmed", where, true);
  auto deprecated = c.boolean(t, "deprecated", where, false);
  if (!confirmed || !deprecated) return false;
  e.confirmed = *confirmed;
  e.deprecated = *deprecated;

  auto defaults = c.string_list(t, "default-features", where, false, false);
  auto features = c.string_list(t, "features", where, false, false);
  if ((t.get("default-features") && !defaults) || (t.get("features") && !features)) ok = false;
  if (defaults || features) {
    if (!c.text(t, "features-source", where)) ok = false;
    if (!features) {
      c.error(t, "\"default-features\" without \"features\" in " + std::string(where) +
                     ": give every feature of the crate");
      ok = false;
    }
  } else if (t.get("features-source")) {
    c.error(*t.get("features-source"), "\"features-source\" without \"features\"");
    ok = false;
  }
  if (features) {
    e.features = std::move(*features);
    e.features_known = true;
  }
  if (const toml::table* imp = c.table(t, "implies")) {
    if (!features) {
      c.error(*imp, "\"implies\" without \"features\" in " + std::string(where));
      ok = false;
    }
    if (!c.text(t, "implies-source", where)) ok = false;
    for (const auto& [k, v] : *imp) {
      const std::string feature(k.str());
      auto list = c.strings(v, "implies." + feature, true);
      if (!list) {
        ok = false;
        continue;
      }
      // The feature and what it enables of the crate itself must be features of the crate.
      std::vector<std::string> own{feature};
      for (const std::string& f : *list)
        if (f.find('/') == std::string::npos) own.push_back(f);
      for (const std::string& name : own)
        if (e.features_known &&
            std::find(e.features.begin(), e.features.end(), name) == e.features.end()) {
          c.error(v, "implied feature " + in_quotes(name) + " is not in \"features\"");
          ok = false;
        }
      e.implies.emplace(feature, std::move(*list));
    }
  } else if (t.get("implies-source")) {
    c.error(*t.get("implies-source"), "\"implies-source\" without \"implies\"");
    ok = false;
  }
  if (defaults) {
    for (const std::string& f : *defaults)
      if (e.features_known &&
          std::find(e.features.begin(), e.features.end(), f) == e.features.end()) {
        c.error(*t.get("default-features"),
                "default feature " + in_quotes(f) + " is not in \"features\"");
        ok = false;
      }
    e.default_features = std::move(*defaults);
  }
  return ok;
}

/// Policy that rests on facts not read in a primary source (`confirmed = false`) is never a
/// blocker: a blocker decides NO-GO, and an unconfirmed fact must not decide it.
std::optional<Severity> unconfirmed_capped(std::optional<Severity> s,
                                           std::optional<bool> confirmed) {
  if (!s || !confirmed) return std::nullopt;
  if (!*confirmed && *s == Severity::blocker) return Severity::high;
  return s;
}

} // namespace

void read_pack(const toml::table& root, Checker& c, Pack& out) {
  c.only_keys(root,
              {"schema", "line", "released", "confirmed", "source", "bridge", "crate", "deprecated",
               "required-features"},
              "a line pack");
  c.schema(root, 2);
  LineInfo& line = out.line;
  line.file = c.file();
  auto key = c.line_string(root, "line", "a line pack", true);
  if (key) {
    line.line = key->first;
    out.key = key->second;
  }
  if (auto d = c.text(root, "released", "a line pack")) {
    if (!is_date(*d))
      c.error(*root.get("released"), "\"released\" must be a date like \"2024-11-11\"");
    else
      line.released = *d;
  }
  c.text(root, "source", "a line pack");
  if (auto confirmed = c.boolean(root, "confirmed", "a line pack", true))
    line.confirmed = *confirmed;

  if (const toml::table* b = c.table(root, "bridge")) {
    constexpr std::string_view where = "[bridge]";
    c.only_keys(*b, {"crate", "matches", "latest", "source", "confirmed"}, where);
    CrateOnLine e;
    if (read_crate(*b, c, where, false, e)) line.bridge = std::move(e);
  }

  // Crates named by an entry, valid or not: an entry with an error is reported once, not again
  // by every policy entry naming it.
  std::set<std::string> named;
  for (const toml::table* t : c.tables(root, "crate")) {
    constexpr std::string_view where = "[[crate]]";
    c.only_keys(*t,
                {"name", "repository", "matches", "latest", "source", "default-features",
                 "features", "features-source", "implies", "implies-source", "deprecated",
                 "confirmed"},
                where);
    CrateOnLine e;
    const bool ok = read_crate(*t, c, where, true, e);
    const bool fresh = e.name.empty() || named.insert(e.name).second;
    if (!ok) continue;
    if (!fresh) {
      c.error(*t->get("name"), "crate " + in_quotes(e.name) + " is listed twice");
      continue;
    }
    const bool needs_features = std::find(std::begin(kFeatureCrates), std::end(kFeatureCrates),
                                          e.name) != std::end(kFeatureCrates);
    if (needs_features && e.confirmed && !e.features_known)
      c.error(*t, "crate " + in_quotes(e.name) +
                      " needs \"default-features\", \"features\" and \"features-source\"");
    if (key && e.name == "opentelemetry") {
      auto v = parse_version(e.latest);
      if (v && parse_line_text(v->line()) != key->second)
        c.error(*t->get("latest"), "\"opentelemetry\" " + in_quotes(e.latest) +
                                       " is not a release of line " + in_quotes(key->first));
    }
    line.crates.emplace(e.name, std::move(e));
  }
  if (key && !named.count("opentelemetry"))
    c.error(root,
            "the pack of line " + in_quotes(key->first) + " must list the crate \"opentelemetry\"");

  auto on_line = [&](const std::string& crate) { return named.count(crate) > 0; };
  const std::string line_name = in_quotes(line.line);

  for (const toml::table* t : c.tables(root, "deprecated")) {
    constexpr std::string_view where = "[[deprecated]]";
    c.only_keys(*t, {"crate", "replacement", "reason", "fix", "severity", "source", "confirmed"},
                where);
    auto crate = c.text(*t, "crate", where);
    auto replacement = c.text(*t, "replacement", where);
    auto reason = c.text(*t, "reason", where);
    auto fix = c.text(*t, "fix", where);
    auto severity =
        unconfirmed_capped(c.severity(*t, where), c.boolean(*t, "confirmed", where, true));
    auto source = c.text(*t, "source", where);
    if (replacement && !on_line(*replacement)) {
      c.error(*t->get("replacement"), std::string(where) + " replacement " +
                                          in_quotes(*replacement) + " is not a crate of line " +
                                          line_name);
      continue;
    }
    if (crate && line.crates.count(*crate) && !line.crates.at(*crate).deprecated) {
      c.error(*t->get("crate"), std::string(where) + " crate " + in_quotes(*crate) +
                                    " is a crate of line " + line_name +
                                    " not marked deprecated = true");
      continue;
    }
    if (crate && replacement && reason && fix && severity && source)
      out.deprecated.push_back({*crate, *replacement, *reason, *fix, *severity, *source});
  }

  for (const toml::table* t : c.tables(root, "required-features")) {
    constexpr std::string_view where = "[[required-features]]";
    c.only_keys(*t, {"crate", "features", "when-calls", "severity", "source", "confirmed"}, where);
    auto crate = c.text(*t, "crate", where);
    auto features = c.string_list(*t, "features", where, true);
    std::optional<std::vector<std::string>> calls = std::vector<std::string>{};
    if (t->get("when-calls")) {
      calls = c.string_list(*t, "when-calls", where, true);
      if (calls)
        for (const std::string& name : *calls)
          if (name.empty() || name.find_first_of(":.( ") != std::string::npos) {
            c.error(*t->get("when-calls"),
                    "\"when-calls\" lists method or function names like \"with_tonic\"");
            calls.reset();
            break;
          }
    }
    auto severity =
        unconfirmed_capped(c.severity(*t, where), c.boolean(*t, "confirmed", where, true));
    auto source = c.text(*t, "source", where);
    if (!crate || !features || !calls || !severity || !source) continue;
    if (!on_line(*crate)) {
      c.error(*t->get("crate"), std::string(where) + " crate " + in_quotes(*crate) +
                                    " is not a crate of line " + line_name);
      continue;
    }
    auto entry = line.crates.find(*crate);
    if (entry == line.crates.end()) continue; // its own entry has an error
    const CrateOnLine& e = entry->second;
    bool known = true;
    for (const std::string& f : *features)
      if (e.features_known &&
          std::find(e.features.begin(), e.features.end(), f) == e.features.end()) {
        c.error(*t->get("features"), "feature " + in_quotes(f) + " is not a feature of " +
                                         in_quotes(*crate) + " on line " + line_name);
        known = false;
      }
    if (!known) continue;
    FeatureRequirement fr;
    fr.crate = *crate;
    fr.source = *source;
    fr.features = std::move(*features);
    fr.severity = *severity;
    fr.when_calls = std::move(*calls);
    out.required_features.push_back(std::move(fr));
  }
}

} // namespace otelaudit::data
