/* Tests of match rates by group (src/groups.c): rates and their standard
 * errors against hand computations on a hand-built result, labels read
 * from an applicants.csv column (quoting, BOM, any column order), every
 * refusal (missing column, another model's ids, row counts, ragged rows,
 * missing file) and a sweep of allocation failures. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "rankmc/groups.h"

static char id_text[][8] = {"a1", "a2", "a 3", "a4", "a5"};
static char type_text[][8] = {"US_MD", "IMG", "US_MD", "US_DO", "IMG"};
static char *ids[5], *types[5];
static double p_match[] = {0.37, 0.9, 1.0, 0.25, 0.5};
static int32_t positions[] = {2, 3};
/* program 0: 10 replicates, fill 0 x1, 1 x4, 2 x5; program 1: 3 x10 */
static uint32_t fill_hist[] = {1, 4, 5, 0, 0, 0, 0, 10};

static rmc_result fake_result(void)
{
    rmc_result r;
    memset(&r, 0, sizeof r);
    for (size_t i = 0; i < 5; i++) {
        ids[i] = id_text[i];
        types[i] = type_text[i];
    }
    r.replicates = 10;
    r.n_app = 5;
    r.app_id = ids;
    r.app_type = types;
    r.p_match = p_match;
    r.n_prog = 2;
    r.positions = positions;
    r.fill_cols = 4;
    r.fill_hist = fill_hist;
    return r;
}

