/* A couple's joint rank order list (joint_int.h has the rules). */
#include <stdlib.h>

#include "joint_int.h"

static int32_t pair_tier(const rmc_joint_member *A, const rmc_joint_member *B, size_t x, size_t y)
{
    const int32_t ca = A->city != NULL ? A->city[x] : -1, cb = B->city != NULL ? B->city[y] : -1;
    if (ca >= 0 && ca == cb) {
        return RMC_JOINT_CITY;
    }
    const int32_t ra = A->region != NULL ? A->region[x] : -1;
    const int32_t rb = B->region != NULL ? B->region[y] : -1;
    return ra >= 0 && ra == rb ? RMC_JOINT_REGION : RMC_JOINT_ANY;
}

static int by_item(const void *p, const void *q)
{
    const rmc_joint_item *x = p, *y = q;
    if (x->tier != y->tier) {
        return x->tier < y->tier ? -1 : 1;
    }
    if (x->sum != y->sum) {
        return x->sum > y->sum ? -1 : 1;
    }
    if (x->a != y->a) {
        return x->a < y->a ? -1 : 1;
    }
    return (x->b > y->b) - (x->b < y->b);
}

/* Member M's best k entries by utility (ties: smaller index) into best[]. */
static size_t best_entries(const rmc_joint_member *M, size_t k, int32_t *best)
{
    size_t n = 0;
    for (; n < k && n < M->n; n++) {
        int32_t pick = -1;
        for (size_t x = 0; x < M->n; x++) {
            bool taken = false;
            for (size_t t = 0; t < n && !taken; t++) {
                taken = best[t] == (int32_t)x;
            }
            if (!taken && (pick < 0 || M->utility[x] > M->utility[pick])) {
                pick = (int32_t)x;
            }
        }
        best[n] = pick;
    }
    return n;
}

size_t rmc_joint_bound(const rmc_joint_rules *r, size_t na, size_t nb)
{
    const size_t k = r->unmatched_options;
    const size_t all = na * nb + (k < na ? k : na) + (k < nb ? k : nb);
    return all < r->max_entries ? all : r->max_entries;
}

/* At most this many options per partner (model.ini allows 5). */
#define MAX_OPTIONS 64

size_t rmc_joint_build(const rmc_joint_member *A, const rmc_joint_member *B,
                       const rmc_joint_rules *r, rmc_joint_item *scratch, rmc_joint_entry *out)
{
    RMC_ASSERT(r->unmatched_options <= MAX_OPTIONS);
    size_t n = 0;
    for (size_t x = 0; x < A->n; x++) {
        for (size_t y = 0; y < B->n; y++) {
            const int32_t t = pair_tier(A, B, x, y);
            if (t <= r->pairs) {
                scratch[n++] =
                    (rmc_joint_item){A->utility[x] + B->utility[y], t, (int32_t)x, (int32_t)y};
            }
        }
    }
    qsort(scratch, n, sizeof *scratch, by_item);
    int32_t oa[MAX_OPTIONS], ob[MAX_OPTIONS];
    const size_t ka = best_entries(A, r->unmatched_options, oa);
    const size_t kb = best_entries(B, r->unmatched_options, ob);
    const size_t cap = r->max_entries;
    size_t n_opt = ka + kb < cap ? ka + kb : cap;
    size_t n_pairs = n < cap ? n : cap;
    if (r->keep_unmatched) {
        n_pairs = n < cap - n_opt ? n : cap - n_opt;
    } else {
        n_opt = n_opt < cap - n_pairs ? n_opt : cap - n_pairs;
    }
    size_t e = 0;
    for (size_t q = 0; q < n_pairs; q++) {
        out[e++] = (rmc_joint_entry){scratch[q].a, scratch[q].b};
    }
    size_t ia = 0, ib = 0;
    for (size_t q = 0; q < n_opt; q++) {
        const bool take_a = ib >= kb || (ia < ka && A->utility[oa[ia]] >= B->utility[ob[ib]]);
        out[e++] = take_a ? (rmc_joint_entry){oa[ia++], -1} : (rmc_joint_entry){-1, ob[ib++]};
    }
    return e;
}
