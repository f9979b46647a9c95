#include "scan/scan.h"

#include "common/redact.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace otelaudit {

namespace {

using Out = nlohmann::ordered_json;
using In = nlohmann::json;

// --- Writing ---------------------------------------------------------------------------------

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned min = 0, cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

/// A string of audited input: as it is when it is UTF-8, else its bytes in hex.
Out str(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(s.size() * 2);
  for (unsigned char c : s) {
    hex += kHex[c >> 4];
    hex += kHex[c & 0xF];
  }
  Out o = Out::object();
  o["hex"] = hex;
  return o;
}

Out loc_json(const Location& l) {
  Out a = Out::array();
  a.push_back(str(l.file));
  a.push_back(l.line);
  a.push_back(l.column);
  return a;
}

Out located_json(const Located& l) {
  Out o = Out::object();
  o["value"] = str(l.value);
  o["loc"] = loc_json(l.loc);
  return o;
}

std::string_view source_name(Dependency::Source s) {
  switch (s) {
  case Dependency::Source::registry:
    return "registry";
  case Dependency::Source::path:
    return "path";
  case Dependency::Source::git:
    return "git";
  }
  return "registry";
}

std::string_view kind_name(DepKind k) {
  switch (k) {
  case DepKind::normal:
    return "normal";
  case DepKind::dev:
    return "dev";
  case DepKind::build:
    return "build";
  }
  return "normal";
}

/// A dependency: the fields the graph and the declarations read; defaults are left out.
Out dependency_json(const Dependency& d) {
  Out o = Out::object();
  o["key"] = str(d.key);
  o["package"] = str(d.package);
  o["loc"] = loc_json(d.loc);
  o["kind"] = std::string(kind_name(d.kind));
  if (!d.target.empty()) o["target"] = str(d.target);
  if (d.req) o["req"] = located_json(*d.req);
  if (d.optional) o["optional"] = true;
  if (!d.default_features) o["default_features"] = false;
  o["source"] = std::string(source_name(d.source));
  for (auto [key, value] :
       {std::pair{"path", &d.path}, std::pair{"git", &d.git}, std::pair{"branch", &d.branch},
        std::pair{"tag", &d.tag}, std::pair{"rev", &d.rev}, std::pair{"registry", &d.registry}})
    if (!value->empty()) o[key] = str(*value);
  // A git URL's credentials stay out of the document (the graph matches URLs without them).
  if (!d.git.empty()) o["git"] = str(redact_url(d.git));
  if (d.workspace) o["workspace"] = true;
  if (d.inherited) o["inherited"] = true;
  return o;
}

Out dependencies_json(const std::vector<Dependency>& deps) {
  Out a = Out::array();
  for (const Dependency& d : deps)
    a.push_back(dependency_json(d));
  return a;
}

Out strings_json(const std::vector<std::string>& list) {
  Out a = Out::array();
  for (const std::string& s : list)
    a.push_back(str(s));
  return a;
}

Out cargo_json(const CargoModel& cargo) {
  Out manifests = Out::array();
  for (const Manifest& m : cargo.manifests) {
    Out o = Out::object();
    o["file"] = str(m.file);
    o["dir"] = str(m.dir);
    if (m.package) {
      Out p = Out::object();
      p["name"] = located_json(m.package->name);
      o["package"] = std::move(p);
    }
    if (m.workspace) {
      Out w = Out::object();
      w["loc"] = loc_json(m.workspace->loc);
      w["dependencies"] = dependencies_json(m.workspace->dependencies);
      o["workspace"] = std::move(w);
    }
    o["dependencies"] = dependencies_json(m.dependencies);
    manifests.push_back(std::move(o));
  }
  Out packages = Out::array();
  for (const PackageModel& p : cargo.packages) {
    Out o = Out::object();
    o["name"] = str(p.name);
    o["manifest_file"] = str(p.manifest_file);
    o["dir"] = str(p.dir);
    o["loc"] = loc_json(p.loc);
    o["workspace_root"] = str(p.workspace_root);
    o["dependencies"] = dependencies_json(p.dependencies);
    packages.push_back(std::move(o));
  }
  Out workspaces = Out::array();
  for (const WorkspaceModel& w : cargo.workspaces) {
    Out o = Out::object();
    o["manifest_file"] = str(w.manifest_file);
    o["members"] = strings_json(w.members);
    workspaces.push_back(std::move(o));
  }
  Out lockfiles = Out::array();
  for (const Lockfile& lf : cargo.lockfiles) {
    Out o = Out::object();
    o["file"] = str(lf.file);
    o["format"] = lf.format;
    Out pkgs = Out::array();
    for (const LockedPackage& p : lf.packages) {
      Out q = Out::object();
      q["name"] = str(p.name);
      q["version"] = str(p.version);
      q["source"] = str(p.source);
      q["dependencies"] = strings_json(p.dependencies);
      q["loc"] = loc_json(p.loc);
      pkgs.push_back(std::move(q));
    }
    o["packages"] = std::move(pkgs);
    lockfiles.push_back(std::move(o));
  }
  Out o = Out::object();
  o["manifests"] = std::move(manifests);
  o["packages"] = std::move(packages);
  o["workspaces"] = std::move(workspaces);
  o["lockfiles"] = std::move(lockfiles);
  return o;
}

Out finding_json(const Finding& f) {
  Out o = Out::object();
  o["rule"] = str(f.rule);
  o["severity"] = std::string(to_string(f.severity));
  o["repo"] = str(f.repo);
  o["loc"] = loc_json(f.loc);
  o["message"] = str(f.message);
  o["fix"] = str(f.fix);
  o["package"] = str(f.package);
  o["orphan"] = f.orphan;
  o["suppressed"] = f.suppressed;
  o["suppression"] = str(f.suppression);
  o["baselined"] = f.baselined;
  o["gate"] = std::string(to_string(f.gate));
  return o;
}

Out repo_json(const ScanDocument& doc) {
  const RepoResult& r = doc.result;
  Out o = Out::object();
  o["name"] = str(r.name);
  o["path"] = str(r.path);
  o["commit"] = str(r.commit);
  o["url"] = str(doc.url);
  o["root"] = str(doc.root);
  o["component"] = str(doc.component);
  o["otel_line"] = r.otel_line ? str(*r.otel_line) : Out(nullptr);
  o["exporter"] = str(r.exporter);
  o["bridge"] = str(r.bridge);
  o["has_lockfile"] = r.has_lockfile;
  Out deploy = Out::object();
  deploy["collector_in_path"] = std::string(to_string(r.deploy.collector_in_path));
  deploy["jaeger_otlp"] = std::string(to_string(r.deploy.jaeger_otlp));
  deploy["env_standard"] = std::string(to_string(r.deploy.env_standard));
  deploy["k8s_metadata"] = std::string(to_string(r.deploy.k8s_metadata));
  deploy["env_missing"] = strings_json(r.deploy.env_missing);
  o["deploy"] = std::move(deploy);
  Out crates = Out::array();
  for (const CrateUse& c : r.crates) {
    Out u = Out::object();
    u["name"] = str(c.name);
    u["requirement"] = str(c.requirement);
    u["resolved"] = c.resolved ? str(*c.resolved) : Out(nullptr);
    u["package"] = str(c.package);
    u["loc"] = loc_json(c.loc);
    crates.push_back(std::move(u));
  }
  o["crates"] = std::move(crates);
  Out findings = Out::array();
  for (const Finding& f : r.findings)
    findings.push_back(finding_json(f));
  o["findings"] = std::move(findings);
  Out allows = Out::array();
  for (const InlineAllow& a : r.allows) {
    Out e = Out::object();
    e["loc"] = loc_json(a.loc);
    e["rules"] = strings_json(a.rules);
    e["reason"] = str(a.reason);
    allows.push_back(std::move(e));
  }
  o["suppressions"] = std::move(allows);
  // A list of [line, text] pairs per file: JSON object keys would sort "10" before "9".
  Out sources = Out::array();
  for (const auto& [file, lines] : doc.source_lines) {
    Out s = Out::object();
    s["file"] = str(file);
    Out list = Out::array();
    for (const auto& [line, text] : lines) {
      Out pair = Out::array();
      pair.push_back(line);
      pair.push_back(str(text));
      list.push_back(std::move(pair));
    }
    s["lines"] = std::move(list);
    sources.push_back(std::move(s));
  }
  o["sources"] = std::move(sources);
  return o;
}

/// A string written as {"hex": "…"} (not UTF-8): printed like a scalar.
bool hex_string(const Out& j) {
  return j.is_object() && j.size() == 1 && j.contains("hex");
}

/// True for a value printed on one line: a scalar, or an array of scalars (a location, a
/// [line, text] pair, a list of names).
bool inline_value(const Out& j) {
  if (j.is_object()) return hex_string(j);
  if (!j.is_array()) return true;
  for (const Out& e : j)
    if (!(hex_string(e) || e.is_primitive())) return false;
  return true;
}

/// JSON with objects and arrays of objects indented by two spaces and everything else on one
/// line: a scan of a repository with thousands of locked packages stays readable and small.
void print(const Out& j, int depth, std::string& out) {
  const std::string pad(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string close_pad(static_cast<std::size_t>(depth) * 2, ' ');
  if (j.is_object() && !inline_value(j) && !j.empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      out += first ? "" : ",\n";
      first = false;
      out += pad + Out(key).dump() + ": ";
      print(value, depth + 1, out);
    }
    out += "\n" + close_pad + "}";
  } else if (j.is_array() && !inline_value(j)) {
    out += "[\n";
    for (std::size_t i = 0; i < j.size(); ++i) {
      out += i ? ",\n" + pad : pad;
      print(j[i], depth + 1, out);
    }
    out += "\n" + close_pad + "]";
  } else if (j.is_array()) {
    out += "[";
    for (std::size_t i = 0; i < j.size(); ++i) {
      out += i ? ", " : "";
      print(j[i], depth + 1, out);
    }
    out += "]";
  } else if (j.is_object() && !j.empty()) {
    out += "{\"hex\": " + j["hex"].dump() + "}";
  } else {
    out += j.dump();
  }
}

// --- Building --------------------------------------------------------------------------------

/// Line `number` (1-based) of `text` as written, `\r` included; nullopt past the end. Splits
/// exactly as the text report does, so the report finds the same line in the rebuilt text.
std::optional<std::string_view> raw_line(std::string_view text, int number) {
  if (number < 1) return std::nullopt;
  std::size_t start = 0;
  for (int n = 1; n < number; ++n) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return std::nullopt;
    start = nl + 1;
  }
  if (start >= text.size() && number > 1) return std::nullopt;
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  return text.substr(start, end - start);
}