static void test_rmc_groups_rates_by_type(void **state)
{
    (void)state;
    const rmc_result r = fake_result();
    rmc_group_rate *g = NULL;
    size_t n = 0;
    assert_int_equal(rmc_groups_rates(&r, (const char *const *)r.app_type, &g, &n, NULL), RMC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(g[0].name, "IMG"); /* sorted by label */
    assert_string_equal(g[1].name, "US_DO");
    assert_string_equal(g[2].name, "US_MD");
    assert_int_equal(g[0].n, 2);
    assert_close(g[0].expected, 1.4, 1e-12, 0);
    assert_close(g[0].rate, 0.7, 1e-12, 0);
    assert_close(g[0].se, sqrt((0.9 * 0.1 + 0.5 * 0.5) / 10.0) / 2.0, 1e-12, 0);
    assert_close(g[2].rate, 1.37 / 2.0, 1e-12, 0);
    assert_close(g[2].se, sqrt(0.37 * 0.63 / 10.0) / 2.0, 1e-12, 0);
    assert_close(g[1].rate, 0.25, 1e-12, 0);
    rmc_groups_rates_free(g);
}

/* se_rep from per-replicate sums: IMG (2 applicants) matched 1, 2, 2, 1,
 * 2, 1, 2, 1, 1, 1 in the 10 replicates (sum 14, squares 22): per-replicate
 * rate variance (22 - 14^2 / 10) / 9 / 2^2. Groups without sums stay NAN,
 * as does everything of a file without them. */
static void test_rmc_groups_type_se(void **state)
{
    (void)state;
    rmc_result r = fake_result();
    rmc_group_rate *g = NULL;
    size_t n = 0;
    assert_int_equal(rmc_groups_rates(&r, (const char *const *)r.app_type, &g, &n, NULL), RMC_OK);
    rmc_groups_type_se(&r, g, n);
    assert_true(isnan(g[0].se_rep) && isnan(g[1].se_rep) && isnan(g[2].se_rep));
    static char name_text[][8] = {"IMG", "US_MD", "all"};
    char *names[3] = {name_text[0], name_text[1], name_text[2]};
    uint64_t sums[6] = {14, 22, 14, 20, 30, 92};
    r.n_type_groups = 3;
    r.type_groups = names;
    r.type_matched_sums = sums;
    rmc_groups_type_se(&r, g, n);
    assert_close(g[0].se_rep, sqrt((22.0 - 19.6) / 9.0 / 10.0) / 2.0, 1e-12, 0);
    assert_true(isnan(g[1].se_rep)); /* US_DO: no row */
    assert_close(g[2].se_rep, sqrt((20.0 - 19.6) / 9.0 / 10.0) / 2.0, 1e-12, 0);
    rmc_market_rates m;
    rmc_groups_market(&r, &m);
    assert_close(m.all.se_rep, sqrt((92.0 - 90.0) / 9.0 / 10.0) / 5.0, 1e-12, 0);
    rmc_groups_rates_free(g);
}

static void test_rmc_groups_market(void **state)
{
    (void)state;
    const rmc_result r = fake_result();
    rmc_market_rates m;
    rmc_groups_market(&r, &m);
    assert_string_equal(m.all.name, "all");
    assert_int_equal(m.all.n, 5);
    assert_close(m.all.rate, 3.02 / 5.0, 1e-12, 0);
    assert_int_equal(m.positions, 5);
    assert_close(m.filled, 1.4 + 3.0, 1e-12, 0); /* (4 + 10) / 10 + 3 */
    assert_close(m.fill_share, 4.4 / 5.0, 1e-12, 0);
    /* program 0: E f = 1.4, E f^2 = 2.4, var 0.44; program 1: var 0 */
    assert_close(m.fill_share_se, sqrt(0.44 / 10.0) / 5.0, 1e-12, 0);
}

/* A model folder holding only applicants.csv with `text`. */
static void write_csv(char *dir, const char *text)
{
    snprintf(dir, 64, "/tmp/rmc_groups_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/applicants.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_csv(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/applicants.csv", dir);
    unlink(path);
    rmdir(dir);
}

static const char good_csv[] = "\xEF\xBB\xBFx_group,type,id\r\n"
                               "md_senior,US_MD,a1\r\nnon_us_img,IMG,a2\r\n"
                               "\"other, prev\",US_MD,\"a 3\"\r\ndo_senior,US_DO,a4\r\n"
                               "non_us_img,IMG,a5\r\n";

static void test_rmc_groups_labels_read(void **state)
{
    (void)state;
    const rmc_result r = fake_result();
    char dir[64];
    write_csv(dir, good_csv);
    char **lab = NULL;
    assert_int_equal(rmc_groups_labels_read(dir, "x_group", &r, &lab, NULL), RMC_OK);
    assert_string_equal(lab[0], "md_senior");
    assert_string_equal(lab[2], "other, prev");
    assert_string_equal(lab[4], "non_us_img");
    rmc_group_rate *g = NULL;
    size_t n = 0;
    assert_int_equal(rmc_groups_rates(&r, (const char *const *)lab, &g, &n, NULL), RMC_OK);
    assert_int_equal(n, 4);
    assert_string_equal(g[1].name, "md_senior");
    assert_close(g[1].rate, 0.37, 1e-12, 0);
    rmc_groups_rates_free(g);
    rmc_groups_labels_free(lab, r.n_app);
    for (size_t k = 1;; k++) { /* every allocation may fail, nothing leaks */
        rmc_mem_fail_at(k);
        const rmc_status st = rmc_groups_labels_read(dir, "x_group", &r, &lab, NULL);
        const size_t made = rmc_mem_fail_at(0);
        if (st == RMC_OK) {
            rmc_groups_labels_free(lab, r.n_app);
            assert_true(made < k);
            break;
        }
        assert_int_equal(st, RMC_ENOMEM);
        assert_null(lab);
    }
    remove_csv(dir);
}

/* labels_read of `text` fails with RMC_EINPUT and a message holding want. */
static void expect_refusal(const char *text, const char *column, const char *want, long line)
{
    const rmc_result r = fake_result();
    char dir[64];
    write_csv(dir, text);
    char **lab = (char **)1;
    rmc_diag d = {0};
    assert_int_equal(rmc_groups_labels_read(dir, column, &r, &lab, &d), RMC_EINPUT);
    assert_null(lab);
    if (strstr(d.message, want) == NULL) {
        fail_msg("message '%s' lacks '%s'", d.message, want);
    }
    assert_int_equal(d.line, line);
    remove_csv(dir);
}

static void test_rmc_groups_labels_read_refusals(void **state)
{
    (void)state;
    expect_refusal(good_csv, "x_nope", "no column 'x_nope'", 1);
    expect_refusal("id,x_group\na1,g\na2,g\nb3,g\na4,g\na5,g\n", "x_group", "another model", 4);
    expect_refusal("id,x_group\na1,g\na2,g\na 3,g\na4,g\n", "x_group", "4 applicants", 5);
    expect_refusal("id,x_group\na1,g\na2,g\na 3,g\na4,g\na5,g\na6,g\n", "x_group",
                   "more applicants", 7);
    expect_refusal("id,x_group\na1,g\na2\n", "x_group", "ragged", 3);
    const rmc_result r = fake_result();
    char **lab = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_groups_labels_read("/nonexistent/rmc", "x_group", &r, &lab, &d),
                     RMC_EINPUT);
    assert_non_null(strstr(d.message, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_groups_rates_by_type),
        cmocka_unit_test(test_rmc_groups_type_se),
        cmocka_unit_test(test_rmc_groups_market),
        cmocka_unit_test(test_rmc_groups_labels_read),
        cmocka_unit_test(test_rmc_groups_labels_read_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
