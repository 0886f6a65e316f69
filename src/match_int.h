/* The Match's internal workspace layout, shared by match_da.c and (later)
 * match_couples.c. Not installed. match_check.c deliberately does not
 * include this file: the checker shares no code with the matcher. */
#ifndef RANKMC_MATCH_INT_H
#define RANKMC_MATCH_INT_H

#include "internal.h"
#include "rankmc/match.h"

/* Digits of the radix sort that builds program lists from the edges. */
#define RMC_MATCH_RADIX_BITS 16
#define RMC_MATCH_RADIX (1u << RMC_MATCH_RADIX_BITS)

struct rmc_match_ws {
    size_t max_app, max_prog, max_entries, max_seats;  /* sizes it was made for */

    /* applicant side [max_app] */
    size_t *next;          /* next entry an applicant (or a program) proposes to */
    size_t *held;          /* entry index an applicant is matched through, or SIZE_MAX */
    rmc_id *stack;         /* free applicants (or programs) still to process */

    /* program side */
    size_t *seat_off;      /* [max_prog + 1] prefix sums of capacity */
    uint64_t *seat;        /* [max_seats] max-heap per program: rank << 32 | applicant */
    int32_t *n_held;       /* [max_prog] heap size = seats filled */
    bool *on_stack;        /* [max_prog] program-proposing: queued already */

    /* program-proposing: program lists built from the edges */
    size_t *plist_off;     /* [max_prog + 1] program j's entries, best rank first */
    size_t *plist;         /* [max_entries] entry indices */
    size_t *ptmp;          /* [max_entries] radix-sort buffer */
    rmc_id *entry_app;     /* [max_entries] applicant of each entry */
    size_t *count;         /* [RMC_MATCH_RADIX] counting-sort histogram */
};

#define RMC_MATCH_HELD_NONE SIZE_MAX

#endif