/// Every location of the model, where set-level findings (cycles, link pairs, spread) point.
void cargo_locations(const CargoModel& cargo, std::set<std::pair<std::string, int>>& out) {
  auto add = [&out](const Location& l) {
    if (l.line > 0) out.emplace(l.file, l.line);
  };
  auto deps = [&add](const std::vector<Dependency>& list) {
    for (const Dependency& d : list) {
      add(d.loc);
      if (d.req) add(d.req->loc);
    }
  };
  for (const Manifest& m : cargo.manifests) {
    if (m.package) add(m.package->name.loc);
    if (m.workspace) {
      add(m.workspace->loc);
      deps(m.workspace->dependencies);
    }
    deps(m.dependencies);
  }
  for (const PackageModel& p : cargo.packages) {
    add(p.loc);
    deps(p.dependencies);
  }
  for (const Lockfile& lf : cargo.lockfiles)
    for (const LockedPackage& p : lf.packages)
      add(Location{p.loc.file.empty() ? lf.file : p.loc.file, p.loc.line, p.loc.column});
}

/// The subset of a dependency the set-level analysis reads.
Dependency trimmed(Dependency d) {
  d.features.clear();
  return d;
}

/// The text the reports read lines from, rebuilt from the kept lines: each at its number, the
/// lines between empty, a final newline after the last so an empty last line is still a line.
std::map<std::string, std::string>
texts_from_lines(const std::map<std::string, std::map<int, std::string>>& lines) {
  std::map<std::string, std::string> out;
  for (const auto& [file, kept] : lines) {
    std::string text;
    int at = 1;
    for (const auto& [line, content] : kept) {
      text.append(static_cast<std::size_t>(line - at), '\n');
      text += content;
      text += '\n';
      at = line + 1;
    }
    out.emplace(file, std::move(text));
  }
  return out;
}

