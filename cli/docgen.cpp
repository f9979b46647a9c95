#include "docgen.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace otelaudit::cli {

namespace {

/// What a shell offers for a value, decided by the value's name in the definition.
enum class ValueKind { none, file, directory, choice };

ValueKind value_kind(const ArgumentDoc& a) {
  if (!a.choices.empty()) return ValueKind::choice;
  if (a.value == "FILE") return ValueKind::file;
  // A repository is a directory (or a URL, which no shell completes).
  if (a.value == "DIR" || a.value == "REPO") return ValueKind::directory;
  return ValueKind::none;
}

/// The values of a "{a,b,c}" description (CLI::IsMember's, or a documenting validator's).
std::vector<std::string> parse_choices(const std::string& type_name) {
  std::vector<std::string> out;
  const std::size_t open = type_name.find('{');
  const std::size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string item;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (type_name[i] == ',' || i == close) {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += type_name[i];
    }
  }
  return out;
}

ArgumentDoc argument_doc(const CLI::Option& opt) {
  ArgumentDoc a;
  a.longs = opt.get_lnames();
  a.shorts = opt.get_snames();
  if (opt.get_positional()) a.name = opt.get_name();
  a.description = opt.get_description();
  if (opt.get_expected_max() != 0) { // a flag expects no value
    // get_type_name(): the value's name, then ":" and each validator's description.
    const std::string full = opt.get_type_name();
    const std::size_t colon = std::min(full.find(':'), full.size());
    a.value = colon > 0 ? full.substr(0, colon) : "VALUE";
    a.choices = parse_choices(full.substr(colon));
    a.default_value = opt.get_default_str();
  }
  a.repeatable = opt.get_items_expected_max() > 1 ||
                 opt.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  a.required = opt.get_required();
  return a;
}

void add_arguments(const CLI::App& app, std::vector<ArgumentDoc>& options,
                   std::vector<ArgumentDoc>* positionals) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional()) {
      if (positionals) positionals->push_back(argument_doc(*opt));
    } else {
      options.push_back(argument_doc(*opt));
    }
  }
}

// --- roff --------------------------------------------------------------------------------------

/// Text for a roff line: backslashes and hyphens escaped, non-ASCII as \[uXXXX], and a leading
/// '.' or '\'' kept from being read as a request.
std::string roff(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // UTF-8 as the project writes it (its own descriptions): decode one code point.
      std::uint32_t cp = 0;
      int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
      cp = c & (0x3F >> extra);
      for (int k = 0; k < extra && i + 1 < text.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F);
      out += fmt::format("\\[u{:04X}]", cp);
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

/// "\fB\-o\fR, \fB\-\-output\fR \fIFILE\fR"
std::string man_option_head(const ArgumentDoc& a) {
  std::string out;
  for (const std::string& s : a.shorts)
    out += (out.empty() ? "" : ", ") + ("\\fB" + roff("-" + s) + "\\fR");
  for (const std::string& l : a.longs)
    out += (out.empty() ? "" : ", ") + ("\\fB" + roff("--" + l) + "\\fR");
  if (!a.value.empty()) out += " \\fI" + roff(a.value) + "\\fR";
  return out;
}

std::string man_option_body(const ArgumentDoc& a) {
  std::string out = roff(a.description);
  if (!out.empty() && out.back() != '.') out += ".";
  if (!a.choices.empty()) {
    std::string list;
    for (const std::string& c : a.choices)
      list += (list.empty() ? "" : ", ") + ("\\fB" + roff(c) + "\\fR");
    out += " One of " + list + ".";
  }
  if (!a.default_value.empty()) out += " Default: \\fB" + roff(a.default_value) + "\\fR.";
  if (a.repeatable && !a.longs.empty()) out += " May be given more than once.";
  return out;
}

/// "otel-audit check [OPTIONS] [REPO...]" with fonts: the command bold, the arguments italic.
std::string synopsis(const std::string& program, const CommandDoc& c) {
  std::string out = "\\fB" + roff(program + " " + c.name) + "\\fR [\\fIOPTIONS\\fR]";
  for (const ArgumentDoc& p : c.positionals) {
    const std::string name = "\\fI" + roff(p.value.empty() ? p.name : p.value) + "\\fR";
    const std::string word = name + (p.repeatable ? "\\&..." : "");
    out += " " + (p.required ? word : "[" + word + "]");
  }
  return out;
}

// --- shell quoting -------------------------------------------------------------------------------

/// A single-quoted word for bash or zsh.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// A single-quoted word for fish, where backslash and quote are escaped inside the quotes.
std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

/// A zsh _arguments description: brackets, colons and backslashes escaped.
std::string zsh_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string joined(const std::vector<std::string>& words, const std::string& prefix = "") {
  std::string out;
  for (const std::string& w : words)
    out += (out.empty() ? "" : " ") + prefix + w;
  return out;
}

std::vector<std::string> option_words(const ArgumentDoc& a) {
  std::vector<std::string> out;
  for (const std::string& l : a.longs)
    out.push_back("--" + l);
  for (const std::string& s : a.shorts)
    out.push_back("-" + s);
  return out;
}

/// The bash function name: otel-audit → _otel_audit.
std::string bash_function(const std::string& program) {
  std::string out = "_";
  for (char c : program)
    out += c == '-' ? '_' : c;
  return out;
}

/// The bash statement offering the values of `a` (the current word is in $cur).
std::string bash_values(const ArgumentDoc& a) {
  switch (value_kind(a)) {
  case ValueKind::choice:
    return "mapfile -t COMPREPLY < <(compgen -W " + sh_quote(joined(a.choices)) + " -- \"$cur\")";
  case ValueKind::file:
    return "compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")";
  case ValueKind::directory:
    return "compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")";
  case ValueKind::none:
    break;
  }
  return "COMPREPLY=()";
}

