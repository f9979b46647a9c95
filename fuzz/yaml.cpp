// libFuzzer target: parse_yaml, the reader of every deployment YAML file, with the default
// limits and with tight ones (so the limit paths are reached by small inputs).
#include <algorithm>
#include <limits>

#include "model/deploy/yaml.h"
#include "fuzz_common.h"

using namespace otelaudit;
using namespace otelaudit::deploy;

namespace {

/// What a tree holds, as the limits count it: values (not keys), their depth and text.
struct Size {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
  int depth = 0;
};

void measure(const YamlNode& n, int depth, int lines, Size& size) {
  ++size.nodes;
  size.depth = std::max(size.depth, depth);
  size.bytes += n.scalar.size();
  fuzz::check(n.loc.file == "f.yml", "a node names its file");
  fuzz::check(n.loc.line >= 1 && n.loc.line <= lines && n.loc.column >= 1,
              "a node's position is in the text, 1-based");
  fuzz::check(n.kind == YamlNode::Kind::scalar || n.scalar.empty(), "text only on scalars");
  fuzz::check(n.kind != YamlNode::Kind::null || n.plain, "no placeholder is left");
  fuzz::check(n.kind == YamlNode::Kind::sequence || n.items.empty(), "items only on sequences");
  fuzz::check(n.kind == YamlNode::Kind::map || n.entries.empty(), "entries only on maps");
  for (const YamlNode& item : n.items)
    measure(item, depth + 1, lines, size);
  for (const YamlEntry& e : n.entries) {
    fuzz::check(e.key_loc.line >= 1 && e.key_loc.line <= lines && e.key_loc.column >= 1,
                "a key's position is in the text, 1-based");
    measure(e.value, depth + 1, lines, size);
  }
}

void run(std::string_view text, const YamlLimits& limits) {
  YamlParseResult r = parse_yaml(text, "f.yml", limits);
  // Positions count lines at LF only, as the reports do (libyaml also breaks at CR, NEL, …);
  // UTF-16 text keeps libyaml's count.
  bool utf16 = text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF");
  int lines = utf16 ? std::numeric_limits<int>::max()
                    : 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  if (r.problem) {
    fuzz::check(r.documents.empty(), "no documents beside a problem");
    fuzz::check(r.problem->rule == "deploy-parse-error" || r.problem->rule == "deploy-file-skipped",
                "a problem is a parse error or a skipped file");
    fuzz::check(r.problem->loc.file == "f.yml" && !r.problem->message.empty(),
                "a problem names the file and says what");
    fuzz::check(r.problem->loc.line >= 1 || text.size() > limits.max_bytes,
                "a problem is located, except a file over the size limit");
    fuzz::check(r.problem->loc.line <= lines, "a problem is in the text");
    return;
  }
  Size size;
  for (const YamlNode& doc : r.documents)
    measure(doc, 0, lines, size);
  fuzz::check(size.nodes <= limits.max_nodes, "no more nodes than the limit");
  fuzz::check(size.depth <= limits.max_depth, "no deeper than the limit");
  fuzz::check(size.bytes <= limits.max_scalar_bytes, "no more text than the limit");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  run(text, YamlLimits{});
  YamlLimits tight;
  tight.max_nodes = 200;
  tight.max_scalar_bytes = 2000;
  tight.max_depth = 12;
  run(text, tight);
  return 0;
}
