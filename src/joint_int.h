/* A couple's joint rank order list from the partners' own lists: the one
 * builder behind the engine's per-replicate lists (sim.c), synth's couples
 * (synth.c) and a couple's forecast (forecast_market.c); docs/synth.md
 * "Couples" gives the rules. Not installed.
 *
 * Rules. Every pair (x, y) of partner A's entry x and partner B's entry y
 * falls in a tier: 0 when both programs are in one city, 1 in one region
 * (not one city), 2 otherwise (a program without a city is in no city
 * pair, one without a region in no region pair). Pairs of the tiers up to
 * `pairs` are ranked, tier by tier, inside a tier by the sum of the two
 * utilities (largest first; ties: smaller x, then smaller y). Then the
 * "one partner unmatched" options: each partner's best unmatched_options
 * entries (by utility; ties: smaller index) with the other unmatched,
 * merged by utility (ties: A's first). max_entries cuts the list: the
 * pairs only when keep_unmatched (the options always stay, themselves cut
 * at max_entries), else the whole list. "Both unmatched" is implied at the
 * end and never written.
 */
#ifndef RANKMC_JOINT_INT_H
#define RANKMC_JOINT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* The widest tier of pairs ranked (model.ini couples.pairs). */
typedef enum { RMC_JOINT_CITY = 0, RMC_JOINT_REGION = 1, RMC_JOINT_ANY = 2 } rmc_joint_pairs;

typedef struct rmc_joint_rules {
    int pairs;                /* rmc_joint_pairs */
    size_t max_entries;       /* >= 1 */
    size_t unmatched_options; /* per partner */
    bool keep_unmatched;      /* the cap cuts the pairs only */
} rmc_joint_rules;

/* One partner's acceptable programs: entry x has utility utility[x] (larger
 * is better), region region[x] and city city[x] (-1: none; a city id means
 * one place, so equal cities must be in equal regions). */
typedef struct rmc_joint_member {
    size_t n;
    const double *utility;
    const int32_t *region;
    const int32_t *city;
} rmc_joint_member;

/* An entry of the joint list: indices into A's and B's entries, -1 for
 * "that partner unmatched". */
typedef struct rmc_joint_entry {
    int32_t a, b;
} rmc_joint_entry;

/* Scratch of rmc_joint_build. */
typedef struct rmc_joint_item {
    double sum;
    int32_t tier, a, b;
} rmc_joint_item;

/* Scratch items rmc_joint_build needs for partners of na and nb entries. */
static inline size_t rmc_joint_scratch(size_t na, size_t nb)
{
    return na * nb + 1;
}

/* The longest list rmc_joint_build can write for na and nb entries. */
RMC_INTERNAL size_t rmc_joint_bound(const rmc_joint_rules *r, size_t na, size_t nb);

/* The joint list of A and B under r into out[0 .. returned) (room for
 * rmc_joint_bound entries); scratch has rmc_joint_scratch(A->n, B->n)
 * items. Allocates nothing; deterministic. */
RMC_INTERNAL size_t rmc_joint_build(const rmc_joint_member *A, const rmc_joint_member *B,
                                    const rmc_joint_rules *r, rmc_joint_item *scratch,
                                    rmc_joint_entry *out);

#endif
