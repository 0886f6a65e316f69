/* Tests for status.c, mem.c and model_params.c: the error sink, the problem list
 * (cap and overflow count), checked allocation and the parameter table. */
#include "test_util.h"

#include <string.h>

#include "internal.h"
#include "rankmc/rankmc.h"

static void test_rmc_fail_records_location(void **state)
{
    (void)state;
    rmc_diag d = {0};
    const rmc_status st = RMC_FAIL_AT(&d, RMC_EINPUT, "programs.csv", 7, "positions %d < 1", 0);
    assert_int_equal(st, RMC_EINPUT);
    assert_int_equal(d.status, RMC_EINPUT);
    assert_string_equal(d.file, "programs.csv");
    assert_int_equal(d.line, 7);
    assert_string_equal(d.message, "positions 0 < 1");
    assert_non_null(strstr(d.src, "test_status.c"));
    assert_int_equal(RMC_FAIL(NULL, RMC_ENOMEM, "x"), RMC_ENOMEM);
}

static void test_rmc_strerror_every_status(void **state)
{
    (void)state;
    for (int s = 0; s < RMC_STATUS_COUNT; s++) {
        assert_non_null(rmc_strerror((rmc_status)s));
        assert_string_not_equal(rmc_strerror((rmc_status)s), "unknown status");
    }
    assert_string_equal(rmc_strerror(RMC_STATUS_COUNT), "unknown status");
}

static void test_rmc_problems_cap_counts_the_rest(void **state)
{
    (void)state;
    rmc_problems *p = NULL;
    assert_int_equal(rmc_problems_alloc(3, &p), RMC_OK);
    for (int i = 0; i < 10; i++) {
        rmc_problems_add(p, "a.csv", i + 1, "bad %d", i);
    }
    rmc_problems_add(p, "b.csv", 0, "missing");
    assert_int_equal(rmc_problems_count(p), 11);
    assert_int_equal(rmc_problems_kept(p), 3);
    assert_string_equal(rmc_problems_get(p, 0), "a.csv:1: bad 0");
    assert_string_equal(rmc_problems_get(p, 2), "a.csv:3: bad 2");
    rmc_problems_free(p);
    rmc_problems_free(NULL);
}

static void test_rmc_alloc_array_overflow_and_injection(void **state)
{
    (void)state;
    void *ptr = (void *)1;
    rmc_diag d = {0};
    assert_int_equal(rmc_alloc_array(&ptr, SIZE_MAX / 2, 3, &d), RMC_ENOMEM);
    assert_null(ptr);
    rmc_mem_fail_at(2);
    void *a = NULL, *b = NULL;
    assert_int_equal(rmc_alloc_array(&a, 4, 4, NULL), RMC_OK);
    assert_int_equal(rmc_calloc_array(&b, 4, 4, NULL), RMC_ENOMEM);
    assert_int_equal(rmc_mem_fail_at(0), 2);
    rmc_free(a);
    assert_int_equal(rmc_alloc_aligned(&a, 3, 10, NULL), RMC_OK);
    assert_int_equal((uintptr_t)a % 64, 0);
    rmc_free(a);
}

static void test_rmc_problems_alloc_failure_is_clean(void **state)
{
    (void)state;
    for (size_t k = 1;; k++) {
        rmc_mem_fail_at(k);
        rmc_problems *p = NULL;
        const rmc_status st = rmc_problems_alloc(2, &p);
        const size_t made = rmc_mem_fail_at(0);
        if (st == RMC_OK) {
            assert_true(k > made);
            rmc_problems_free(p);
            break;
        }
        assert_int_equal(st, RMC_ENOMEM);
        assert_null(p);
    }
}

static void test_rmc_params_table_defaults_in_range(void **state)
{
    (void)state;
    rmc_params p;
    rmc_params_default(&p);
    assert_true(rmc_params_count() > 20);
    for (size_t i = 0; i < rmc_params_count(); i++) {
        const rmc_param_info *pi = rmc_params_info(i);
        const double v = rmc_params_get(&p, pi);
        assert_close(v, pi->def, 0, 0);
        if (pi->kind != RMC_PARAM_KIND_ENUM) {
            assert_true(pi->lo <= v && v <= pi->hi);
        }
        assert_ptr_equal(rmc_params_find(pi->section, pi->key), pi);
    }
    assert_int_equal(p.meeting_reference_list, 200);
    assert_null(rmc_params_find("meeting", "no_such_key"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_fail_records_location),
        cmocka_unit_test(test_rmc_strerror_every_status),
        cmocka_unit_test(test_rmc_problems_cap_counts_the_rest),
        cmocka_unit_test(test_rmc_alloc_array_overflow_and_injection),
        cmocka_unit_test(test_rmc_problems_alloc_failure_is_clean),
        cmocka_unit_test(test_rmc_params_table_defaults_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