// --- Reading ---------------------------------------------------------------------------------

/// A value of the wrong shape: the JSON pointer of the value and what was expected. Thrown and
/// caught inside parse_scan only.
struct Malformed {
  std::string pointer;
  std::string what;
};

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + std::string(key);
}
std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

const In& object_at(const In& j, const std::string& p) {
  if (!j.is_object()) throw Malformed{p, "expected an object"};
  return j;
}

const In& array_at(const In& j, const std::string& p) {
  if (!j.is_array()) throw Malformed{p, "expected an array"};
  return j;
}

/// A member that must be present.
const In& member(const In& obj, const std::string& p, std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) throw Malformed{child(p, key), "missing"};
  return *it;
}

std::string string_value(const In& j, const std::string& p) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.size() == 1 && j.contains("hex") && j["hex"].is_string()) {
    const std::string& hex = j["hex"].get_ref<const std::string&>();
    auto nibble = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      throw Malformed{child(p, "hex"), "expected lowercase hexadecimal digits"};
    };
    if (hex.size() % 2) throw Malformed{child(p, "hex"), "expected an even number of digits"};
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
      out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    return out;
  }
  throw Malformed{p, "expected a string"};
}

/// A string member; absent gives "".
std::string opt_string(const In& obj, const std::string& p, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it == obj.end() ? std::string() : string_value(*it, child(p, key));
}

