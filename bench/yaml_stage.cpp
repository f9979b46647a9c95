// The YAML stage of an audit, timed on its own for scripts/bench.sh: every deployment file of
// the given repository directories is read into memory first, then, R times each, every YAML
// file goes through parse_yaml and every repository through load_deploy (the deployment model:
// YAML, .env files, Helm chart detection), one thread. Prints the bytes read, the best and
// median times and the rate over the YAML bytes (MB = 10^6 bytes). The first line is libyaml's
// event parser alone on the same files, events read and dropped: the bound of the stage. Times are
// the thread's CPU time, not the wall clock, so that a machine shared with other work still gives
// the rate of one core.
//
// Usage: otel-audit-yaml-stage [--reps R] DIR...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include <yaml.h>

#include "model/deploy/model.h"
#include "model/deploy/yaml.h"
#include "source/tree.h"

using namespace otelaudit;

namespace {

/// One repository's deployment files, in memory.
struct Repo {
  std::vector<std::pair<std::string, std::string>> yaml; // path, text
  std::map<std::string, std::string> deploy_files;       // YAML and .env, for load_deploy
};

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

/// Reads every event of `text` with libyaml and drops it; the number of events.
std::size_t events_only(const std::string& text) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return 0;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  std::size_t events = 0;
  yaml_event_t event;
  while (yaml_parser_parse(&parser, &event)) {
    ++events;
    bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return events;
}

void report(const char* what, std::vector<double> times, std::size_t bytes) {
  std::sort(times.begin(), times.end());
  double best = times.front(), median = times[times.size() / 2];
  std::printf("%-12s CPU best %9.2f ms  median %9.2f ms  %8.1f MB/s (median)\n", what, best * 1e3,
              median * 1e3, static_cast<double>(bytes) / 1e6 / median);
}

} // namespace

int main(int argc, char** argv) {
  int reps = 5;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "usage: otel-audit-yaml-stage [--reps R] DIR...\n");
      return 2;
    } else {
      dirs.push_back(arg);
    }
  }
  if (dirs.empty()) {
    std::fprintf(stderr, "usage: otel-audit-yaml-stage [--reps R] DIR...\n");
    return 2;
  }

  std::vector<Repo> repos;
  std::size_t yaml_bytes = 0;
  for (const std::string& dir : dirs) {
    DirTree tree(dir);
    Repo repo;
    for (const std::string& f : tree.files()) {
      deploy::FileKind kind = deploy::classify_path(f);
      if (kind == deploy::FileKind::none) continue;
      std::string error;
      std::optional<std::string> text = tree.read(f, error);
      if (!text) {
        std::fprintf(stderr, "yaml-stage: %s/%s: %s\n", dir.c_str(), f.c_str(), error.c_str());
        return 1;
      }
      if (kind != deploy::FileKind::env) {
        yaml_bytes += text->size();
        repo.yaml.emplace_back(f, *text);
      }
      repo.deploy_files.emplace(f, std::move(*text));
    }
    repos.push_back(std::move(repo));
  }

  std::size_t files = 0, documents = 0, problems = 0;
  for (const Repo& r : repos)
    for (const auto& [path, text] : r.yaml) {
      deploy::YamlParseResult p = deploy::parse_yaml(text, path);
      ++files;
      documents += p.documents.size();
      problems += p.problem ? 1 : 0;
    }
  std::printf("yaml-stage: %zu repositories, %zu YAML files, %zu bytes, %zu documents, %zu not "
              "read (parse errors, skipped)\n",
              repos.size(), files, yaml_bytes, documents, problems);

  std::vector<MemoryTree> trees;
  for (const Repo& r : repos)
    trees.emplace_back(r.deploy_files);
  std::vector<double> event_times, parse_times, model_times;
  for (int rep = 0; rep < reps; ++rep) {
    double start = cpu_seconds();
    std::size_t sink = 0;
    for (const Repo& r : repos)
      for (const auto& [path, text] : r.yaml)
        sink += events_only(text);
    event_times.push_back(cpu_seconds() - start);

    start = cpu_seconds();
    for (const Repo& r : repos)
      for (const auto& [path, text] : r.yaml)
        sink += deploy::parse_yaml(text, path).documents.size();
    parse_times.push_back(cpu_seconds() - start);

    start = cpu_seconds();
    for (const MemoryTree& tree : trees)
      sink += deploy::load_deploy(tree).files.size();
    model_times.push_back(cpu_seconds() - start);
    if (sink == 0) std::printf("(nothing read)\n");
  }
  report("libyaml", event_times, yaml_bytes);
  report("parse_yaml", parse_times, yaml_bytes);
  report("load_deploy", model_times, yaml_bytes);
  return 0;
}
