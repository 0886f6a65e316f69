/* The RNG floor of one replicate, shared by bench_meeting and bench_sim:
 * the variates a replicate draws, from the same streams, drawn the cheapest
 * way the library has and with no model logic. Per applicant a day effect;
 * per program a leniency normal and one noise normal per interviewee (the
 * program's stream); per interview its own stream (the name's discussion:
 * likability, advocacy and comment draws, about a normal and four
 * uniforms); per ROL entry one exponential (the taste-shock race). The sum
 * is returned so the compiler keeps the draws. Uses rng_int.h: micro
 * benchmarks only. */
#ifndef RANKMC_BENCH_FLOOR_H
#define RANKMC_BENCH_FLOOR_H

#include <math.h>

#include "model_int.h"
#include "rng_int.h"

static inline double bench_rng_floor(const rmc_model *m, rmc_rng *r, uint64_t rep)
{
    double acc = 0;
    rmc_rng_seek(r, 1, rep, RMC_STREAM_APPLICANT, 0);
    rmc_philox *s = rmc_rng_philox(r);
    for (size_t i = 0; i < m->n_app; i++) {
        acc += rmc_philox_normal(s);
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_rng_seek(r, 1, rep, RMC_STREAM_MEETING, (uint32_t)j);
        acc += rmc_philox_normal(s);
        for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
            acc += rmc_philox_normal(s);
        }
        for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
            rmc_rng_seek(r, 1, rep, RMC_STREAM_INTERVIEW, (uint32_t)m->iv_by_prog[e]);
            acc += rmc_philox_normal(s);
            acc += rmc_philox_uniform(s) + rmc_philox_uniform(s) + rmc_philox_uniform(s) +
                   rmc_philox_uniform(s);
        }
    }
    for (size_t i = 0; i < m->n_app; i++) {
        rmc_rng_seek(r, 1, rep, RMC_STREAM_PREFERENCES, (uint32_t)i);
        for (size_t e = m->app_off[i]; e < m->app_off[i + 1]; e++) {
            acc += log(rmc_philox_exp1(s));
        }
    }
    return acc;
}

#endif
