/* Reproducible random streams: Random123's Philox4x32-10 exposed as a
 * gsl_rng type.
 *
 * A stream is named by (seed, replicate, purpose, substream). Philox is
 * counter-based: its output is a bijection of (counter, key), so naming a
 * stream is just choosing a counter and key, with no seeding cost and no
 * overlap between streams. The layout:
 *   key     = seed (64 bits)
 *   ctr[0]  = block number within the stream (each block gives 4 words)
 *   ctr[1]  = substream (program or applicant index)
 *   ctr[2]  = replicate, low 32 bits
 *   ctr[3]  = purpose << 16 | replicate bits 32..47
 * Distinct names give distinct counters, hence independent streams.
 *
 * get() hands out 32-bit words from a buffer refilled BLOCKS blocks at a
 * time, so GSL's samplers pay a load and a compare per word rather than a
 * Philox evaluation (PERFORMANCE.md: draw randomness in bulk).
 */
#include "rankmc/rng.h"

#include <string.h>

#include <Random123/philox.h>

#include "internal.h"

enum { BLOCKS = 4, WORDS = 4 * BLOCKS };

typedef struct philox_state {
    philox4x32_ctr_t ctr;  /* ctr.v[0] is the next block to generate */
    philox4x32_key_t key;
    uint32_t buf[WORDS];   /* words not yet handed out: buf[pos .. WORDS) */
    unsigned pos;          /* WORDS when the buffer is empty */
} philox_state;

static void refill(philox_state *s)
{
    for (unsigned b = 0; b < BLOCKS; b++) {
        const philox4x32_ctr_t out = philox4x32(s->ctr, s->key);
        s->ctr.v[0]++;
        memcpy(&s->buf[4 * b], out.v, sizeof out.v);
    }
    s->pos = 0;
}

static inline uint32_t next_word(philox_state *s)
{
    if (s->pos == WORDS) {
        refill(s);
    }
    return s->buf[s->pos++];
}

static unsigned long philox_get(void *vstate)
{
    return next_word(vstate);
}

static double philox_get_double(void *vstate)
{
    /* [0, 1) with 32-bit resolution, as GSL's own 32-bit generators give. */
    return (double)next_word(vstate) * 0x1p-32;
}

static void philox_set(void *vstate, unsigned long seed)
{
    philox_state *s = vstate;
    memset(s, 0, sizeof *s);
    s->key.v[0] = (uint32_t)seed;
    s->key.v[1] = (uint32_t)((uint64_t)seed >> 32);
    s->pos = WORDS;
}

static const gsl_rng_type philox_type = {
    "philox4x32", 0xffffffffUL, 0, sizeof(philox_state), philox_set, philox_get, philox_get_double,
};

struct rmc_rng {
    gsl_rng *g;  /* owns the generator state */
};

rmc_status rmc_rng_alloc(const char *name, rmc_rng **out, rmc_diag *d)
{
    *out = NULL;
    if (name != NULL && strcmp(name, philox_type.name) != 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "unknown generator '%s' (available: %s)", name,
                        philox_type.name);
    }
    rmc_rng *r = NULL;
    RMC_TRY(rmc_calloc_array((void **)&r, 1, sizeof *r, d));
    r->g = gsl_rng_alloc(&philox_type);
    if (r->g == NULL) {
        rmc_free(r);
        return RMC_FAIL(d, RMC_ENOMEM, "out of memory allocating a generator");
    }
    *out = r;
    return RMC_OK;
}

void rmc_rng_free(rmc_rng *r)
{
    if (r == NULL) {
        return;
    }
    gsl_rng_free(r->g);
    rmc_free(r);
}

void rmc_rng_seek(rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_stream_purpose purpose,
                  uint32_t substream)
{
    RMC_ASSERT(replicate < (UINT64_C(1) << 48));
    philox_state *s = r->g->state;
    s->key.v[0] = (uint32_t)seed;
    s->key.v[1] = (uint32_t)(seed >> 32);
    s->ctr.v[0] = 0;
    s->ctr.v[1] = substream;
    s->ctr.v[2] = (uint32_t)replicate;
    s->ctr.v[3] = ((uint32_t)purpose << 16) | (uint32_t)(replicate >> 32);
    s->pos = WORDS;
}

gsl_rng *rmc_rng_gsl(rmc_rng *r)
{
    return r->g;
}

const char *rmc_rng_name(const rmc_rng *r)
{
    return gsl_rng_name(r->g);
}
