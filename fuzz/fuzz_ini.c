/* libFuzzer harness: model.ini of an otherwise valid model.
 *
 * The input is the whole of model.ini; the six CSV files keep the base model
 * (fuzz_common.c). The loader must return RMC_OK with every parameter in its
 * documented range, or RMC_EINPUT with problems that name a model file
 * (fuzz_load_and_check).
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
    fuzz_write(FUZZ_INI, data, size);
    fuzz_load_and_check();
    return 0;
}
