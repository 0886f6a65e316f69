/* Programs that rank a couple's partners together (model.ini couples.
 * rank_together; docs/match.md "Programs that rank a couple together").
 * Called after a program's rank meeting by every path that runs meetings:
 * the engine (sim.c), the forecast's replays (forecast.c) and apply's
 * (apply.c). Not installed.
 */
#ifndef RANKMC_TOGETHER_INT_H
#define RANKMC_TOGETHER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "model_int.h"

/* The couples whose two partners both interviewed at one program, by
 * program, into m->tog_off / m->tog_iv (replaced if there): the loader's
 * last step, and a model built by hand must call it too before
 * rmc_together_program. RMC_ENOMEM. */
RMC_INTERNAL rmc_status rmc_together_plan(rmc_model *m, rmc_diag *d);

/* When p->couples_rank_together is on: for every couple whose two partners
 * are both ranked on program j's final list (rank[], its interviews'
 * 0-based positions or RMC_RANK_NONE), the lower-ranked partner moves up to
 * the place right after the higher-ranked one; the higher-ranked keeps its
 * place, every name in between moves down one, everyone else stays. A
 * program with a fixed ROL (program_rols.csv) keeps its list. Draws
 * nothing, allocates nothing; touches only program j's entries of rank.
 * Reads only program j's pairs of rmc_together_plan (none: nothing moves).
 * Returns how many partners moved (0 when off). */
RMC_INTERNAL size_t rmc_together_program(const rmc_model *m, const rmc_params *p, size_t j,
                                         int32_t *rank);

/* The same move for one pair of interviews ka, kb at program j, for models
 * that hold the couple as two singles (the forecast's fast model): when the
 * key is on, the lower-ranked of the two moves to right after the other.
 * Returns whether one moved. */
RMC_INTERNAL bool rmc_together_pair(const rmc_model *m, const rmc_params *p, size_t j, rmc_id ka,
                                    rmc_id kb, int32_t *rank);

#endif