std::string req_string(const In& obj, const std::string& p, std::string_view key) {
  return string_value(member(obj, p, key), child(p, key));
}

bool opt_bool(const In& obj, const std::string& p, std::string_view key, bool fallback) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return fallback;
  if (!it->is_boolean()) throw Malformed{child(p, key), "expected true or false"};
  return it->get<bool>();
}

int int_value(const In& j, const std::string& p) {
  if (!j.is_number_integer()) throw Malformed{p, "expected an integer"};
  const auto v = j.get<std::int64_t>();
  if (v < 0 || v > 1'000'000'000) throw Malformed{p, "expected an integer from 0 to 10^9"};
  return static_cast<int>(v);
}

std::optional<std::string> nullable_string(const In& obj, const std::string& p,
                                           std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return std::nullopt;
  return string_value(*it, child(p, key));
}

Location loc_value(const In& j, const std::string& p) {
  if (!j.is_array() || j.size() != 3) throw Malformed{p, "expected [file, line, column]"};
  return Location{string_value(j[0], child(p, 0)), int_value(j[1], child(p, 1)),
                  int_value(j[2], child(p, 2))};
}

Located located_value(const In& j, const std::string& p) {
  object_at(j, p);
  return Located{req_string(j, p, "value"), loc_value(member(j, p, "loc"), child(p, "loc"))};
}

/// One of `values`, written as `name` writes it (the names the document was written with).
template <typename E, std::size_t N>
E enum_value(const In& obj, const std::string& p, std::string_view key, const E (&values)[N],
             std::string_view (*name)(E)) {
  const std::string value = req_string(obj, p, key);
  for (E e : values)
    if (value == name(e)) return e;
  std::string list;
  for (E e : values)
    list += (list.empty() ? "" : ", ") + std::string(name(e));
  throw Malformed{child(p, key), "\"" + value + "\" is not one of " + list};
}

// Every value of each enum a document holds; their names are those the writer uses.
constexpr DepKind kKinds[] = {DepKind::normal, DepKind::dev, DepKind::build};
constexpr Dependency::Source kSources[] = {Dependency::Source::registry, Dependency::Source::path,
                                           Dependency::Source::git};
constexpr GateEffect kGates[] = {GateEffect::normal, GateEffect::warn, GateEffect::deny};
constexpr Severity kSeverities[] = {Severity::info, Severity::low, Severity::medium, Severity::high,
                                    Severity::blocker};
constexpr deploy::Check kChecks[] = {deploy::Check::yes, deploy::Check::no,
                                     deploy::Check::not_applicable};

std::vector<std::string> strings_value(const In& j, const std::string& p) {
  array_at(j, p);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i)
    out.push_back(string_value(j[i], child(p, i)));
  return out;
}