/// The zsh _arguments action for the values of `a`.
std::string zsh_action(const ArgumentDoc& a) {
  switch (value_kind(a)) {
  case ValueKind::choice:
    return "(" + joined(a.choices) + ")";
  case ValueKind::file:
    return "_files";
  case ValueKind::directory:
    return "_files -/";
  case ValueKind::none:
    break;
  }
  return " ";
}

/// The zsh _arguments specs of one option: one per name, excluding each other.
std::string zsh_option_specs(const ArgumentDoc& a) {
  const std::vector<std::string> words = option_words(a);
  std::string exclusion;
  if (!a.repeatable)
    exclusion = "(" + joined(words) + ")";
  else
    exclusion = "*";
  std::string names;
  for (const std::string& w : words) {
    std::string spec = w;
    if (!a.value.empty()) spec += w.size() == 2 ? "+" : "=";
    names += (names.empty() ? "" : ",") + spec;
  }
  std::string body = "[" + zsh_escape(a.description) + "]";
  if (!a.value.empty()) body += ":" + zsh_escape(a.value) + ":" + zsh_action(a);
  if (words.size() == 1) return sh_quote(exclusion + names + body);
  return sh_quote(exclusion) + "{" + names + "}" + sh_quote(body);
}

/// The fish `complete` arguments offering the values of `a`.
std::string fish_values(const ArgumentDoc& a) {
  switch (value_kind(a)) {
  case ValueKind::choice:
    return " -x -a " + fish_quote(joined(a.choices));
  case ValueKind::file:
    return " -r -F";
  case ValueKind::directory:
    return " -x -a '(__fish_complete_directories)'";
  case ValueKind::none:
    break;
  }
  return " -x";
}

std::string fish_option(const std::string& program, const std::string& condition,
                        const ArgumentDoc& a) {
  std::string line = "complete -c " + program + " -n " + fish_quote(condition);
  for (const std::string& s : a.shorts)
    line += " -s " + s;
  for (const std::string& l : a.longs)
    line += " -l " + l;
  if (!a.value.empty()) line += fish_values(a);
  return line + " -d " + fish_quote(a.description) + "\n";
}

} // namespace

ProgramDoc describe_app(const CLI::App& app, const std::string& name) {
  ProgramDoc program;
  program.name = name;
  program.description = app.get_description();
  add_arguments(app, program.options, nullptr);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    CommandDoc c;
    c.name = sub->get_name();
    c.description = sub->get_description();
    add_arguments(*sub, c.options, &c.positionals);
    program.commands.push_back(std::move(c));
  }
  return program;
}

