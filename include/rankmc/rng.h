/* Reproducible random streams. Every draw of a run comes from a stream named
 * by (seed, replicate, purpose, substream), so what a replicate draws does not
 * depend on the thread that runs it, nor on what other replicates or other
 * programs drew: the determinism promise, and common random numbers for
 * sensitivity analyses (a what-if at one program leaves every other
 * program's draws alone).
 *
 * The default generator is Random123's Philox4x32-10 (counter-based, so
 * positioning a stream costs nothing), exposed as a gsl_rng so GSL's
 * distributions draw from it.
 */
#ifndef RANKMC_RNG_H
#define RANKMC_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a stream is for. Values are part of the output's reproducibility:
 * never renumber, only append. */
typedef enum {
    RMC_STREAM_APPLICANT = 1,   /* per-applicant draws shared across programs (day effect) */
    RMC_STREAM_MEETING = 2,     /* substream = program index */
    RMC_STREAM_PREFERENCES = 3, /* substream = applicant index */
    RMC_STREAM_SYNTH = 4,       /* synthetic markets */
    RMC_STREAM_BOOTSTRAP = 5,   /* resampling in sensitivity analyses */
    RMC_STREAM_INTERVIEW = 6,   /* a name's discussion at its rank meeting; substream = interview */
    RMC_STREAM_MATCH = 7,       /* the couples procedure's restart orders */
    RMC_STREAM_APPLY = 8,       /* one applicant's applications: screens, offer scores, cap */
    RMC_STREAM_SOAP = 9,        /* SOAP after the Match; substream = applicant index */
    RMC_STREAM_TEST = 15        /* tests and benchmarks */
} rmc_stream_purpose;

typedef struct rmc_rng rmc_rng;

/* A generator by explicit name: "philox4x32" (default, NULL means it).
 * Never read from the environment. RMC_EUSAGE for an unknown name,
 * RMC_ENOMEM. Caller owns the result. */
rmc_status rmc_rng_alloc(const char *name, rmc_rng **out, rmc_diag *d);
void rmc_rng_free(rmc_rng *r);

/* Position r at the start of stream (seed, replicate, purpose, substream).
 * Costs a few stores. replicate < 2^48, substream < 2^32. */
void rmc_rng_seek(rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_stream_purpose purpose,
                  uint32_t substream);

/* The gsl_rng to pass to GSL's samplers. Borrowed from r. */
gsl_rng *rmc_rng_gsl(rmc_rng *r);

/* The next n words of r's stream into out[0 .. n): exactly the words n
 * calls of gsl_rng_get(rmc_rng_gsl(r)) would return, copied straight from
 * the generator's block buffer (for hot loops that draw many at once). The
 * stream continues after them. */
void rmc_rng_words(rmc_rng *r, uint32_t *out, size_t n);

/* The next n uniforms on [0, 1) (32-bit resolution) into out[0 .. n):
 * exactly what n calls of gsl_rng_uniform(rmc_rng_gsl(r)) would return,
 * one word each, without a call per variate. */
void rmc_rng_uniforms(rmc_rng *r, double *out, size_t n);

/* The generator's name as written into output files. */
const char *rmc_rng_name(const rmc_rng *r);

#ifdef __cplusplus
}
#endif
#endif
