#pragma once
// The fix_edit fuzz target's check (fuzz/fix_edit.cpp): the fixer's TOML editor (edit_manifest) on
// mutated manifests. Every dependency the model reads gets a change (a version, features added or
// replaced, a rename, a removal, chosen from the input); the editor may refuse a change it cannot
// make as the entry is written, but what it does make must parse, read back as the old manifest
// with exactly those changes, be readable by the editor again, and leave every byte outside its
// edits as it was. An entry the model has but the editor cannot find is a defect too.
#include <algorithm>
#include <functional>

#include "model/cargo/manifest.h"
#include "fix/fix.h"
#include "fix/toml_spans.h"
#include "fuzz_common.h"

namespace otelaudit::fuzz {

using namespace otelaudit::fix;

namespace fix_edit_detail {

/// The entries of a manifest as the fixer addresses them; none that two entries share (the
/// same key under [dev-dependencies] and [dev_dependencies]).
inline std::vector<std::pair<EntryRef, const Dependency*>> entries(const Manifest& m) {
  std::vector<std::pair<EntryRef, const Dependency*>> out;
  auto add = [&](const Dependency& d, bool ws) {
    out.push_back({EntryRef{m.file, ws, d.target, d.kind, d.key, d.loc}, &d});
  };
  for (const Dependency& d : m.dependencies)
    add(d, false);
  if (m.workspace)
    for (const Dependency& d : m.workspace->dependencies)
      add(d, true);
  std::vector<std::pair<EntryRef, const Dependency*>> unique;
  for (const auto& e : out)
    if (std::count_if(out.begin(), out.end(), [&](const auto& o) { return o.first == e.first; }) ==
        1)
      unique.push_back(e);
  return unique;
}

} // namespace fix_edit_detail

/// The target's whole check of one input (also run on its regression inputs by the tests).
inline void fix_edit_one(std::string_view text) {
  const std::string file = "Cargo.toml";
  ManifestResult parsed = parse_manifest(text, file);
  if (!parsed.manifest) return;
  std::string error;
  if (!read_document(text, error)) return; // refused, never guessed at

  // The choice of changes comes from the input, so that mutations explore them too.
  std::uint64_t state = std::hash<std::string_view>{}(text) | 1;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::vector<PlannedChange> changes;
  int renamed = 0;
  for (const auto& [ref, dep] : fix_edit_detail::entries(*parsed.manifest)) {
    if (changes.size() >= 12) break;
    PlannedChange c;
    c.entry = ref;
    c.crate = dep->package;
    switch (next() % 7) {
    case 0:
      if (!dep->req) continue;
      c.version = "0.99";
      break;
    case 1:
      c.add_features = {"fz-a", "fz-b"};
      if (!dep->features.empty()) c.remove_features = {dep->features.front().value};
      break;
    case 2:
      c.set_features = std::vector<std::string>{"fz-c"};
      break;
    case 3:
      c.set_features = std::vector<std::string>{};
      break;
    case 4:
      c.rename = "fz-renamed-" + std::to_string(renamed++);
      c.drop_package = dep->key != dep->package && next() % 2;
      break;
    case 5:
      c.remove = true;
      break;
    default:
      if (!dep->req) continue;
      c.version = "=1.2.3";
      c.add_features = {"fz-d"};
      break;
    }
    changes.push_back(std::move(c));
  }

  // Changes the editor refuses are dropped one at a time; what remains must come out right.
  while (!changes.empty()) {
    std::vector<const PlannedChange*> list;
    for (const PlannedChange& c : changes)
      list.push_back(&c);
    ManifestEdit edit = edit_manifest(text, file, list);
    if (edit.defect) {
      std::fprintf(stderr, "edit_manifest: %s\n", edit.error.c_str());
      check(false, "an edit did not read back as intended");
    }
    check(edit.error != "its entry was not found in the text",
          "an entry the model reads was not found by the editor");
    if (!edit.after) {
      changes.erase(changes.begin() + static_cast<std::ptrdiff_t>(edit.failed));
      continue;
    }
    // Nothing outside the edited spans changed: the bytes between edits are the old ones, in
    // order, at the offsets the replacements before them put them.
    std::vector<TextEdit> edits = edit.edits;
    std::stable_sort(edits.begin(), edits.end(),
                     [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
    std::size_t old_at = 0, new_at = 0;
    for (const TextEdit& e : edits) {
      check(e.begin >= old_at && e.end >= e.begin && e.end <= text.size(),
            "edits overlap or leave the text");
      const std::string_view kept = text.substr(old_at, e.begin - old_at);
      check(edit.after->compare(new_at, kept.size(), kept) == 0, "bytes outside the edits changed");
      new_at += kept.size();
      check(edit.after->compare(new_at, e.text.size(), e.text) == 0,
            "an edit is not where it belongs");
      new_at += e.text.size();
      old_at = e.end;
    }
    check(edit.after->substr(new_at) == text.substr(old_at), "bytes after the last edit changed");
    check(read_document(*edit.after, error).has_value(), "the editor cannot read its own result");
    break;
  }
}

} // namespace otelaudit::fuzz
