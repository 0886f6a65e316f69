/* libFuzzer harness: one CSV file of an otherwise valid model.
 *
 * If the first byte is 0x01..0x06 it picks the file (1 applicants.csv,
 * 2 programs.csv, 3 interviews.csv, 4 applicant_rols.csv, 5 program_rols.csv,
 * 6 couples.csv) and the rest of the input is that file; any other first byte
 * means the whole input is applicants.csv, so plain CSV files work as seeds.
 * The other six files keep the base model (fuzz_common.c). The loader must
 * return RMC_OK with a consistent model or RMC_EINPUT with problems that name
 * a model file (fuzz_load_and_check).
 */
#include "fuzz_common.h"

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
    int f = FUZZ_APPLICANTS;
    if (size > 0 && data[0] >= 1 && data[0] <= 6) {
        f = FUZZ_APPLICANTS + data[0] - 1;
        data++;
        size--;
    }
    fuzz_write(f, data, size);
    fuzz_load_and_check();
    fuzz_restore(f);
    return 0;
}
