#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "rules/families/source.h"

namespace otelaudit {

namespace {

std::string joined(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& s : segments)
    out += (out.empty() ? "" : "::") + s;
  return out;
}

/// The agent port `text` names as `host:port` (":6831" followed by no further digit), or 0.
/// `needles` are the ports written ":6831", in the order of `ports`.
int agent_port_in(std::string_view text, const std::vector<int>& ports,
                  const std::vector<std::string>& needles) {
  if (text.find(':') == std::string_view::npos) return 0;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const std::string& needle = needles[i];
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + 1)) {
      auto end = at + needle.size();
      if (end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end])))
        return ports[i];
    }
  }
  return 0;
}

} // namespace

void check_jaeger_code(const RepoModel& repo, const Ruleset& rules, Sink& sink) {
  const Conventions& conv = rules.conventions;
  if (!conv.loaded) return;
  std::set<std::string, std::less<>> code_paths;
  for (const auto& p : conv.jaeger_code_paths)
    code_paths.insert(source::code_name(p));
  std::vector<std::string> needles;
  for (int port : conv.jaeger_agent_ports)
    needles.push_back(":" + std::to_string(port));

  for (const source::FileView& v : source::production_files(repo)) {
    const rust::FileFacts& facts = *v.facts;
    const source::Imports imports = source::imports_for(v);
    std::set<int> reported; // one code finding per line: a path and its call are one use
    auto code_use = [&](const std::vector<std::string>& written, bool in_use, rust::Pos pos,
                        bool in_test) {
      if (in_test || written.empty() || source::line_in_test(facts, pos.line)) return;
      if (written.size() == 1 && !in_use && !imports.names.count(written.front())) return;
      // Only a path of a Jaeger crate can be one: most are told by their first segment.
      std::string_view root = written.front();
      if (!in_use)
        root = source::resolved_root(root, imports);
      else if (auto it = imports.renamed.find(root); it != imports.renamed.end())
        root = it->second;
      if (!code_paths.count(root)) return;
      std::vector<std::string> full =
          source::resolve(written, in_use ? source::no_imports() : imports, v.package);
      if (!code_paths.count(full.front()) || !reported.insert(pos.line).second) return;
      source::emit_at(sink, "jaeger-code", v, pos,
                      fmt::format("{} is code of the deprecated Jaeger exporter: Jaeger accepts "
                                  "OTLP natively, export with opentelemetry-otlp instead",
                                  joined(full)),
                      conv.jaeger_replacement);
    };
    for (const rust::PathRef& p : facts.paths)
      code_use(p.segments, p.in_use || p.extern_crate, p.pos, p.in_test);
    for (const rust::Call& c : facts.calls)
      if (!c.method && (c.callee.find("::") != std::string::npos ||
                        imports.names.count(source::first_segment(c.callee))))
        code_use(source::split_path(c.callee), false, c.pos, c.in_test);

    for (const rust::Arg& s : facts.strings) {
      if (source::line_in_test(facts, s.pos.line)) continue;
      int port = agent_port_in(s.value, conv.jaeger_agent_ports, needles);
      if (port == 0) continue;
      source::emit_at(
          sink, "jaeger-code", v, s.pos,
          fmt::format("\"{}\" is a Jaeger agent endpoint (UDP {}): send OTLP to the collector "
                      "on port 4317 (gRPC) or 4318 (HTTP) instead",
                      s.value, port),
          conv.jaeger_replacement);
    }
    for (const source::EnvRead& r : source::env_reads(facts)) {
      const std::string& name = r.name->value;
      bool jaeger = std::any_of(conv.jaeger_env_prefixes.begin(), conv.jaeger_env_prefixes.end(),
                                [&](const std::string& p) { return name.starts_with(p); });
      if (!jaeger) continue;
      source::emit_at(sink, "jaeger-code", v, r.name->pos,
                      fmt::format("reads {}, a setting of the deprecated Jaeger agent exporter: "
                                  "configure the OTLP endpoint instead",
                                  name),
                      conv.jaeger_replacement);
    }
  }
}

} // namespace otelaudit