Dependency dependency_value(const In& j, const std::string& p) {
  object_at(j, p);
  Dependency d;
  d.key = req_string(j, p, "key");
  d.package = req_string(j, p, "package");
  d.loc = loc_value(member(j, p, "loc"), child(p, "loc"));
  d.kind = enum_value(j, p, "kind", kKinds, kind_name);
  d.target = opt_string(j, p, "target");
  if (auto it = j.find("req"); it != j.end() && !it->is_null())
    d.req = located_value(*it, child(p, "req"));
  d.optional = opt_bool(j, p, "optional", false);
  d.default_features = opt_bool(j, p, "default_features", true);
  d.source = enum_value(j, p, "source", kSources, source_name);
  d.path = opt_string(j, p, "path");
  d.git = opt_string(j, p, "git");
  d.branch = opt_string(j, p, "branch");
  d.tag = opt_string(j, p, "tag");
  d.rev = opt_string(j, p, "rev");
  d.registry = opt_string(j, p, "registry");
  d.workspace = opt_bool(j, p, "workspace", false);
  d.inherited = opt_bool(j, p, "inherited", false);
  return d;
}

std::vector<Dependency> dependencies_value(const In& obj, const std::string& p) {
  const std::string at = child(p, "dependencies");
  const In& list = array_at(member(obj, p, "dependencies"), at);
  std::vector<Dependency> out;
  for (std::size_t i = 0; i < list.size(); ++i)
    out.push_back(dependency_value(list[i], child(at, i)));
  return out;
}

/// Calls `each(element, pointer)` for every element of the array member `key`.
template <typename F>
void for_each_in(const In& obj, const std::string& p, std::string_view key, F each) {
  const std::string at = child(p, key);
  const In& list = array_at(member(obj, p, key), at);
  for (std::size_t i = 0; i < list.size(); ++i)
    each(list[i], child(at, i));
}

CargoModel cargo_value(const In& j, const std::string& p) {
  object_at(j, p);
  CargoModel cargo;
  for_each_in(j, p, "manifests", [&](const In& m, const std::string& at) {
    object_at(m, at);
    Manifest man;
    man.file = req_string(m, at, "file");
    man.dir = req_string(m, at, "dir");
    if (auto it = m.find("package"); it != m.end() && !it->is_null()) {
      const std::string pp = child(at, "package");
      object_at(*it, pp);
      PackageDecl decl;
      decl.name = located_value(member(*it, pp, "name"), child(pp, "name"));
      man.package = std::move(decl);
    }
    if (auto it = m.find("workspace"); it != m.end() && !it->is_null()) {
      const std::string wp = child(at, "workspace");
      object_at(*it, wp);
      WorkspaceDecl ws;
      ws.loc = loc_value(member(*it, wp, "loc"), child(wp, "loc"));
      ws.dependencies = dependencies_value(*it, wp);
      man.workspace = std::move(ws);
    }
    man.dependencies = dependencies_value(m, at);
    cargo.manifests.push_back(std::move(man));
  });
  for_each_in(j, p, "packages", [&](const In& q, const std::string& at) {
    object_at(q, at);
    PackageModel pm;
    pm.name = req_string(q, at, "name");
    pm.manifest_file = req_string(q, at, "manifest_file");
    pm.dir = req_string(q, at, "dir");
    pm.loc = loc_value(member(q, at, "loc"), child(at, "loc"));
    pm.workspace_root = opt_string(q, at, "workspace_root");
    pm.dependencies = dependencies_value(q, at);
    cargo.packages.push_back(std::move(pm));
  });
  for_each_in(j, p, "workspaces", [&](const In& w, const std::string& at) {
    object_at(w, at);
    WorkspaceModel wm;
    wm.manifest_file = req_string(w, at, "manifest_file");
    wm.members = strings_value(member(w, at, "members"), child(at, "members"));
    cargo.workspaces.push_back(std::move(wm));
  });
  for_each_in(j, p, "lockfiles", [&](const In& l, const std::string& at) {
    object_at(l, at);
    Lockfile lf;
    lf.file = req_string(l, at, "file");
    lf.format = int_value(member(l, at, "format"), child(at, "format"));
    for_each_in(l, at, "packages", [&](const In& q, const std::string& qp) {
      object_at(q, qp);
      LockedPackage pkg;
      pkg.name = req_string(q, qp, "name");
      pkg.version = req_string(q, qp, "version");
      pkg.source = opt_string(q, qp, "source");
      pkg.dependencies = strings_value(member(q, qp, "dependencies"), child(qp, "dependencies"));
      pkg.loc = loc_value(member(q, qp, "loc"), child(qp, "loc"));
      lf.packages.push_back(std::move(pkg));
    });
    cargo.lockfiles.push_back(std::move(lf));
  });
  return cargo;
}

