// The man page and the completions the build generates (build/share) against the command-line
// definition: the tests walk the CLI11 App that otel-audit parses with and ask groff, bash, zsh
// and fish, which read the generated files, for every option of every subcommand.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/docgen.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace {

using otelaudit::testsupport::read_file;

const fs::path kShare = fs::path(OTEL_AUDIT_BUILD_DIR) / "share";
const fs::path kMan = kShare / "man/man1/otel-audit.1";
const fs::path kBash = kShare / "bash-completion/completions/otel-audit";
const fs::path kZsh = kShare / "zsh/site-functions/_otel-audit";
const fs::path kFish = kShare / "fish/vendor_completions.d/otel-audit.fish";

/// The command line as the program defines it.
struct Definition {
  CLI::App app;
  int exit_code = 0;
  Definition() { otelaudit::cli::define_app(app, "otel-audit", exit_code); }
  std::vector<const CLI::App*> commands() const {
    return app.get_subcommands([](const CLI::App*) { return true; });
  }
};

/// "--name" and "-n" for every option of `app` that is not positional.
std::set<std::string> option_words(const CLI::App& app) {
  std::set<std::string> out;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames())
      out.insert("--" + l);
    for (const std::string& s : opt->get_snames())
      out.insert("-" + s);
  }
  return out;
}

struct Shell {
  int code = -1;
  std::string out, err;
};

/// Runs `script` with `shell` (bash, zsh or fish) from `dir`.
Shell run_shell(const std::string& shell, const std::string& script,
                const fs::path& dir = fs::temp_directory_path()) {
  static int counter = 0;
  const fs::path tmp =
      fs::temp_directory_path() /
      ("otel-audit-docgen-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(tmp);
  std::ofstream(tmp / "script") << script;
  const std::string cmd = "cd '" + dir.string() + "' && " + shell + " '" +
                          (tmp / "script").string() + "' >'" + (tmp / "out").string() + "' 2>'" +
                          (tmp / "err").string() + "'";
  const int status = std::system(cmd.c_str());
  Shell r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(tmp / "out");
  r.err = read_file(tmp / "err");
  fs::remove_all(tmp);
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// `key<TAB>value` lines grouped by key.
std::map<std::string, std::set<std::string>> grouped(const std::string& text) {
  std::map<std::string, std::set<std::string>> out;
  for (const std::string& line : lines(text)) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos) out[line.substr(0, tab)].insert(line.substr(tab + 1));
  }
  return out;
}

/// A word as roff writes it (hyphens escaped).
std::string roff(const std::string& word) {
  std::string out;
  for (char c : word)
    out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

/// The bash completions offered for the words of `line` (the last one being completed).
std::string bash_complete_script(const std::vector<std::vector<std::string>>& cases) {
  std::string script = "source '" + kBash.string() + "'\n";
  for (const std::vector<std::string>& words : cases) {
    std::string array, key;
    for (const std::string& w : words) {
      array += " '" + w + "'";
      key += (key.empty() ? "" : " ") + w;
    }
    script +=
        "COMP_WORDS=(" + array + ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
        "\nCOMPREPLY=()\n_otel_audit\nfor w in \"${COMPREPLY[@]}\"; do printf '%s\\t%s\\n' '" +
        key + "' \"$w\"; done\n";
  }
  return script;
}

} // namespace

