/* Inline access to the Philox generator's word buffer for hot loops
 * (meeting.c, rols.c). Not installed.
 *
 * Every function here consumes words exactly as the gsl_rng interface does
 * (one 32-bit word per uniform, in stream order), so a hot loop may mix
 * these with GSL's samplers on rmc_rng_gsl(r) and get the same stream it
 * would get through GSL alone; they only skip the function-pointer call.
 */
#ifndef RANKMC_RNG_INT_H
#define RANKMC_RNG_INT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "rankmc/rng.h"

/* Blocks generated per refill: 8 Philox blocks (32 words) side by side, so
 * the rounds vectorise across blocks (rng.c). */
enum { RMC_PHILOX_BLOCKS = 8, RMC_PHILOX_WORDS = 4 * RMC_PHILOX_BLOCKS };

/* Layers of the normal and exponential ziggurats (powers of two: 7 and 8
 * bits of a word). */
enum { RMC_ZIG_LAYERS = 128, RMC_ZIGE_LAYERS = 256 };

/* The generator state behind the gsl_rng (its `state` pointer). */
typedef struct rmc_philox {
    uint32_t ctr[4]; /* ctr[0] is the next block to generate */
    uint32_t key[2];
    unsigned pos;                   /* RMC_PHILOX_WORDS when the buffer is empty */
    unsigned fresh;                 /* 1 until the first refill after a seek */
    uint32_t buf[RMC_PHILOX_WORDS]; /* words not yet handed out: buf[pos ..) */
    /* Ziggurat tables of the standard normal (rmc_philox_normal), filled
     * when the generator is made: layer i's acceptance bound on the 24-bit
     * magnitude, its width per magnitude unit, and the density at its
     * outer edge. */
    uint32_t zig_k[RMC_ZIG_LAYERS];
    double zig_w[RMC_ZIG_LAYERS];
    double zig_f[RMC_ZIG_LAYERS];
    /* The same for the standard exponential (rmc_philox_exp1). */
    uint32_t zige_k[RMC_ZIGE_LAYERS];
    double zige_w[RMC_ZIGE_LAYERS];
    double zige_f[RMC_ZIGE_LAYERS];
} rmc_philox;

/* The state of r, for the inline draws below. Borrowed from r. */
RMC_INTERNAL rmc_philox *rmc_rng_philox(rmc_rng *r);

/* Fill s->buf with the next blocks (half of RMC_PHILOX_BLOCKS on the first
 * refill after a seek, else all) and point pos at the first new word. */
RMC_INTERNAL void rmc_philox_refill(rmc_philox *s);

/* Philox blocks ctr, ctr + 1, ... (word 0 counts) under key, 4 words each,
 * into out: the first `blocks` (4 or 8) of them, by portable code. Refills
 * use it where the CPU lacks AVX2; exposed for tests. */
RMC_INTERNAL void rmc_philox_generic(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out,
                                     unsigned blocks);

/* Blocks of a stream that rmc_philox_heads makes per substream for the
 * meetings' names (RMC_PHILOX_HEAD_BLOCKS) and for the applicants' ROLs
 * (RMC_PHILOX_ROL_BLOCKS), at most RMC_PHILOX_HEAD_MAX_BLOCKS. */
enum {
    RMC_PHILOX_HEAD_BLOCKS = 2,
    RMC_PHILOX_HEAD_WORDS = 4 * RMC_PHILOX_HEAD_BLOCKS,
    RMC_PHILOX_ROL_BLOCKS = 4,
    RMC_PHILOX_HEAD_MAX_BLOCKS = 4
};

/* The first `blocks` (2 or 4) blocks of the streams (seed, replicate,
 * purpose, sub[i]) for i < n, 4 x blocks words each, into out[i x 4 x
 * blocks ..]: many streams' heads side by side in vector registers (16
 * streams a pass with AVX-512, 8 with AVX2, chosen at run time), for loops
 * that seek once per name and draw a few words (rmc_philox_seek_head). The
 * words are those the streams give. */
RMC_INTERNAL void rmc_philox_heads(uint64_t seed, uint64_t replicate, unsigned purpose,
                                   const int32_t *sub, size_t n, unsigned blocks, uint32_t *out);

/* rmc_philox_heads by one code path: 0 portable, 1 AVX2, 2 AVX-512F.
 * False (nothing written) when the CPU lacks it. For tests. */
RMC_INTERNAL bool rmc_philox_heads_by(unsigned path, uint64_t seed, uint64_t replicate,
                                      unsigned purpose, const int32_t *sub, size_t n,
                                      unsigned blocks, uint32_t *out);

/* Position s at the start of stream (seed, replicate, purpose, substream),
 * whose first `blocks` blocks rmc_philox_heads made (head: their 4 x blocks
 * words): the same state rmc_rng_seek and that many words' draws would
 * leave, without computing them. */
static inline void rmc_philox_seek_head(rmc_philox *s, uint64_t seed, uint64_t replicate,
                                        unsigned purpose, uint32_t substream, const uint32_t *head,
                                        unsigned blocks)
{
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)(seed >> 32);
    s->ctr[0] = blocks;
    s->ctr[1] = substream;
    s->ctr[2] = (uint32_t)replicate;
    s->ctr[3] = (purpose << 16) | (uint32_t)(replicate >> 32);
    memcpy(s->buf + RMC_PHILOX_WORDS - 4 * blocks, head, 4 * blocks * sizeof *head);
    s->pos = RMC_PHILOX_WORDS - 4 * blocks;
    s->fresh = 0;
}

