// fuzz/git_loose.cpp itself, compiled into the test binary under another name so that every fuzz
// target links into one executable: fuzz_regressions_test.cpp runs each regression input of
// fixtures/fuzz-regressions/git_loose/ through it, invariant checks included.
#define LLVMFuzzerTestOneInput otelaudit_fuzz_git_loose
#include "../../../fuzz/git_loose.cpp"