TEST_CASE("docgen: the man page documents every subcommand and every option of each") {
  Definition def;
  const std::string man = read_file(kMan);
  REQUIRE(!man.empty());
  const std::size_t options = man.find("\n.SH OPTIONS\n");
  const std::size_t commands = man.find("\n.SH COMMANDS\n");
  REQUIRE(options != std::string::npos);
  REQUIRE(commands != std::string::npos);
  for (const std::string& word : option_words(def.app))
    CHECK_MESSAGE(man.substr(options, commands - options).find("\\fB" + roff(word) + "\\fR") !=
                      std::string::npos,
                  "otel-audit " << word);
  for (const CLI::App* cmd : def.commands()) {
    const std::string heading = "\n.SS \"\\fBotel\\-audit " + cmd->get_name() + "\\fR";
    const std::size_t start = man.find(heading);
    REQUIRE_MESSAGE(start != std::string::npos, cmd->get_name());
    const std::size_t end = man.find("\n.S", start + heading.size());
    const std::string section = man.substr(start, end - start);
    for (const std::string& word : option_words(*cmd))
      CHECK_MESSAGE(section.find("\\fB" + roff(word) + "\\fR") != std::string::npos,
                    cmd->get_name() << " " << word);
    for (const CLI::Option* opt : cmd->get_options())
      if (opt->get_positional())
        CHECK_MESSAGE(section.find("\n.TP\n\\fI" + opt->get_type_name() + "\\fR\n") !=
                          std::string::npos,
                      cmd->get_name() << " " << opt->get_name());
  }
}

TEST_CASE("docgen: groff formats the man page without a warning") {
  Shell r = run_shell("bash", "groff -man -Tutf8 -ww -z '" + kMan.string() + "'\n");
  CHECK(r.err == "");
  CHECK(r.code == 0);
  r = run_shell("bash", "MANWIDTH=100 man -l '" + kMan.string() + "' | col -b\n");
  CHECK(r.out.find("otel-audit check [OPTIONS] [REPO...]") != std::string::npos);
  CHECK(r.out.find("--fail-on SEVERITY") != std::string::npos);
}

TEST_CASE("docgen: bash completes the subcommands and every option of each") {
  Definition def;
  std::vector<std::vector<std::string>> cases = {{"otel-audit", ""}};
  for (const CLI::App* cmd : def.commands())
    cases.push_back({"otel-audit", cmd->get_name(), "-"});
  const Shell r = run_shell("bash", bash_complete_script(cases));
  REQUIRE(r.err == "");
  auto offered = grouped(r.out);
  std::set<std::string> top = option_words(def.app);
  for (const CLI::App* cmd : def.commands()) {
    top.insert(cmd->get_name());
    CHECK_MESSAGE(offered["otel-audit " + cmd->get_name() + " -"] == option_words(*cmd),
                  cmd->get_name());
  }
  CHECK(offered["otel-audit "] == top);
}

