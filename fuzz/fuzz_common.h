/* Shared plumbing of the model-loader fuzz harnesses (fuzz_csv, fuzz_ini,
 * fuzz_model): one temporary model folder per process, the valid base model
 * the harnesses mutate one file of, and the loader contract every input
 * must satisfy. See docs/fuzzing.md.
 *
 * The harnesses are test code, not library code: on a broken contract they
 * print what broke to stderr and abort(), which libFuzzer reports as a crash
 * and saves the input.
 */
#ifndef RANKMC_FUZZ_COMMON_H
#define RANKMC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The seven files of a model folder, in the loader's reading order. */
enum {
    FUZZ_INI,
    FUZZ_APPLICANTS,
    FUZZ_PROGRAMS,
    FUZZ_INTERVIEWS,
    FUZZ_APPLICANT_ROLS,
    FUZZ_PROGRAM_ROLS,
    FUZZ_COUPLES,
    FUZZ_N_FILES
};

/* File name of each of the seven (e.g. "applicants.csv"). */
extern const char *const fuzz_file_names[FUZZ_N_FILES];

/* Create the process's model folder (mkdtemp under $TMPDIR or /tmp), write
 * the base model into it, check that the base model loads with RMC_OK
 * (abort otherwise: a harness bug or a loader regression), and register an
 * atexit handler that removes the folder. Call once, from
 * LLVMFuzzerInitialize. */
void fuzz_setup(void);

/* Replace file f of the folder by the n bytes at data. */
void fuzz_write(int f, const uint8_t *data, size_t n);

/* Remove file f from the folder (absent file). */
void fuzz_remove(int f);

/* Put file f back to its base-model content. */
void fuzz_restore(int f);

/* Load the folder and check the contract: RMC_OK with a consistent model,
 * or RMC_EINPUT with at least one problem and every kept message starting
 * "DIR/FILE:" for one of the seven files, or RMC_ENOMEM. Anything else
 * aborts. Frees everything it allocated. */
void fuzz_load_and_check(void);

#endif
