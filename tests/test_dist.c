/* Tests for rankmc/dist.h and rmc_accum_reduce: the work split, every
 * collective, and that summing accumulators over ranks equals one
 * accumulator fed every replicate. Runs on a world of one in every build;
 * the MPI build also runs it under `mpirun -np 3` (tests/mpi/compare.sh), where
 * every rank checks what it must hold. */
#include "test_util.h"

#include <string.h>

#include "rankmc/accum.h"
#include "rankmc/dist.h"

/* The couples' per-replicate sums in rmc_couple_outcome order. */
static void couple_sums(const rmc_accum *a, uint64_t *sum, uint64_t *sumsq)
{
    rmc_accum_rep_sums(a, RMC_REP_COUPLE_BOTH, 2, sum, sumsq);
    rmc_accum_rep_sums(a, RMC_REP_COUPLE_CITY, 2, sum + 2, sumsq + 2);
}

static rmc_dist *g;

/* Every n and size: the shares are contiguous, cover 0 .. n-1 in rank
 * order and differ in size by at most one. */
static void test_rmc_dist_share_partition(void **state)
{
    (void)state;
    const uint64_t big[] = {UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63, 1000003};
    for (int size = 1; size <= 9; size++) {
        for (uint64_t n = 0; n < 60 + 4; n++) {
            const uint64_t total = n < 60 ? n : big[n - 60];
            uint64_t next = 0, lo = UINT64_MAX, hi = 0;
            for (int r = 0; r < size; r++) {
                uint64_t first = 0, count = 0;
                rmc_dist_share(total, r, size, &first, &count);
                assert_true(first == next);
                next = first + count;
                lo = count < lo ? count : lo;
                hi = count > hi ? count : hi;
            }
            assert_true(next == total);
            assert_true(hi - lo <= 1);
        }
    }
}

static void test_rmc_dist_collectives(void **state)
{
    (void)state;
    const int rank = rmc_dist_rank(g), size = rmc_dist_size(g);
    assert_true(rank >= 0 && rank < size);
    const uint64_t s = (uint64_t)size;
    uint32_t u32[3] = {1, (uint32_t)rank, 7};
    uint64_t u64[2] = {(uint64_t)1 << 40, (uint64_t)rank};
    int64_t i64[2] = {-3, (int64_t)rank - 1};
    assert_int_equal(rmc_dist_sum_u32(g, u32, 3, NULL), RMC_OK);
    assert_int_equal(rmc_dist_sum_u64(g, u64, 2, NULL), RMC_OK);
    assert_int_equal(rmc_dist_sum_i64(g, i64, 2, NULL), RMC_OK);
    if (rank == 0) {
        assert_true(u32[0] == s && u32[1] == s * (s - 1) / 2 && u32[2] == 7 * s);
        assert_true(u64[0] == s << 40 && u64[1] == s * (s - 1) / 2);
        assert_true(i64[0] == -3 * (int64_t)s && i64[1] == (int64_t)(s * (s - 1) / 2) - (int64_t)s);
    } else { /* left alone */
        assert_true(u32[0] == 1 && u32[1] == (uint32_t)rank && u64[1] == (uint64_t)rank);
    }
    int64_t mn[2] = {rank, -rank}, mx[2] = {rank, -rank};
    assert_int_equal(rmc_dist_all_min_i64(g, mn, 2, NULL), RMC_OK);
    assert_int_equal(rmc_dist_all_max_i64(g, mx, 2, NULL), RMC_OK);
    assert_true(mn[0] == 0 && mn[1] == 1 - size && mx[0] == size - 1 && mx[1] == 0);
    uint32_t mine[2] = {(uint32_t)rank, 100u + (uint32_t)rank};
    uint32_t all[2 * 16];
    assert_true(size <= 16);
    assert_int_equal(rmc_dist_all_gather_u32(g, mine, 2, all, NULL), RMC_OK);
    for (int r = 0; r < size; r++) {
        assert_true(all[2 * r] == (uint32_t)r && all[2 * r + 1] == 100u + (uint32_t)r);
    }
    char buf[16];
    snprintf(buf, sizeof buf, "rank%d", rank);
    assert_int_equal(rmc_dist_bcast(g, buf, sizeof buf, size - 1, NULL), RMC_OK);
    char want[16];
    snprintf(want, sizeof want, "rank%d", size - 1);
    assert_string_equal(buf, want);
}

