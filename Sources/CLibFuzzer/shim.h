// libFuzzer's driver, from the toolchain's compiler runtime. Only a build with
// `-sanitize=fuzzer` links it, and only such a build calls it (fuzz/run.sh).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));