deploy::DeploySummary deploy_value(const In& j, const std::string& p) {
  object_at(j, p);
  deploy::DeploySummary d;
  d.collector_in_path = enum_value(j, p, "collector_in_path", kChecks, deploy::to_string);
  d.jaeger_otlp = enum_value(j, p, "jaeger_otlp", kChecks, deploy::to_string);
  d.env_standard = enum_value(j, p, "env_standard", kChecks, deploy::to_string);
  d.k8s_metadata = enum_value(j, p, "k8s_metadata", kChecks, deploy::to_string);
  d.env_missing = strings_value(member(j, p, "env_missing"), child(p, "env_missing"));
  return d;
}

Finding finding_value(const In& j, const std::string& p) {
  object_at(j, p);
  Finding f;
  f.rule = req_string(j, p, "rule");
  f.severity = enum_value(j, p, "severity", kSeverities, to_string);
  f.repo = req_string(j, p, "repo");
  f.loc = loc_value(member(j, p, "loc"), child(p, "loc"));
  f.message = req_string(j, p, "message");
  f.fix = opt_string(j, p, "fix");
  f.package = opt_string(j, p, "package");
  f.orphan = opt_bool(j, p, "orphan", false);
  f.suppressed = opt_bool(j, p, "suppressed", false);
  f.suppression = opt_string(j, p, "suppression");
  f.baselined = opt_bool(j, p, "baselined", false);
  f.gate = j.contains("gate") ? enum_value(j, p, "gate", kGates, to_string) : GateEffect::normal;
  return f;
}

void repo_value(const In& j, const std::string& p, ScanDocument& doc) {
  object_at(j, p);
  RepoResult& r = doc.result;
  r.name = req_string(j, p, "name");
  if (r.name.empty()) throw Malformed{child(p, "name"), "expected a repository name"};
  r.path = opt_string(j, p, "path");
  r.commit = opt_string(j, p, "commit");
  doc.url = opt_string(j, p, "url");
  doc.root = opt_string(j, p, "root");
  doc.component = opt_string(j, p, "component");
  r.otel_line = nullable_string(j, p, "otel_line");
  r.exporter = opt_string(j, p, "exporter");
  r.bridge = opt_string(j, p, "bridge");
  r.has_lockfile = opt_bool(j, p, "has_lockfile", false);
  // Added within v1: a document written before it has no deployment answers.
  if (auto it = j.find("deploy"); it != j.end()) r.deploy = deploy_value(*it, child(p, "deploy"));
  for_each_in(j, p, "crates", [&](const In& c, const std::string& at) {
    object_at(c, at);
    CrateUse use;
    use.name = req_string(c, at, "name");
    use.requirement = opt_string(c, at, "requirement");
    use.resolved = nullable_string(c, at, "resolved");
    use.package = opt_string(c, at, "package");
    use.loc = loc_value(member(c, at, "loc"), child(at, "loc"));
    r.crates.push_back(std::move(use));
  });
  for_each_in(j, p, "findings", [&](const In& f, const std::string& at) {
    r.findings.push_back(finding_value(f, at));
  });
  // Added within v1: a document written before it has its comments applied to its findings.
  if (j.contains("suppressions"))
    for_each_in(j, p, "suppressions", [&](const In& a, const std::string& at) {
      object_at(a, at);
      InlineAllow allow;
      allow.loc = loc_value(member(a, at, "loc"), child(at, "loc"));
      allow.rules = strings_value(member(a, at, "rules"), child(at, "rules"));
      allow.reason = opt_string(a, at, "reason");
      r.allows.push_back(std::move(allow));
    });
  for_each_in(j, p, "sources", [&](const In& s, const std::string& at) {
    object_at(s, at);
    auto& lines = doc.source_lines[req_string(s, at, "file")];
    for_each_in(s, at, "lines", [&](const In& pair, const std::string& lp) {
      if (!pair.is_array() || pair.size() != 2) throw Malformed{lp, "expected [line, text]"};
      const int line = int_value(pair[0], child(lp, 0));
      if (line < 1) throw Malformed{child(lp, 0), "expected a line number from 1"};
      lines[line] = string_value(pair[1], child(lp, 1));
    });
  });
  r.sources = texts_from_lines(doc.source_lines);
}

} // namespace

