// fuzz/fix_edit.cpp itself, compiled into the test binary under another name so that every fuzz
// target links into one executable: fuzz_regressions_test.cpp runs each regression input of
// fixtures/fuzz-regressions/fix_edit/ through it, invariant checks included.
#define LLVMFuzzerTestOneInput otelaudit_fuzz_fix_edit
#include "../../../fuzz/fix_edit.cpp"