/* A sum longer than one of dist_mpi.c's reduction pieces (2^22 elements):
 * every element summed once, the last piece short. */
static void test_rmc_dist_sum_in_pieces(void **state)
{
    (void)state;
    const int rank = rmc_dist_rank(g), size = rmc_dist_size(g);
    const size_t n = ((size_t)1 << 22) * 2 + 5;
    int64_t *buf = malloc(n * sizeof *buf);
    assert_non_null(buf);
    for (size_t e = 0; e < n; e++) {
        buf[e] = (int64_t)(e % 1000) * (rank + 1);
    }
    assert_int_equal(rmc_dist_sum_i64(g, buf, n, NULL), RMC_OK);
    const int64_t ranks_sum = (int64_t)size * (size + 1) / 2;
    size_t bad = 0;
    for (size_t e = 0; e < n; e++) {
        const int64_t want = (int64_t)(e % 1000) * (rank == 0 ? ranks_sum : rank + 1);
        bad += buf[e] != want;
    }
    assert_int_equal(bad, 0);
    free(buf);
}

/* Every rank passes: OK everywhere. The last rank fails: every rank gets
 * its status and message. */
static void test_rmc_dist_agree(void **state)
{
    (void)state;
    const int rank = rmc_dist_rank(g), size = rmc_dist_size(g);
    rmc_diag d = {0};
    assert_int_equal(rmc_dist_agree(g, RMC_OK, &d), RMC_OK);
    rmc_status st = RMC_OK;
    if (rank == size - 1) {
        st = RMC_FAIL(&d, RMC_ENOMEM, "rank %d is out of memory", rank);
    }
    assert_int_equal(rmc_dist_agree(g, st, &d), RMC_ENOMEM);
    char want[64];
    snprintf(want, sizeof want, "rank %d is out of memory", size - 1);
    assert_string_equal(d.message, want);
    assert_int_equal(d.status, RMC_ENOMEM);
}

enum { NA = 4, NP = 2, NI = 6, NF = 2, NREP = 37 };
static const int32_t iv_prog[NI] = {0, 1, 0, 1, 0, 1};

/* Replicate r, a fixed function of r: applicant i matched through
 * interview (i + r) % NI's program or not, ranks and moves from r. */
