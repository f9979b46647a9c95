#include "rules/context.h"

#include "rules/rule_table.h"

namespace otelaudit {

void Sink::emit(std::string_view rule, Severity severity, Location loc, std::string message,
                std::string fix, std::string package) {
  Finding f;
  f.rule = std::string(rule);
  f.severity = severity;
  f.repo = repo_;
  f.loc = std::move(loc);
  f.message = std::move(message);
  f.fix = std::move(fix);
  f.package = std::move(package);
  findings_.push_back(std::move(f));
}

void Sink::emit(std::string_view rule, Location loc, std::string message, std::string fix,
                std::string package) {
  emit(rule, default_severity(rule), std::move(loc), std::move(message), std::move(fix),
       std::move(package));
}

void Sink::emit(Finding finding) {
  finding.repo = repo_;
  findings_.push_back(std::move(finding));
}

} // namespace otelaudit