ScanDocument make_scan_document(RepoAudit audit, const RepoInput& input, std::string target) {
  ScanDocument doc;
  doc.target = std::move(target);
  doc.url = input.url;
  doc.root = input.tree_root;
  doc.component = input.component;
  doc.result = std::move(audit.result);
  for (const Manifest& m : audit.cargo.manifests) {
    Manifest kept;
    kept.file = m.file;
    kept.dir = m.dir;
    if (m.package) {
      kept.package.emplace();
      kept.package->name = m.package->name;
    }
    if (m.workspace) {
      kept.workspace.emplace();
      kept.workspace->loc = m.workspace->loc;
      for (const Dependency& d : m.workspace->dependencies)
        kept.workspace->dependencies.push_back(trimmed(d));
    }
    for (const Dependency& d : m.dependencies)
      kept.dependencies.push_back(trimmed(d));
    doc.cargo.manifests.push_back(std::move(kept));
  }
  for (PackageModel& p : audit.cargo.packages) {
    for (Dependency& d : p.dependencies)
      d.features.clear();
    doc.cargo.packages.push_back(std::move(p));
  }
  doc.cargo.workspaces = std::move(audit.cargo.workspaces);
  doc.cargo.lockfiles = std::move(audit.cargo.lockfiles);

  std::set<std::pair<std::string, int>> wanted;
  for (const Finding& f : doc.result.findings)
    if (f.loc.line > 0) wanted.emplace(f.loc.file, f.loc.line);
  for (const InlineAllow& a : doc.result.allows)
    if (a.loc.line > 0) wanted.emplace(a.loc.file, a.loc.line);
  cargo_locations(doc.cargo, wanted);
  for (const auto& [file, line] : wanted) {
    auto text = doc.result.sources.find(file);
    if (text == doc.result.sources.end()) continue;
    if (auto l = raw_line(text->second, line)) doc.source_lines[file][line] = std::string(*l);
  }
  doc.result.sources = texts_from_lines(doc.source_lines);
  doc.result.status = RepoStatus::no_otel;
  doc.result.score = 100;
  return doc;
}

std::string render_scan(const ScanDocument& doc) {
  Out o = Out::object();
  o["schema"] = std::string(kScanSchema);
  o["otel_audit_version"] = OTEL_AUDIT_VERSION;
  o["target"] = str(doc.target);
  o["repo"] = repo_json(doc);
  o["cargo"] = cargo_json(doc.cargo);
  std::string out;
  print(o, 0, out);
  return out + "\n";
}

ScanParseResult parse_scan(std::string_view text, const std::string& file) {
  ScanParseResult out;
  const std::string where = "scan file \"" + file + "\"";
  In j;
  try {
    j = In::parse(text);
  } catch (const In::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: …": keep the position.
    if (auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    out.error = where + " is not valid JSON: " + what;
    return out;
  }
  const std::string kind = " is not an " + std::string(kScanSchema) + " document: ";
  if (!j.is_object()) {
    out.error = where + kind + "the top level is not an object";
    return out;
  }
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string()) {
    out.error = where + kind + "no \"schema\" string";
    return out;
  }
  if (schema->get_ref<const std::string&>() != kScanSchema) {
    out.error = where + kind + "\"schema\" is \"" + schema->get<std::string>() + "\"";
    return out;
  }
  try {
    ScanDocument doc;
    doc.target = req_string(j, "", "target");
    repo_value(member(j, "", "repo"), "/repo", doc);
    doc.cargo = cargo_value(member(j, "", "cargo"), "/cargo");
    out.document = std::move(doc);
  } catch (const Malformed& m) {
    out.error = where + kind + "at " + m.pointer + ": " + m.what;
  } catch (const In::exception& e) {
    out.error = where + kind + e.what();
  }
  return out;
}

ScanParseResult load_scan(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    ScanParseResult out;
    out.error = "cannot read scan file \"" + file.string() + "\"";
    return out;
  }
  return parse_scan(text.str(), file.string());
}

RepoInput scan_input(const ScanDocument& document) {
  RepoInput input(document.result.name, document.result.path, nullptr, document.result.commit,
                  document.component);
  input.url = document.url;
  input.tree_root = document.root;
  return input;
}

} // namespace otelaudit