std::string render_man_page(const ProgramDoc& program) {
  const std::string& p = program.name;
  std::string out;
  out += ".\\\" Generated from the command-line definition of " + p + " (cli/); do not edit.\n";
  out += ".TH " + roff("OTEL-AUDIT") + " 1 \"\" \"" + roff(p + " " OTEL_AUDIT_VERSION) +
         "\" \"User Commands\"\n";
  out += ".SH NAME\n" + roff(p) + " \\- ";
  // "otel-audit: audit …": the part after the program's name.
  std::string summary = program.description;
  if (summary.rfind(p + ": ", 0) == 0) summary.erase(0, p.size() + 2);
  out += roff(summary) + "\n";
  out += ".SH SYNOPSIS\n";
  for (const CommandDoc& c : program.commands)
    out += synopsis(p, c) + "\n.br\n";
  out += "\\fB" + roff(p) + "\\fR [\\fB" + roff("--help") + "\\fR | \\fB" + roff("--version") +
         "\\fR]\n";
  out += ".SH DESCRIPTION\n" + roff(p) +
         " reads the Cargo manifests, lockfiles, Rust sources and deployment files of Rust "
         "repositories (it never runs anything from them) and reports, with evidence, whether "
         "they can be integrated on one OpenTelemetry line: a readiness score, a GO or NO\\-GO "
         "verdict and an exit code for CI.\n";
  out += ".SH OPTIONS\n";
  for (const ArgumentDoc& a : program.options)
    out += ".TP\n" + man_option_head(a) + "\n" + man_option_body(a) + "\n";
  out += ".SH COMMANDS\n";
  for (const CommandDoc& c : program.commands) {
    out += ".SS \"" + synopsis(p, c) + "\"\n";
    out += roff(c.description) + ".\n";
    for (const ArgumentDoc& a : c.positionals)
      out += ".TP\n\\fI" + roff(a.value.empty() ? a.name : a.value) + "\\fR\n" +
             man_option_body(a) + "\n";
    for (const ArgumentDoc& a : c.options)
      out += ".TP\n" + man_option_head(a) + "\n" + man_option_body(a) + "\n";
  }
  out += R"(.SH EXIT STATUS
.TP
.B 0
It ran and the gate passed.
.TP
.B 1
It ran and the gate failed: a finding at or above \fB\-\-fail\-on\fR, or a score below \fB\-\-min\-score\fR.
.TP
.B 2
Usage or configuration error: a path that is not a directory, an unknown target, invalid or missing rule data.
.TP
.B 3
The tool itself failed: the report could not be written, a URL could not be cloned or fetched.
.SH ENVIRONMENT
.TP
.B OTEL_AUDIT_RULES_DIR
The rule data directory, when \fB\-\-rules\-dir\fR is not given.
.TP
.BR OTEL_AUDIT_GIT_USERNAME ", " OTEL_AUDIT_GIT_TOKEN
Credentials for cloning URLs over HTTPS (else the ssh agent for ssh URLs).
.TP
.B XDG_CACHE_HOME
Where URLs are cloned: \fI$XDG_CACHE_HOME/otel\-audit\fR.
.TP
.B NO_COLOR
No colours in the text report with \fB\-\-color auto\fR.
.TP
.B CI
No progress output.
.SH FILES
.TP
.I ./otel\-audit.toml
The repositories and the policy, when \fB\-\-config\fR is not given.
.TP
.I ../share/otel\-audit/rules/
The rule data, found relative to the executable (\fIPREFIX/bin/otel\-audit\fR reads \fIPREFIX/share/otel\-audit/rules\fR), so an installed tree can be moved.
.TP
.I ../share/otel\-audit/schema/
The JSON Schemas of the JSON report (\fBotel\-audit/v1\fR) and of the scan document (\fBotel\-audit\-scan/v1\fR).
)";
  return out;
}

std::string render_bash_completion(const ProgramDoc& program) {
  const std::string fn = bash_function(program.name);
  std::vector<std::string> commands;
  for (const CommandDoc& c : program.commands)
    commands.push_back(c.name);
  std::vector<std::string> top;
  for (const ArgumentDoc& a : program.options)
    for (const std::string& w : option_words(a))
      top.push_back(w);

  std::string out;
  out += "# bash completion for " + program.name +
         "; generated from its command-line definition (cli/), do not edit.\n";
  out += fn + "() {\n";
  out += "  local cur=${COMP_WORDS[COMP_CWORD]} prev=''\n";
  out += "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n";
  out += "  # --option=value: bash splits the word at '='.\n";
  out += "  if [[ $cur == = ]]; then\n    cur=\n";
  out += "  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n";
  out += "    prev=${COMP_WORDS[COMP_CWORD - 2]}\n  fi\n";
  out += "  local command='' i\n";
  out += "  for ((i = 1; i < COMP_CWORD; i++)); do\n";
  out += "    case ${COMP_WORDS[i]} in\n";
  out += "    " + [&] {
    std::string alts;
    for (const std::string& c : commands)
      alts += (alts.empty() ? "" : "|") + c;
    return alts;
  }() + ")\n      command=${COMP_WORDS[i]}\n      break\n      ;;\n";
  out += "    esac\n  done\n";
  out += "  case $command in\n";
  out += "  \"\")\n";
  out += "    mapfile -t COMPREPLY < <(compgen -W " +
         sh_quote(joined(commands) + " " + joined(top)) + " -- \"$cur\")\n    ;;\n";
  for (const CommandDoc& c : program.commands) {
    out += "  " + c.name + ")\n";
    out += "    case $prev in\n";
    for (const ArgumentDoc& a : c.options) {
      if (a.value.empty()) continue;
      std::string alts;
      for (const std::string& w : option_words(a))
        alts += (alts.empty() ? "" : "|") + w;
      out += "    " + alts + ")\n      " + bash_values(a) + "\n      return\n      ;;\n";
    }
    out += "    esac\n";
    std::vector<std::string> words;
    for (const ArgumentDoc& a : c.options)
      for (const std::string& w : option_words(a))
        words.push_back(w);
    out += "    if [[ $cur == -* ]]; then\n";
    out +=
        "      mapfile -t COMPREPLY < <(compgen -W " + sh_quote(joined(words)) + " -- \"$cur\")\n";
    out += "      return\n    fi\n";
    if (!c.positionals.empty())
      out += "    " + bash_values(c.positionals.front()) + "\n";
    else
      out += "    COMPREPLY=()\n";
    out += "    ;;\n";
  }
  out += "  esac\n}\n";
  out += "complete -F " + fn + " " + program.name + "\n";
  return out;
}