static void add_replicate(rmc_accum *a, uint64_t r)
{
    int32_t choice[NA], fill[NP] = {0, 0}, rank[NI];
    rmc_id app_iv[NA];
    float moves[NI * NF];
    for (size_t k = 0; k < NI; k++) {
        rank[k] = (int32_t)((k * 7 + r * 3) % 5) - 1;
        for (size_t f = 0; f < NF; f++) {
            moves[k * NF + f] = (float)((double)((k + f + r * 5) % 11) * 0.37 - 1.9);
        }
    }
    for (size_t i = 0; i < NA; i++) {
        const size_t k = (i + r) % NI;
        const bool match = (i * 3 + r) % 4 != 0 && rank[k] >= 0 && fill[iv_prog[k]] < 2;
        choice[i] = match ? (int32_t)(r % 2) : -1;
        app_iv[i] = match ? (rmc_id)k : RMC_ID_NONE;
        fill[iv_prog[k]] += match ? 1 : 0;
    }
    const rmc_accum_replicate rep = {choice, app_iv, fill, rank, moves, iv_prog};
    rmc_accum_add(a, &rep);
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    uint16_t cols[NI];
    for (size_t k = 0; k < NI; k++) {
        cols[k] = (uint16_t)rmc_accum_rank_col(dm, rank[k]);
    }
    rmc_accum_add_ranks(a, cols, 1, NI, 0, NI);
    if (r % 6 == 5) {
        rmc_accum_count_unconverged(a, r);
    }
    if (r == 13 || r == 31) {
        rmc_accum_count_unstable(a, r);
    }
    rmc_accum_count_restarts(a, (size_t)(r % 7), r % 6 != 5);
    uint64_t by_type[RMC_ACCUM_TYPE_GROUPS];
    for (size_t t = 0; t < RMC_ACCUM_TYPE_GROUPS; t++) {
        by_type[t] = (r * 7 + t * 3) % 5;
    }
    rmc_accum_count_types(a, by_type);
    /* three couples (when the dims count them), outcome bits varying by r */
    if (rmc_accum_get_dims(a)->n_couples == 3) {
        const uint8_t out[3] = {(uint8_t)(r % 16), (uint8_t)((r * 5) % 16), (uint8_t)(r % 3)};
        rmc_accum_add_couples(a, out);
    }
    /* SOAP: applicant i unmatched here placed at program i % NP every
     * other replicate; fill after SOAP = fill + those placed */
    rmc_id app_prog[NA], soap_prog[NA];
    int32_t after[NP];
    memcpy(after, fill, sizeof after);
    for (size_t i = 0; i < NA; i++) {
        app_prog[i] = app_iv[i] != RMC_ID_NONE ? iv_prog[app_iv[i]] : RMC_ID_NONE;
        const bool placed = app_prog[i] == RMC_ID_NONE && (i + r) % 2 == 0 && after[i % NP] < 2;
        soap_prog[i] = placed ? (rmc_id)(i % NP) : RMC_ID_NONE;
        after[i % NP] += placed ? 1 : 0;
    }
    const rmc_accum_soap soap = {app_prog, NULL, soap_prog, after, {r % 3, r % 4, r % 2, r, r + 1}};
    rmc_accum_add_soap(a, &soap);
    uint8_t partial[NA];
    int32_t cap[NP];
    for (size_t i = 0; i < NA; i++) {
        partial[i] = (uint8_t)((r + i) % 3 == 0);
    }
    for (size_t j = 0; j < NP; j++) {
        cap[j] = (int32_t)((r + j) % 3);
    }
    rmc_accum_count_tracks(a, partial, cap, r % 4);
}

