#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "rules/families/source.h"

namespace otelaudit {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && upper(a) == upper(b);
}

/// The macros that open a span, by their last path segment.
bool is_span_macro(std::string_view callee) {
  static const std::set<std::string_view> kMacros = {"span",      "trace_span", "debug_span",
                                                     "info_span", "warn_span",  "error_span"};
  auto segments = source::split_path(callee);
  return kMacros.count(segments.back()) > 0;
}

} // namespace

// Heuristic (docs/rules.md, span-name-format):
//  - well-formed: `METHOD /route` (METHOD from [http] methods, upper case, one space, a route
//    starting with `/` and holding no space), or METHOD alone;
//  - looks like an HTTP span name: it starts with `/`; or its first word (up to the first
//    space, `_`, `-`, `:` or `.`) is a method written in upper case (`POST_chat`); or its first
//    word is a method in any case and the rest starts with `/` (`post /chat`);
//  - anything else (`handle_request`, `get_user`, `db.query`) is not judged.
bool http_span_name_malformed(std::string_view name, const Conventions& conv,
                              std::string& suggestion) {
  auto is_method = [&](std::string_view w) {
    return std::find(conv.http_methods.begin(), conv.http_methods.end(), w) !=
           conv.http_methods.end();
  };
  const auto word_end = name.find_first_of(" _-:.");
  const std::string_view word = name.substr(0, word_end);
  const std::string_view rest =
      word_end == std::string_view::npos ? std::string_view() : name.substr(word_end + 1);

  if (is_method(word)) {
    if (word_end == std::string_view::npos) return false; // "GET" alone
    if (name[word_end] == ' ' && rest.starts_with('/') && rest.find(' ') == std::string_view::npos)
      return false;
  }
  const bool method_first = is_method(word) || (is_method(upper(word)) && rest.starts_with('/'));
  if (!name.starts_with('/') && !method_first) return false;

  if (method_first) {
    std::string route(rest);
    while (!route.empty() && (route.front() == ' ' || route.front() == ':'))
      route.erase(0, 1);
    if (!route.starts_with('/')) route.insert(route.begin(), '/');
    std::replace(route.begin(), route.end(), ' ', '-');
    suggestion = upper(word) + " " + route;
  } else {
    suggestion = "{METHOD} " + std::string(name);
  }
  return true;
}

