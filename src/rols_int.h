/* The ROL step's test entry (rols.c). Not installed. */
#ifndef RANKMC_ROLS_INT_H
#define RANKMC_ROLS_INT_H

#include "meeting_int.h"

/* rmc_prefs_generate with its list put in order by one code path: 0
 * rmc_sort_u64 of the keys, 1 what rmc_prefs_generate uses (lists of up to
 * 16 entries by counting each key's place, with AVX2 where the CPU has it;
 * else the sort). The same list either way; for tests. */
RMC_INTERNAL size_t rmc_prefs_generate_by(unsigned path, const rmc_model *m, const rmc_params *p,
                                          size_t i, rmc_rng *r, uint64_t seed, uint64_t replicate,
                                          rmc_meeting_ws *w, rmc_id *rol);

#endif