static bool same_u32(const uint32_t *a, const uint32_t *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* Replicate r added on rank r mod size, then reduced: rank 0 holds exactly
 * the accumulator of all NREP replicates; the others are cleared. */
static void test_rmc_accum_reduce_equals_one_process(void **state)
{
    (void)state;
    const int rank = rmc_dist_rank(g), size = rmc_dist_size(g);
    rmc_accum_dims dm = {NA, NP, NI, NF, 0, 0, 0, 2, 2, 1, 3};
    rmc_accum_dims_bin(&dm, 3, 0);
    rmc_accum *one = NULL, *part = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, true, &one, NULL), RMC_OK);
    assert_int_equal(rmc_accum_alloc(&dm, true, &part, NULL), RMC_OK);
    for (uint64_t r = 0; r < NREP; r++) {
        add_replicate(one, r);
        if (r % (uint64_t)size == (uint64_t)rank) {
            add_replicate(part, r);
        }
    }
    assert_int_equal(rmc_accum_reduce(part, g, NULL), RMC_OK);
    if (rank == 0) {
        assert_int_equal(rmc_accum_replicates(part), NREP);
        assert_true(
            same_u32(rmc_accum_rank_hist(part), rmc_accum_rank_hist(one), NI * (dm.rank_bins + 1)));
        assert_true(same_u32(rmc_accum_choice_hist(part), rmc_accum_choice_hist(one), NA * 3));
        assert_true(same_u32(rmc_accum_fill_hist(part), rmc_accum_fill_hist(one), NP * 3));
        assert_true(same_u32(rmc_accum_depth_hist(part), rmc_accum_depth_hist(one),
                             NP * (dm.rank_bins + 1)));
        assert_true(same_u32(rmc_accum_iv_matched(part), rmc_accum_iv_matched(one), NI));
        assert_memory_equal(rmc_accum_move_sum(part), rmc_accum_move_sum(one),
                            NI * NF * sizeof(int64_t));
        assert_memory_equal(rmc_accum_restart_hist(part), rmc_accum_restart_hist(one),
                            2 * RMC_ACCUM_RESTART_BINS * sizeof(uint64_t));
        uint64_t sp[RMC_ACCUM_TYPE_GROUPS], qp[RMC_ACCUM_TYPE_GROUPS];
        uint64_t so[RMC_ACCUM_TYPE_GROUPS], qo[RMC_ACCUM_TYPE_GROUPS];
        rmc_accum_rep_sums(part, RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, sp, qp);
        rmc_accum_rep_sums(one, RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, so, qo);
        assert_memory_equal(sp, so, sizeof sp);
        assert_memory_equal(qp, qo, sizeof qp);
        assert_true(so[0] > 0 && qo[0] > so[0]);
        assert_int_equal(rmc_accum_soap_replicates(part), NREP);
        assert_true(same_u32(rmc_accum_soap_hist(part), rmc_accum_soap_hist(one),
                             NA * RMC_ACCUM_SOAP_COLS));
        assert_true(
            same_u32(rmc_accum_soap_fill_hist(part), rmc_accum_soap_fill_hist(one), NP * 3));
        uint64_t ts[RMC_ACCUM_SOAP_TOTALS], tq[RMC_ACCUM_SOAP_TOTALS];
        uint64_t us[RMC_ACCUM_SOAP_TOTALS], uq[RMC_ACCUM_SOAP_TOTALS];
        rmc_accum_rep_sums(part, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, ts, tq);
        rmc_accum_rep_sums(one, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, us, uq);
        assert_memory_equal(ts, us, sizeof ts);
        assert_memory_equal(tq, uq, sizeof tq);
        assert_true(us[RMC_SOAP_TOTAL_FILLED_SOAP] > 0);
        assert_true(same_u32(rmc_accum_partial_count(part), rmc_accum_partial_count(one), NA));
        assert_memory_equal(rmc_accum_capacity_sum(part), rmc_accum_capacity_sum(one),
                            NP * sizeof(uint64_t));
        uint64_t rp[4], ro[4];
        rmc_accum_rep_sums(part, RMC_REP_REVERTED, 1, &rp[0], &rp[1]);
        rmc_accum_rep_sums(part, RMC_REP_PARTIAL, 1, &rp[2], &rp[3]);
        rmc_accum_rep_sums(one, RMC_REP_REVERTED, 1, &ro[0], &ro[1]);
        rmc_accum_rep_sums(one, RMC_REP_PARTIAL, 1, &ro[2], &ro[3]);
        assert_memory_equal(rp, ro, sizeof rp);
        assert_true(ro[0] > 0 && ro[2] > 0);
        assert_memory_equal(rmc_accum_couple_counts(part), rmc_accum_couple_counts(one),
                            3 * RMC_COUPLE_N_OUTCOMES * sizeof(uint32_t));
        uint64_t cp[RMC_COUPLE_N_OUTCOMES], cpq[RMC_COUPLE_N_OUTCOMES];
        uint64_t co[RMC_COUPLE_N_OUTCOMES], coq[RMC_COUPLE_N_OUTCOMES];
        couple_sums(part, cp, cpq);
        couple_sums(one, co, coq);
        assert_memory_equal(cp, co, sizeof cp);
        assert_memory_equal(cpq, coq, sizeof cpq);
        assert_true(co[RMC_COUPLE_CITY] > 0 && rmc_accum_couple_counts(one)[0] > 0);
        assert_int_equal(rmc_accum_unconverged(part), rmc_accum_unconverged(one));
        assert_int_equal(rmc_accum_first_unconverged(part), 5);
        assert_int_equal(rmc_accum_unstable(part), 2);
        assert_int_equal(rmc_accum_first_unstable(part), 13);
    } else {
        assert_int_equal(rmc_accum_replicates(part), 0);
        assert_int_equal(rmc_accum_first_unconverged(part), -1);
        assert_int_equal(rmc_accum_rank_hist(part)[0], 0);
    }
    rmc_accum_free(one);
    rmc_accum_free(part);
}

int main(int argc, char **argv)
{
    if (rmc_dist_init(&argc, &argv, &g, NULL) != RMC_OK) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_dist_share_partition),
        cmocka_unit_test(test_rmc_dist_collectives),
        cmocka_unit_test(test_rmc_dist_sum_in_pieces),
        cmocka_unit_test(test_rmc_dist_agree),
        cmocka_unit_test(test_rmc_accum_reduce_equals_one_process),
    };
    const int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmc_dist_finish(g);
    return failed;
}