void check_http_conventions(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const Conventions& conv = rules.conventions;
  if (!conv.loaded) return;
  const std::vector<source::FileView> files = source::production_files(repo);
  // Per package: whether its compiled code names the request-id header, and where it serves.
  struct Serving {
    const PackageModel* package = nullptr;
    const Dependency* http = nullptr;
    const rust::Call* call = nullptr;
    const std::string* file = nullptr;
  };
  std::set<const PackageModel*> names_request_id;
  std::vector<Serving> serving;
  for (const PackageModel& package : repo.cargo.packages) {
    const Dependency* http = nullptr;
    for (const Dependency& d : package.dependencies)
      if (!http && d.kind != DepKind::dev &&
          std::find(conv.http_crates.begin(), conv.http_crates.end(), d.package) !=
              conv.http_crates.end())
        http = &d;

    bool request_id = false;
    // The call that shows the package serves HTTP: compiled production code building a router
    // or server. Naming the crate is not enough (a client, a library of extractors).
    const rust::Call* serves = nullptr;
    const std::string* serves_file = nullptr;
    for (const source::FileView& v : files) {
      if (v.package != &package) continue;
      const rust::FileFacts& facts = *v.facts;
      if (!v.orphan()) {
        const source::Imports imports = source::imports_for(v);
        for (const rust::Call& c : facts.calls) {
          if (!http || serves || c.in_test || c.macro || c.quoted ||
              source::line_in_test(facts, c.pos.line))
            continue;
          // `use axum::serve; serve(listener, app)` is axum::serve.
          std::string callee = c.callee;
          if (!c.method) {
            callee.clear();
            for (const std::string& seg :
                 source::resolve(source::split_path(c.callee), imports, v.package))
              callee += (callee.empty() ? "" : "::") + seg;
          }
          if (std::any_of(conv.http_server_calls.begin(), conv.http_server_calls.end(),
                          [&](const std::string& s) {
                            return (!c.method || s.find("::") == std::string::npos) &&
                                   source::callee_is(callee, s);
                          })) {
            serves = &c;
            serves_file = v.file;
          }
        }
        for (const rust::Arg& s : facts.strings)
          if (!source::line_in_test(facts, s.pos.line) &&
              equal_ignoring_case(s.value, conv.request_id_header))
            request_id = true;
        // tower-http names the header itself: SetRequestIdLayer::x_request_id(…),
        // ServiceBuilder::propagate_x_request_id().
        for (const rust::Call& c : facts.calls)
          if (!c.in_test && !c.macro && !source::line_in_test(facts, c.pos.line) &&
              std::find(conv.request_id_calls.begin(), conv.request_id_calls.end(),
                        source::split_path(c.callee).back()) != conv.request_id_calls.end())
            request_id = true;
      }

      // Span names are judged in packages that use an HTTP framework.
      if (!http) continue;
      std::vector<const rust::Arg*> names;
      for (const rust::Call& c : facts.calls) {
        if (!c.macro || c.in_test || !is_span_macro(c.callee)) continue;
        auto first = std::find_if(c.args.begin(), c.args.end(),
                                  [](const rust::Arg& a) { return a.literal; });
        if (first != c.args.end()) names.push_back(&*first);
      }
      for (const rust::Attribute& a : facts.attributes) {
        if (a.in_test || source::split_path(a.path).back() != "instrument") continue;
        for (const auto& [key, value] : a.values)
          if (key == "name" && value.literal) names.push_back(&value);
      }
      for (const rust::Arg* n : names) {
        std::string suggestion;
        if (source::line_in_test(facts, n->pos.line) ||
            !http_span_name_malformed(n->value, conv, suggestion))
          continue;
        source::emit_at(sink, "span-name-format", v, n->pos,
                        fmt::format("HTTP span name \"{}\" is not in the form {}: use \"{}\"",
                                    n->value, conv.span_name_pattern, suggestion),
                        fmt::format("\"{}\"", suggestion));
      }
    }
    if (request_id) names_request_id.insert(&package);
    if (serves) serving.push_back({&package, http, serves, serves_file});
  }

  // Request ids are a service's set-up: a package that serves is judged for the binaries built
  // from it, and the header may be handled by any package of such a binary (its middleware
  // crate, its main). A library no binary of the repository uses is left to its users.
  const std::vector<source::Service> services = source::services(repo);
  for (const Serving& s : serving) {
    std::vector<std::string> lacking;
    for (const source::Service& service : services) {
      if (!service.holds(s.package)) continue;
      if (std::none_of(service.closure.begin(), service.closure.end(),
                       [&](const PackageModel* p) { return names_request_id.count(p) > 0; }))
        lacking.push_back(service.binary->name);
    }
    if (lacking.empty()) continue;
    const bool own = lacking.size() == 1 && lacking.front() == s.package->name;
    sink.emit(
        "request-id-not-propagated", s.http->loc,
        fmt::format("package {} serves HTTP ({} at {}:{}){} but no code {} built from "
                    "names the {} header: requests cannot be correlated across services",
                    s.package->name, s.call->callee, *s.file, s.call->pos.line,
                    own ? std::string() : fmt::format(" in {}", fmt::join(lacking, ", ")),
                    own ? "it is" : (lacking.size() == 1 ? "that binary is" : "those binaries are"),
                    conv.request_id_header),
        fmt::format("read and forward the {} header (e.g. tower-http's "
                    "SetRequestIdLayer / PropagateRequestIdLayer) and record it on "
                    "the request span",
                    conv.request_id_header),
        s.package->name);
  }
}

} // namespace otelaudit
