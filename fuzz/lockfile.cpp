// libFuzzer target: a Cargo.lock from an audited repository (parse_lockfile).
#include "model/cargo/lockfile.h"
#include "fuzz_common.h"

using namespace otelaudit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  LockfileResult r = parse_lockfile(fuzz::as_text(data, size), "Cargo.lock");
  if (r.lockfile) {
    for (const LockedPackage& p : r.lockfile->packages) {
      for (const LockedPackage* q : r.lockfile->find(p.name))
        fuzz::check(q->name == p.name, "find returned another crate");
    }
  }
  for (const Diagnostic& d : r.diagnostics)
    fuzz::check(d.loc.line >= 0 && d.loc.column >= 0, "negative location");
  return 0;
}
