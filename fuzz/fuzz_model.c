/* libFuzzer harness: a whole model folder.
 *
 * The input is split at each 0x1E byte (ASCII record separator) into up to
 * seven parts, which become model.ini, applicants.csv, programs.csv,
 * interviews.csv, applicant_rols.csv, program_rols.csv and couples.csv in
 * that order; anything after a seventh separator belongs to couples.csv. An
 * empty or missing part means that file is absent, so missing required and
 * optional files are reached too. fuzz/seed.sh builds seeds in this form.
 * The loader must return RMC_OK with a consistent model or RMC_EINPUT with
 * problems that name a model file (fuzz_load_and_check).
 */
#include <string.h>

#include "fuzz_common.h"

#define FUZZ_SEP 0x1e

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t start = 0;
    for (int f = 0; f < FUZZ_N_FILES; f++) {
        size_t end = size;
        if (start < size && f + 1 < FUZZ_N_FILES) {
            const uint8_t *sep = memchr(data + start, FUZZ_SEP, size - start);
            end = sep != NULL ? (size_t)(sep - data) : size;
        }
        if (start < end) {
            fuzz_write(f, data + start, end - start);
        } else {
            fuzz_remove(f);
        }
        start = end < size ? end + 1 : size;
    }
    fuzz_load_and_check();
    return 0;
}