TEST_CASE("docgen: bash completes option values: choices, files and directories") {
  const fs::path dir =
      fs::temp_directory_path() / ("otel-audit-docgen-dir-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "repo-a");
  std::ofstream(dir / "facts.json") << "{}";
  const Shell r = run_shell("bash",
                            bash_complete_script({{"otel-audit", "check", "--format", ""},
                                                  {"otel-audit", "report", "--fail-on", "h"},
                                                  {"otel-audit", "check", "--format", "=", "s"},
                                                  {"otel-audit", "history", "-f", ""},
                                                  {"otel-audit", "check", ""},
                                                  {"otel-audit", "report", "f"},
                                                  {"otel-audit", "scan", "--output", "f"},
                                                  {"otel-audit", "check", "--rules-dir", ""},
                                                  {"otel-audit", "check", "--target", ""}}),
                            dir);
  fs::remove_all(dir);
  REQUIRE(r.err == "");
  auto offered = grouped(r.out);
  CHECK(offered["otel-audit check --format "] ==
        std::set<std::string>{"text", "json", "markdown", "md", "sarif", "github"});
  CHECK(offered["otel-audit report --fail-on h"] == std::set<std::string>{"high"});
  CHECK(offered["otel-audit check --format = s"] == std::set<std::string>{"sarif"});
  CHECK(offered["otel-audit history -f "] == std::set<std::string>{"text", "json", "markdown"});
  CHECK(offered["otel-audit check "] == std::set<std::string>{"repo-a"});
  CHECK(offered["otel-audit report f"] == std::set<std::string>{"facts.json"});
  CHECK(offered["otel-audit scan --output f"] == std::set<std::string>{"facts.json"});
  CHECK(offered["otel-audit check --rules-dir "] == std::set<std::string>{"repo-a"});
  CHECK(offered.count("otel-audit check --target ") == 0);
}

TEST_CASE("docgen: zsh reads the completion and passes every option to _arguments") {
  Definition def;
  // _arguments and _describe replaced by functions printing what they are given, one spec a
  // line after zsh has expanded the file's quoting and braces.
  std::string script = "_arguments() { local spec; for spec in \"$@\"; do "
                       "print -r -- \"${funcstack[2]}\t$spec\"; done }\n"
                       "_describe() { :; }\nsource '" +
                       kZsh.string() + "'\n";
  for (const CLI::App* cmd : def.commands())
    script += "_otel-audit_" + cmd->get_name() + "\n";
  const Shell r = run_shell("zsh -f", script);
  REQUIRE(r.err == "");
  REQUIRE(r.code == 0);
  auto specs = grouped(r.out);
  // "(-o --output)-o+[…]:FILE:_files" -> "-o"; positionals (":REPO:…", "*:…") have no name.
  auto names = [](const std::set<std::string>& list) {
    std::set<std::string> out;
    for (std::string spec : list) {
      if (!spec.empty() && spec[0] == '(') spec.erase(0, spec.find(')') + 1);
      if (!spec.empty() && spec[0] == '*') spec.erase(0, 1);
      if (spec.empty() || spec[0] != '-' || spec == "-s" || spec == "-S" || spec == "-C") continue;
      out.insert(spec.substr(0, spec.find_first_of("+=[")));
    }
    return out;
  };
  CHECK(names(specs["_otel-audit"]) == option_words(def.app));
  for (const CLI::App* cmd : def.commands()) {
    const std::set<std::string>& list = specs["_otel-audit_" + cmd->get_name()];
    CHECK_MESSAGE(names(list) == option_words(*cmd), cmd->get_name());
    for (const CLI::Option* opt : cmd->get_options())
      if (opt->get_positional()) {
        bool found = false;
        for (const std::string& spec : list)
          found = found || spec.find(":" + opt->get_type_name() + ":") != std::string::npos;
        CHECK_MESSAGE(found, cmd->get_name() << " " << opt->get_name());
      }
  }
  CHECK(specs["_otel-audit_check"].count(
            "(--format -f)-f+[Report format]:FORMAT:(text json markdown md sarif github)") == 1);
}

TEST_CASE("docgen: fish completes the subcommands and every option of each") {
  Definition def;
  std::string script = "source '" + kFish.string() + "'\n";
  script += "for line in (complete -C 'otel-audit '); printf '%s\\t%s\\n' top $line; end\n";
  for (const CLI::App* cmd : def.commands())
    script += "for line in (complete -C 'otel-audit " + cmd->get_name() +
              " -'); printf '%s\\t%s\\n' " + cmd->get_name() + " $line; end\n";
  script += "for line in (complete -C 'otel-audit check --format '); "
            "printf 'format\\t%s\\n' $line; end\n";
  const Shell r = run_shell("fish --no-config", script);
  REQUIRE(r.err == "");
  std::map<std::string, std::set<std::string>> offered;
  for (const auto& [key, values] : grouped(r.out))
    for (const std::string& v : values)
      offered[key].insert(v.substr(0, v.find('\t'))); // "--format\tReport format"
  std::set<std::string> commands;
  for (const CLI::App* cmd : def.commands()) {
    commands.insert(cmd->get_name());
    CHECK_MESSAGE(offered[cmd->get_name()] == option_words(*cmd), cmd->get_name());
  }
  CHECK(offered["top"] == commands);
  CHECK(offered["format"] ==
        std::set<std::string>{"text", "json", "markdown", "md", "sarif", "github"});
}

TEST_CASE("docgen: the generated files are those of the current definition") {
  Definition def;
  const otelaudit::cli::ProgramDoc program = otelaudit::cli::describe_app(def.app, "otel-audit");
  CHECK(read_file(kMan) == otelaudit::cli::render_man_page(program));
  CHECK(read_file(kBash) == otelaudit::cli::render_bash_completion(program));
  CHECK(read_file(kZsh) == otelaudit::cli::render_zsh_completion(program));
  CHECK(read_file(kFish) == otelaudit::cli::render_fish_completion(program));
}