std::string render_zsh_completion(const ProgramDoc& program) {
  const std::string& p = program.name;
  std::string out = "#compdef " + p + "\n";
  out += "# zsh completion for " + p +
         "; generated from its command-line definition (cli/), do not edit.\n\n";
  for (const CommandDoc& c : program.commands) {
    out += "_" + p + "_" + c.name + "() {\n  _arguments -s -S";
    for (const ArgumentDoc& a : c.options)
      out += " \\\n    " + zsh_option_specs(a);
    for (const ArgumentDoc& a : c.positionals) {
      const std::string name = a.value.empty() ? a.name : a.value;
      out += " \\\n    " +
             sh_quote((a.repeatable ? "*:" : ":") + zsh_escape(name) + ":" + zsh_action(a));
    }
    out += "\n}\n\n";
  }
  out += "_" + p + "() {\n  local curcontext=$curcontext state line\n  _arguments -C";
  for (const ArgumentDoc& a : program.options) {
    // --help and --version end the command line: nothing else goes with them.
    std::string names;
    for (const std::string& w : option_words(a))
      names += (names.empty() ? "" : ",") + w;
    const std::string body = "[" + zsh_escape(a.description) + "]";
    out += " \\\n    " + (option_words(a).size() == 1
                              ? sh_quote("(- :)" + names + body)
                              : sh_quote("(- :)") + "{" + names + "}" + sh_quote(body));
  }
  out += " \\\n    '1:command:->command' \\\n    '*::argument:->argument'\n";
  out += "  case $state in\n  command)\n    local -a commands=(\n";
  for (const CommandDoc& c : program.commands)
    out += "      " + sh_quote(c.name + ":" + c.description) + "\n";
  out += "    )\n    _describe -t commands " + sh_quote(p + " command") + " commands\n    ;;\n";
  out += "  argument)\n    case $line[1] in\n";
  for (const CommandDoc& c : program.commands)
    out += "    " + c.name + ") _" + p + "_" + c.name + " ;;\n";
  out += "    esac\n    ;;\n  esac\n}\n\n_" + p + " \"$@\"\n";
  return out;
}

std::string render_fish_completion(const ProgramDoc& program) {
  const std::string& p = program.name;
  std::string out = "# fish completion for " + p +
                    "; generated from its command-line definition (cli/), do not edit.\n";
  out += "complete -c " + p + " -f\n";
  std::vector<std::string> commands;
  for (const CommandDoc& c : program.commands)
    commands.push_back(c.name);
  const std::string none = "not __fish_seen_subcommand_from " + joined(commands);
  for (const CommandDoc& c : program.commands)
    out += "complete -c " + p + " -n " + fish_quote(none) + " -a " + c.name + " -d " +
           fish_quote(c.description) + "\n";
  for (const ArgumentDoc& a : program.options)
    out += fish_option(p, none, a);
  for (const CommandDoc& c : program.commands) {
    const std::string seen = "__fish_seen_subcommand_from " + c.name;
    for (const ArgumentDoc& a : c.options)
      out += fish_option(p, seen, a);
    if (!c.positionals.empty()) {
      const ArgumentDoc& a = c.positionals.front();
      const ValueKind kind = value_kind(a);
      if (kind == ValueKind::file)
        out += "complete -c " + p + " -n " + fish_quote(seen) + " -F\n";
      else if (kind == ValueKind::directory)
        out += "complete -c " + p + " -n " + fish_quote(seen) +
               " -a '(__fish_complete_directories)'\n";
    }
  }
  return out;
}

} // namespace otelaudit::cli