/* The next 32-bit word: what gsl_rng_get returns. */
static inline uint32_t rmc_philox_word(rmc_philox *s)
{
    if (__builtin_expect(s->pos == RMC_PHILOX_WORDS, 0)) {
        rmc_philox_refill(s);
    }
    return s->buf[s->pos++];
}

/* U[0, 1) with 32-bit resolution: what gsl_rng_uniform returns. */
static inline double rmc_philox_uniform(rmc_philox *s)
{
    return (double)rmc_philox_word(s) * 0x1p-32;
}

/* U(0, 1): what gsl_rng_uniform_pos returns (redraws a zero word). */
static inline double rmc_philox_uniform_pos(rmc_philox *s)
{
    uint32_t w;
    do {
        w = rmc_philox_word(s);
    } while (w == 0);
    return (double)w * 0x1p-32;
}

/* Exponential with mean mu by inversion: what gsl_ran_exponential returns
 * (-mu log1p(-U), one word). rmc_philox_exp1 is cheaper. */
static inline double rmc_philox_exponential(rmc_philox *s, double mu)
{
    return -mu * log1p(-rmc_philox_uniform(s));
}

/* The rare branches of rmc_philox_normal: the wedges and the tail, for a
 * word w that missed its layer's rectangle. */
RMC_INTERNAL double rmc_philox_normal_slow(rmc_philox *s, uint32_t w);

/* A standard normal variate by Marsaglia and Tsang's ziggurat (128 layers
 * of equal area), usually from one word: bits 0-6 pick the layer, bit 7 the
 * sign, bits 8-31 the magnitude (the same split of a word as GSL's
 * gsl_ran_gaussian_ziggurat, whose tables are not exported). About 1.3% of
 * draws take further words in rmc_philox_normal_slow. */
static inline double rmc_philox_normal(rmc_philox *s)
{
    const uint32_t w = rmc_philox_word(s);
    const unsigned i = w & (RMC_ZIG_LAYERS - 1);
    const uint32_t j = w >> 8;
    if (__builtin_expect(j < s->zig_k[i], 1)) {
        /* x, negated when bit 7 is clear: the sign bit flipped without a
         * branch (a coin toss no predictor learns) */
        const double x = (double)j * s->zig_w[i];
        uint64_t b;
        memcpy(&b, &x, sizeof b);
        b ^= (uint64_t)(~w & 0x80) << 56;
        double y;
        memcpy(&y, &b, sizeof y);
        return y;
    }
    return rmc_philox_normal_slow(s, w);
}

/* The rare branches of rmc_philox_exp1 (wedges and tail). */
RMC_INTERNAL double rmc_philox_exp1_slow(rmc_philox *s, uint32_t w);

/* The exponential ziggurat's common case for word w (rmc_philox_exp1):
 * bits 0-7 pick one of 256 layers of equal area, bits 8-31 the magnitude
 * j; when j is inside the layer's rectangle, *e = (j + 1/2) x its width
 * (the middle of j's cell, so never 0) and true; else false (about 1.0%
 * of words), for rmc_philox_exp1_slow. */
static inline bool rmc_philox_exp1_fast(const rmc_philox *s, uint32_t w, double *e)
{
    const unsigned i = w & (RMC_ZIGE_LAYERS - 1);
    const uint32_t j = w >> 8;
    if (__builtin_expect(j < s->zige_k[i], 1)) {
        *e = ((double)j + 0.5) * s->zige_w[i];
        return true;
    }
    return false;
}

/* A standard exponential variate (mean 1) by Marsaglia and Tsang's
 * ziggurat, usually from one word (rmc_philox_exp1_fast); the wedges and
 * the tail take further words in rmc_philox_exp1_slow, so the result's log
 * is always finite. */
static inline double rmc_philox_exp1(rmc_philox *s)
{
    const uint32_t w = rmc_philox_word(s);
    double e;
    if (rmc_philox_exp1_fast(s, w, &e)) {
        return e;
    }
    return rmc_philox_exp1_slow(s, w);
}

/* rmc_philox_exp1 (the same variates from the same words) reading and
 * advancing the buffer position in *pos instead of s->pos, which it
 * stores and reloads only around the rare refill and slow branch: a loop
 * that keeps the position in a local (rols.c) then does not load and store
 * s->pos per draw, which would chain its draws through store forwarding.
 * *pos must equal s->pos on the first call; store it back after the
 * last. */
static inline double rmc_philox_exp1_at(rmc_philox *s, unsigned *pos)
{
    if (__builtin_expect(*pos == RMC_PHILOX_WORDS, 0)) {
        rmc_philox_refill(s);
        *pos = s->pos;
    }
    const uint32_t w = s->buf[(*pos)++];
    double e;
    if (rmc_philox_exp1_fast(s, w, &e)) {
        return e;
    }
    s->pos = *pos;
    e = rmc_philox_exp1_slow(s, w);
    *pos = s->pos;
    return e;
}

#endif
