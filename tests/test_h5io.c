/* Tests for the h5io files (writer, reader, checkpoints): a hand-built model and hand-filled totals
 * are written, then read back both with the HDF5 API (names, shapes, attribute values) and with
 * rmc_result_read; temp-then-rename, --force, failures that leave nothing behind, and the Wilson
 * interval. */
#define _DEFAULT_SOURCE
#include "test_util.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5io_int.h"
#include "model_int.h"
#include "rankmc/h5io.h"
#include "rankmc/rankmc.h"

enum { NA = 3, NP = 2, NI = 4, NF = 3 };

typedef struct fixture {
    struct rmc_model m;
    rmc_accum *acc;
    char dir[64];
    char path[128];
} fixture;

static char app_id_buf[NA][8] = {"a1", "b\xc3\xa9", "c3"}; /* UTF-8 in an id */
static char *app_ids[NA];
static uint8_t app_types[NA] = {RMC_TYPE_US_MD, RMC_TYPE_IMG, RMC_TYPE_US_IMG};
static char prog_id_buf[NP][8] = {"P1", "P2"};
static char prog_name_buf[NP][8] = {"Alpha", "Beta"};
static char *prog_ids[NP], *prog_names[NP];
static char model_dir[] = "tests/data/hand";
static int32_t positions[NP] = {1, 2};
static rmc_id iv_app[NI] = {0, 0, 1, 2};
static rmc_id iv_prog[NI] = {0, 1, 1, 0};
static const char *const factor_names[NF] = {"f0", "f1", "f2"};

/* Two replicates: (a1 -> P1 via interview 0, bé -> P2) then (c3 -> P1,
 * a1 -> P2 2nd choice, bé unmatched). */
static void fill_totals(rmc_accum *a)
{
    int32_t rank[NI] = {0, 1, 0, 1};
    float moves[NI * NF] = {0};
    moves[1 * NF + 2] = 2.385f;
    const int32_t choice1[NA] = {0, 0, -1}, fill1[NP] = {1, 1};
    const rmc_id iv1[NA] = {0, 2, -1};
    const rmc_accum_replicate r1 = {choice1, iv1, fill1, rank, moves, iv_prog};
    rmc_accum_add(a, &r1);
    int32_t rank2[NI] = {1, 0, -1, 0};
    const int32_t choice2[NA] = {1, -1, 0}, fill2[NP] = {1, 1};
    const rmc_id iv2[NA] = {1, -1, 3};
    const rmc_accum_replicate r2 = {choice2, iv2, fill2, rank2, moves, iv_prog};
    rmc_accum_add(a, &r2);
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    uint16_t cols[2 * NI];
    for (size_t k = 0; k < NI; k++) {
        cols[k] = (uint16_t)rmc_accum_rank_col(dm, rank[k]);
        cols[NI + k] = (uint16_t)rmc_accum_rank_col(dm, rank2[k]);
    }
    rmc_accum_add_ranks(a, cols, 2, NI, 0, NI);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    struct rmc_model *m = &fx->m;
    m->dir = model_dir;
    for (size_t i = 0; i < NA; i++) {
        app_ids[i] = app_id_buf[i];
    }
    for (size_t j = 0; j < NP; j++) {
        prog_ids[j] = prog_id_buf[j];
        prog_names[j] = prog_name_buf[j];
    }
    snprintf(m->sha256, sizeof m->sha256, "%064d", 7);
    m->n_app = NA;
    m->app_id = app_ids;
    m->app_type = app_types;
    m->n_prog = NP;
    m->prog_id = prog_ids;
    m->prog_name = prog_names;
    m->positions = positions;
    m->n_iv = NI;
    m->iv_app = iv_app;
    m->iv_prog = iv_prog;
    rmc_accum_dims dm = {.n_app = NA,
                         .n_prog = NP,
                         .n_iv = NI,
                         .n_factors = NF,
                         .choice_len = 2,
                         .max_positions = 2};
    rmc_accum_dims_bin(&dm, 2, 0);
    assert_int_equal(rmc_accum_alloc(&dm, true, &fx->acc, NULL), RMC_OK);
    fill_totals(fx->acc);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rmc_h5io_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof fx->path, "%s/out.h5", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *dir = opendir(fx->dir);
    if (dir != NULL) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
                unlink(p);
            }
        }
        closedir(dir);
    }
    rmdir(fx->dir);
    rmc_accum_free(fx->acc);
    free(fx);
    return 0;
}

static size_t count_files(const char *dirpath)
{
    DIR *dir = opendir(dirpath);
    assert_non_null(dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(dir);
    return n;
}

static rmc_h5_run_info run_info(void)
{
    rmc_h5_run_info info = {.seed = 2385,
                            .threads = 3,
                            .rng_name = "philox4x32",
                            .proposing = "applicants",
                            .wall_seconds = 0.37,
                            .command_line = "rankmc run x",
                            .replicates_requested = 2,
                            .until_se = 0.0125,
                            .se_reached = true,
                            .factor_names = factor_names};
    return info;
}

static void check_shape(hid_t f, const char *path, int rank, hsize_t d0, hsize_t d1)
{
    const hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) {
        fail_msg("dataset %s missing", path);
    }
    const hid_t sp = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    assert_int_equal(H5Sget_simple_extent_ndims(sp), rank);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    assert_int_equal(dims[0], d0);
    if (rank == 2) {
        assert_int_equal(dims[1], d1);
    }
    H5Sclose(sp);
    H5Dclose(ds);
}

static void test_rmc_h5_write_layout(void **state)
{
    fixture *fx = *state;
    const rmc_h5_run_info info = run_info();
    rmc_diag d = {0};
    assert_int_equal(rmc_h5_write(fx->path, false, &fx->m, fx->acc, &info, &d), RMC_OK);
    assert_int_equal(count_files(fx->dir), 1); /* the temp file was renamed */
    const hid_t f = H5Fopen(fx->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_shape(f, "/applicants/id", 1, NA, 0);
    check_shape(f, "/applicants/type", 1, NA, 0);
    check_shape(f, "/applicants/p_match", 1, NA, 0);
    check_shape(f, "/applicants/p_match_se", 1, NA, 0);
    check_shape(f, "/applicants/p_match_ci95", 2, NA, 2);
    check_shape(f, "/applicants/choice_hist", 2, NA, 3);
    check_shape(f, "/applicants/type_groups", 1, RMC_ACCUM_TYPE_GROUPS, 0);
    check_shape(f, "/applicants/type_matched_sums", 2, RMC_ACCUM_TYPE_GROUPS, 2);
    check_shape(f, "/programs/id", 1, NP, 0);
    check_shape(f, "/programs/positions", 1, NP, 0);
    check_shape(f, "/programs/fill_hist", 2, NP, 3);
    check_shape(f, "/programs/depth_hist", 2, NP, 3);
    check_shape(f, "/interviews/applicant", 1, NI, 0);
    check_shape(f, "/interviews/program", 1, NI, 0);
    check_shape(f, "/interviews/rank_hist", 2, NI, 3);
    check_shape(f, "/interviews/p_match", 1, NI, 0);
    check_shape(f, "/interviews/p_match_se", 1, NI, 0);
    check_shape(f, "/interviews/p_match_ci95", 2, NI, 2);
    check_shape(f, "/interviews/mean_move", 2, NI, NF);
    check_shape(f, "/interviews/factors", 1, NF, 0);
    uint64_t u = 0;
    const hid_t a_seed = H5Aopen(f, "seed", H5P_DEFAULT);
    assert_true(H5Aread(a_seed, H5T_NATIVE_UINT64, &u) >= 0);
    assert_int_equal(u, 2385);
    H5Aclose(a_seed);
    const hid_t a_rep = H5Aopen(f, "replicates", H5P_DEFAULT);
    assert_true(H5Aread(a_rep, H5T_NATIVE_UINT64, &u) >= 0);
    assert_int_equal(u, 2);
    H5Aclose(a_rep);
    const char *root_attrs[] = {"rankmc_version", "threads",      "model_sha256", "command_line",
                                "created_utc",    "wall_seconds", "rng",          "proposing"};
    for (size_t i = 0; i < sizeof root_attrs / sizeof root_attrs[0]; i++) {
        assert_true(H5Aexists(f, root_attrs[i]) > 0);
    }
    /* A chunked, deflated dataset, with its bin edges (1-based, unbinned). */
    const hid_t ds = H5Dopen2(f, "/interviews/rank_hist", H5P_DEFAULT);
    uint64_t edges[3] = {0, 0, 0};
    const hid_t ae = H5Aopen(ds, "bin_edges", H5P_DEFAULT);
    assert_true(H5Aread(ae, H5T_NATIVE_UINT64, edges) >= 0);
    H5Aclose(ae);
    assert_int_equal(edges[0], 1);
    assert_int_equal(edges[1], 2);
    assert_int_equal(edges[2], 3);
    const hid_t dcpl = H5Dget_create_plist(ds);
    assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
    assert_true(H5Pget_nfilters(dcpl) >= 1);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(f);
}

/* One numeric table written by rmc_h5_write_numeric (its chunks filtered
 * and stored by the writer itself) and read back through HDF5's own
 * pipeline: the same bytes, the chunk shape given, shuffle then deflate. */
static void roundtrip_numeric(hid_t f, const char *name, hid_t mtype, hid_t ftype, int rank,
                              const hsize_t *dims, const void *data, const hsize_t *chunk)
{
    rmc_diag d = {0};
    assert_int_equal(rmc_h5_write_numeric(f, name, mtype, ftype, rank, dims, data, &d), RMC_OK);
    const size_t n = (size_t)(dims[0] * (rank == 2 ? dims[1] : 1)), elem = H5Tget_size(mtype);
    unsigned char *back = calloc(n * elem + 1, 1);
    assert_non_null(back);
    const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    if (n > 0) {
        assert_true(H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
        assert_memory_equal(back, data, n * elem);
    }
    const hid_t dcpl = H5Dget_create_plist(ds);
    if (chunk != NULL) {
        hsize_t got[2] = {0, 0};
        assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
        assert_int_equal(H5Pget_chunk(dcpl, 2, got), rank);
        assert_int_equal(got[0], chunk[0]);
        if (rank == 2) {
            assert_int_equal(got[1], chunk[1]);
        }
        assert_int_equal(H5Pget_nfilters(dcpl), 2);
        unsigned flags = 0, cd[4] = {0};
        size_t ncd = 4;
        assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL),
                         H5Z_FILTER_SHUFFLE);
        ncd = 4;
        assert_int_equal(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL),
                         H5Z_FILTER_DEFLATE);
    }
    H5Pclose(dcpl);
    H5Dclose(ds);
    free(back);
}

/* Every shape the writer chunks differently: whole-row chunks with a
 * partial last one, rows longer than a chunk (split, partial at both
 * edges), 1-D, one-byte elements, an empty table, and a file type that
 * differs from the memory type (HDF5 converts; a big-endian file). */
static void test_rmc_h5_write_numeric_chunks(void **state)
{
    fixture *fx = *state;
    const hid_t f = H5Fcreate(fx->path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    enum { ROWS = 1000, COLS = 181, WIDE = 70000, LONG = 100001 };
    uint32_t *hist = calloc((size_t)ROWS * COLS, sizeof *hist);
    uint32_t *wide = calloc((size_t)3 * WIDE, sizeof *wide);
    double *vec = calloc(LONG, sizeof *vec);
    assert_true(hist != NULL && wide != NULL && vec != NULL);
    uint64_t x = 12345;
    for (size_t i = 0; i < (size_t)ROWS * COLS; i++) { /* sparse counts, some above 2^16 */
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        hist[i] = (x >> 60) == 0 ? (uint32_t)(x >> 41) : (x >> 62) == 1 ? (uint32_t)(x >> 61) : 0;
    }
    for (size_t i = 0; i < (size_t)3 * WIDE; i++) {
        wide[i] = (uint32_t)(i * 2654435761U);
    }
    for (size_t i = 0; i < LONG; i++) {
        vec[i] = sin((double)i) / (double)(i + 1);
    }
    const uint8_t bytes[10] = {0, 1, 2, 3, 255, 0, 0, 7, 9, 1};
    const int64_t big[5] = {-1, 0, 1, INT64_MAX, INT64_MIN};
    const hsize_t dh[2] = {ROWS, COLS}, ch[2] = {65536 / COLS, COLS};
    const hsize_t dw[2] = {3, WIDE}, cw[2] = {1, 65536};
    const hsize_t dv[1] = {LONG}, cv[1] = {32768};
    const hsize_t db[1] = {10}, cb[1] = {10};
    const hsize_t de[2] = {0, 4}, dbig[1] = {5}, cbig[1] = {5};
    roundtrip_numeric(f, "hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dh, hist, ch);
    roundtrip_numeric(f, "wide", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dw, wide, cw);
    roundtrip_numeric(f, "vec", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dv, vec, cv);
    roundtrip_numeric(f, "bytes", H5T_NATIVE_UINT8, H5T_STD_U8LE, 1, db, bytes, cb);
    roundtrip_numeric(f, "empty", H5T_NATIVE_INT32, H5T_STD_I32LE, 2, de, hist, NULL);
    roundtrip_numeric(f, "big", H5T_NATIVE_INT64, H5T_STD_I64BE, 1, dbig, big, cbig);
    H5Fclose(f);
    free(vec);
    free(wide);
    free(hist);
}

/* The raw (filtered) bytes of every chunk of dataset `name`, concatenated
 * in chunk order, into a fresh buffer; *len its length, *n the chunks. */
static unsigned char *raw_chunks(hid_t f, const char *name, size_t *len, hsize_t *n)
{
    const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    const hid_t sp = H5Dget_space(ds);
    assert_true(H5Dget_num_chunks(ds, sp, n) >= 0);
    unsigned char *all = NULL;
    *len = 0;
    for (hsize_t i = 0; i < *n; i++) {
        hsize_t off[2] = {0, 0}, size = 0;
        unsigned mask = 0;
        haddr_t addr = 0;
        assert_true(H5Dget_chunk_info(ds, sp, i, off, &mask, &addr, &size) >= 0);
        all = realloc(all, *len + (size_t)size + 2 * sizeof off);
        assert_non_null(all);
        memcpy(all + *len, off, sizeof off); /* where the chunk is, then its bytes */
        uint32_t filters = 0;
        assert_true(H5Dread_chunk(ds, H5P_DEFAULT, off, &filters, all + *len + sizeof off) >= 0);
        *len += (size_t)size + sizeof off;
    }
    H5Sclose(sp);
    H5Dclose(ds);
    return all;
}

/* Chunks compressed on several threads (rmc_h5_write_numeric_par): the
 * file holds the same chunks, byte for byte, as with one thread, and the
 * data reads back; more threads than chunks, and than one wave, too. */
static void test_rmc_h5_write_numeric_threads(void **state)
{
    fixture *fx = *state;
    const hid_t f = H5Fcreate(fx->path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    enum { ROWS = 3000, COLS = 181, WIDE = 70000 };
    uint32_t *hist = calloc((size_t)ROWS * COLS, sizeof *hist);
    uint32_t *wide = calloc((size_t)3 * WIDE, sizeof *wide);
    assert_true(hist != NULL && wide != NULL);
    uint64_t x = 777;
    for (size_t i = 0; i < (size_t)ROWS * COLS; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        hist[i] = (x >> 61) == 0 ? (uint32_t)(x >> 45) : 0;
    }
    for (size_t i = 0; i < (size_t)3 * WIDE; i++) {
        wide[i] = (uint32_t)(i % 1000 == 0 ? i : 0);
    }
    const hsize_t dh[2] = {ROWS, COLS}, dw[2] = {3, WIDE};
    const struct {
        const char *name;
        const hsize_t *dims;
        const void *data;
    } tab[2] = {{"hist", dh, hist}, {"wide", dw, wide}};
    const int threads[4] = {1, 2, 3, 64};
    rmc_diag d = {0};
    for (size_t k = 0; k < 2; k++) {
        unsigned char *one = NULL;
        size_t one_len = 0;
        hsize_t one_n = 0;
        for (size_t t = 0; t < 4; t++) {
            char name[32];
            snprintf(name, sizeof name, "%s_%d", tab[k].name, threads[t]);
            assert_int_equal(rmc_h5_write_numeric_par(f, name, H5T_NATIVE_UINT32, H5T_STD_U32LE, 2,
                                                      tab[k].dims, tab[k].data, threads[t], &d),
                             RMC_OK);
            const size_t n = (size_t)(tab[k].dims[0] * tab[k].dims[1]);
            uint32_t *back = calloc(n, sizeof *back);
            assert_non_null(back);
            const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
            assert_true(H5Dread(ds, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
            H5Dclose(ds);
            assert_memory_equal(back, tab[k].data, n * sizeof *back);
            free(back);
            size_t len = 0;
            hsize_t nc = 0;
            unsigned char *raw = raw_chunks(f, name, &len, &nc);
            if (t == 0) {
                one = raw, one_len = len, one_n = nc;
                assert_true(nc > 4); /* several waves at 2 threads */
            } else {
                assert_int_equal(nc, one_n);
                assert_int_equal(len, one_len);
                assert_memory_equal(raw, one, len);
                free(raw);
            }
        }
        free(one);
    }
    H5Fclose(f);
    free(wide);
    free(hist);
}

static void test_rmc_result_read_roundtrip(void **state)
{
    fixture *fx = *state;
    const rmc_h5_run_info info = run_info();
    rmc_accum_count_restarts(fx->acc, 0, true);
    rmc_accum_count_restarts(fx->acc, 2, true);
    const uint64_t by_type[RMC_ACCUM_TYPE_GROUPS] = {1, 2, 0, 4, 7};
    rmc_accum_count_types(fx->acc, by_type);
    assert_int_equal(rmc_h5_write(fx->path, false, &fx->m, fx->acc, &info, NULL), RMC_OK);
    rmc_result *r = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_result_read(fx->path, &r, &d), RMC_OK);
    assert_int_equal(r->n_type_groups, RMC_ACCUM_TYPE_GROUPS);
    for (size_t t = 0; t < RMC_N_TYPES; t++) {
        assert_string_equal(r->type_groups[t], rmc_type_name((rmc_type)t));
        assert_int_equal(r->type_matched_sums[2 * t], by_type[t]);
        assert_int_equal(r->type_matched_sums[2 * t + 1], by_type[t] * by_type[t]);
    }
    assert_string_equal(r->type_groups[RMC_N_TYPES], "all");
    assert_int_equal(r->type_matched_sums[2 * RMC_N_TYPES + 1], 49);
    assert_int_equal(r->restarted, 1);
    assert_int_equal(r->restart_hist[0][0], 1);
    assert_int_equal(r->restart_hist[0][2], 1);
    assert_string_equal(r->version, rmc_version());
    assert_string_equal(r->model_sha256, fx->m.sha256);
    assert_string_equal(r->command_line, "rankmc run x");
    assert_string_equal(r->rng_name, "philox4x32");
    assert_int_equal(r->seed, 2385);
    assert_int_equal(r->replicates, 2);
    assert_int_equal(r->threads, 3);
    assert_close(r->wall_seconds, 0.37, 0, 0);
    assert_close(r->until_se, 0.0125, 0, 0);
    assert_int_equal(r->se_reached, 1);
    assert_int_equal(r->interrupted, 0);
    assert_int_equal(r->n_app, NA);
    assert_string_equal(r->app_id[1], "b\xc3\xa9");
    assert_string_equal(r->app_type[1], "IMG");
    assert_close(r->p_match[0], 1.0, 0, 0);
    assert_close(r->p_match[1], 0.5, 0, 0);
    assert_close(r->p_match_se[1], 0.5 / sqrt(2.0), 1e-15, 0);
    double lo, hi;
    rmc_wilson95(1, 2, &lo, &hi);
    assert_close(r->p_match_ci95[2], lo, 0, 0);
    assert_close(r->p_match_ci95[3], hi, 0, 0);
    assert_int_equal(r->choice_hist[0 * 3 + 1], 1);
    assert_int_equal(r->choice_hist[1 * 3 + 2], 1);
    assert_string_equal(r->prog_name[1], "Beta");
    assert_int_equal(r->positions[1], 2);
    assert_int_equal(r->fill_hist[1 * 3 + 1], 2);
    assert_int_equal(r->rank_cols, 3);
    assert_int_equal(r->rank_bin_width, 1);
    assert_int_equal(r->rank_hist[2 * 3 + 2], 1);  /* interview 2 not ranked once */
    assert_int_equal(r->depth_hist[1 * 3 + 0], 2); /* P2 filled from its top name both times */
    assert_int_equal(r->depth_hist[0 * 3 + 0], 2); /* P1 too: a1, then c3, each ranked first */
    assert_close(r->iv_p_match[3], 0.5, 0, 0);
    assert_close(r->iv_p_match_se[3], 0.5 / sqrt(2.0), 1e-15, 0);
    assert_close(r->iv_p_match_ci95[6], lo, 0, 0);
    assert_close(r->iv_p_match_ci95[7], hi, 0, 0);
    for (size_t k = 0; k < r->n_iv; k++) {
        assert_true(r->iv_p_match_ci95[2 * k] <= r->iv_p_match[k]);
        assert_true(r->iv_p_match[k] <= r->iv_p_match_ci95[2 * k + 1]);
    }
    assert_close(r->mean_move[1 * NF + 2], 2.385, 0, 0.5 / 4096.0);
    assert_string_equal(r->factors[2], "f2");
    rmc_result_free(r);
}

static void read_bytes(const char *path, char *buf, size_t cap, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    *n = fread(buf, 1, cap, fp);
    fclose(fp);
}

/* Read without the rank histogram: rank_hist NULL, every other table as
 * in a full read; rmc_result_rank_rows gives the full read's rows, in the
 * order asked, from the file or from memory, and refuses a row that does
 * not exist. */
static void test_rmc_result_rank_rows(void **state)
{
    fixture *fx = *state;
    const rmc_h5_run_info info = run_info();
    assert_int_equal(rmc_h5_write(fx->path, false, &fx->m, fx->acc, &info, NULL), RMC_OK);
    rmc_result *full = NULL, *lean = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_result_read(fx->path, &full, &d), RMC_OK);
    assert_int_equal(rmc_result_read_opts(fx->path, RMC_RESULT_NO_RANK_HIST, &lean, &d), RMC_OK);
    assert_null(lean->rank_hist);
    assert_non_null(full->rank_hist);
    assert_int_equal(lean->rank_cols, full->rank_cols);
    assert_int_equal(lean->n_iv, NI);
    assert_memory_equal(lean->iv_p_match, full->iv_p_match, NI * sizeof(double));
    assert_memory_equal(lean->mean_move, full->mean_move, NI * NF * sizeof(double));
    const size_t rows[5] = {3, 0, 2, 2, 1};
    const size_t cols = full->rank_cols;
    uint32_t a[5 * 3], b[5 * 3];
    assert_int_equal(cols, 3);
    assert_int_equal(rmc_result_rank_rows(fx->path, lean, rows, 5, a, &d), RMC_OK);
    assert_int_equal(rmc_result_rank_rows("/nonexistent.h5", full, rows, 5, b, &d), RMC_OK);
    assert_memory_equal(a, b, sizeof a);
    for (size_t e = 0; e < 5; e++) {
        assert_memory_equal(a + e * cols, full->rank_hist + rows[e] * cols, cols * sizeof *a);
    }
    const size_t bad[1] = {NI};
    assert_int_equal(rmc_result_rank_rows(fx->path, lean, bad, 1, a, &d), RMC_EUSAGE);
    assert_int_equal(rmc_result_rank_rows("/nonexistent.h5", lean, rows, 1, a, &d), RMC_EIO);
    rmc_result_free(lean);
    rmc_result_free(full);
}

static void test_rmc_h5_write_exists_without_force(void **state)
{
    fixture *fx = *state;
    const rmc_h5_run_info info = run_info();
    FILE *fp = fopen(fx->path, "w");
    assert_non_null(fp);
    fputs("keep me\n", fp);
    fclose(fp);
    rmc_diag d = {0};
    assert_int_equal(rmc_h5_write(fx->path, false, &fx->m, fx->acc, &info, &d), RMC_EEXIST);
    assert_non_null(strstr(d.message, "--force"));
    char buf[64];
    size_t n = 0;
    read_bytes(fx->path, buf, sizeof buf, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "keep me\n", 8);
    assert_int_equal(count_files(fx->dir), 1);
    assert_int_equal(rmc_h5_write(fx->path, true, &fx->m, fx->acc, &info, &d), RMC_OK);
    assert_true(H5Fis_hdf5(fx->path) > 0);
    assert_int_equal(count_files(fx->dir), 1);
}

static void test_rmc_h5_write_failures_leave_nothing(void **state)
{
    fixture *fx = *state;
    const rmc_h5_run_info info = run_info();
    char bad[192];
    snprintf(bad, sizeof bad, "%s/no/such/dir/out.h5", fx->dir);
    rmc_diag d = {0};
    assert_int_equal(rmc_h5_write(bad, false, &fx->m, fx->acc, &info, &d), RMC_EIO);
    /* Totals of another shape: refused after the temp file was made; it is removed. */
    struct rmc_model other = fx->m;
    other.n_app = NA - 1;
    assert_int_equal(rmc_h5_write(fx->path, false, &other, fx->acc, &info, &d), RMC_EUSAGE);
    assert_int_equal(count_files(fx->dir), 0);
    /* Allocation failure partway: nothing left either. */
    rmc_mem_fail_at(2);
    const rmc_status st = rmc_h5_write(fx->path, false, &fx->m, fx->acc, &info, &d);
    rmc_mem_fail_at(0);
    assert_int_equal(st, RMC_ENOMEM);
    assert_int_equal(count_files(fx->dir), 0);
}

static void test_rmc_result_read_bad_files(void **state)
{
    fixture *fx = *state;
    rmc_result *r = (rmc_result *)1;
    rmc_diag d = {0};
    assert_int_equal(rmc_result_read(fx->path, &r, &d), RMC_EIO); /* missing */
    assert_null(r);
    FILE *fp = fopen(fx->path, "w");
    assert_non_null(fp);
    fputs("not hdf5\n", fp);
    fclose(fp);
    assert_int_equal(rmc_result_read(fx->path, &r, &d), RMC_EINPUT);
    /* An HDF5 file without the datasets. */
    const hid_t f = H5Fcreate(fx->path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    H5Fclose(f);
    assert_int_equal(rmc_result_read(fx->path, &r, &d), RMC_EINPUT);
    assert_non_null(strstr(d.message, "rankmc_version"));
}

static void test_rmc_h5_checkpoint_roundtrip(void **state)
{
    fixture *fx = *state;
    rmc_accum_count_unconverged(fx->acc, 5);
    rmc_accum_count_restarts(fx->acc, 3, true);
    rmc_accum_count_restarts(fx->acc, 20, false);
    const uint64_t by_type[RMC_ACCUM_TYPE_GROUPS] = {3, 0, 1, 2, 6};
    rmc_accum_count_types(fx->acc, by_type);
    rmc_accum_count_types(fx->acc, by_type);
    rmc_h5_checkpoint_info info = {.seed = 2385,
                                   .replicates_requested = 640,
                                   .proposing = 1,
                                   .check_stability = 1,
                                   .until_se = 0.037};
    snprintf(info.rng_name, sizeof info.rng_name, "philox4x32");
    snprintf(info.model_sha256, sizeof info.model_sha256, "%s", fx->m.sha256);
    rmc_diag d = {0};
    assert_int_equal(rmc_h5_checkpoint_write(fx->path, fx->acc, &info, &d), RMC_OK);
    assert_int_equal(rmc_h5_checkpoint_write(fx->path, fx->acc, &info, &d), RMC_OK); /* replaces */
    assert_int_equal(count_files(fx->dir), 1);
    rmc_accum *back = NULL;
    rmc_h5_checkpoint_info in2;
    assert_int_equal(rmc_h5_checkpoint_read(fx->path, &back, &in2, &d), RMC_OK);
    assert_memory_equal(&in2, &info, sizeof info);
    const rmc_accum_dims *dm = rmc_accum_get_dims(fx->acc);
    assert_memory_equal(rmc_accum_get_dims(back), dm, sizeof *dm);
    assert_int_equal(rmc_accum_replicates(back), 2);
    assert_int_equal(rmc_accum_unconverged(back), 1);
    assert_int_equal(rmc_accum_first_unconverged(back), 5);
    assert_memory_equal(rmc_accum_restart_hist(back), rmc_accum_restart_hist(fx->acc),
                        2 * RMC_ACCUM_RESTART_BINS * 8);
    assert_int_equal(rmc_accum_restart_hist(back)[3], 1);
    uint64_t ts[RMC_ACCUM_TYPE_GROUPS], tq[RMC_ACCUM_TYPE_GROUPS];
    rmc_accum_rep_sums(back, RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, ts, tq);
    assert_int_equal(ts[0], 6);
    assert_int_equal(tq[0], 18);
    assert_int_equal(ts[RMC_N_TYPES], 12);
    assert_int_equal(tq[RMC_N_TYPES], 72);
    assert_int_equal(rmc_accum_restart_hist(back)[RMC_ACCUM_RESTART_BINS + 20], 1);
    assert_memory_equal(rmc_accum_rank_hist(back), rmc_accum_rank_hist(fx->acc),
                        NI * (dm->rank_bins + 1) * 4);
    assert_memory_equal(rmc_accum_choice_hist(back), rmc_accum_choice_hist(fx->acc), NA * 3 * 4);
    assert_memory_equal(rmc_accum_move_sum(back), rmc_accum_move_sum(fx->acc), NI * NF * 8);
    assert_memory_equal(rmc_accum_depth_hist(back), rmc_accum_depth_hist(fx->acc),
                        NP * (dm->rank_bins + 1) * 4);
    rmc_accum_free(back);
    /* A result file is not a checkpoint. */
    const rmc_h5_run_info ri = run_info();
    assert_int_equal(rmc_h5_write(fx->path, true, &fx->m, fx->acc, &ri, &d), RMC_OK);
    assert_int_equal(rmc_h5_checkpoint_read(fx->path, &back, &in2, &d), RMC_EINPUT);
    assert_null(back);
}

/* The settings of the resume tests' checkpoints: fx's model, 640 asked. */
static rmc_h5_checkpoint_info resume_info(const fixture *fx)
{
    rmc_h5_checkpoint_info info = {.seed = 11, .replicates_requested = 640};
    snprintf(info.rng_name, sizeof info.rng_name, "philox4x32");
    snprintf(info.model_sha256, sizeof info.model_sha256, "%s", fx->m.sha256);
    return info;
}

/* --resume's checks live in h5io: a missing file, another model, more
 * replicates than asked are usage errors; otherwise the totals and
 * settings come back. */
static void test_rmc_h5_checkpoint_resume_checks(void **state)
{
    fixture *fx = *state;
    rmc_h5_checkpoint_info info = resume_info(fx);
    rmc_diag d = {0};
    rmc_accum *back = NULL;
    rmc_h5_checkpoint_info in2;
    assert_int_equal(rmc_h5_checkpoint_resume(fx->path, &fx->m, 0, &back, &in2, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "no checkpoint"));
    assert_null(back);
    assert_int_equal(rmc_h5_checkpoint_write(fx->path, fx->acc, &info, &d), RMC_OK);
    assert_int_equal(rmc_h5_checkpoint_resume(fx->path, &fx->m, 0, &back, &in2, &d), RMC_OK);
    assert_int_equal(rmc_accum_replicates(back), 2);
    assert_int_equal(in2.seed, 11);
    rmc_accum_free(back);
    back = NULL;
    /* 2 replicates saved: -n 2 may resume (nothing left to do), -n 1 not. */
    assert_int_equal(rmc_h5_checkpoint_resume(fx->path, &fx->m, 2, &back, &in2, &d), RMC_OK);
    rmc_accum_free(back);
    back = NULL;
    assert_int_equal(rmc_h5_checkpoint_resume(fx->path, &fx->m, 1, &back, &in2, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "already has 2 replicates"));
    assert_null(back);
    snprintf(info.model_sha256, sizeof info.model_sha256, "%064d", 0);
    assert_int_equal(rmc_h5_checkpoint_write(fx->path, fx->acc, &info, &d), RMC_OK);
    assert_int_equal(rmc_h5_checkpoint_resume(fx->path, &fx->m, 0, &back, &in2, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "different model"));
    assert_null(back);
}

/* A checkpoint another rankmc wrote: a format number other than this
 * one's, or (files from before the number existed) a layout this version
 * cannot read, is refused as bad input naming the file and saying to start
 * again -- not as a bare "attribute missing". */
static void test_rmc_h5_checkpoint_other_format(void **state)
{
    fixture *fx = *state;
    rmc_h5_checkpoint_info info = resume_info(fx);
    rmc_diag d = {0};
    rmc_accum *back = NULL;
    rmc_h5_checkpoint_info in2;
    for (int how = 0; how < 3; how++) {
        assert_int_equal(rmc_h5_checkpoint_write(fx->path, fx->acc, &info, &d), RMC_OK);
        const hid_t f = H5Fopen(fx->path, H5F_ACC_RDWR, H5P_DEFAULT);
        assert_true(f >= 0);
        if (how == 0) { /* a later (or earlier) numbered format */
            const uint64_t other = 999;
            const hid_t a = H5Aopen(f, "checkpoint_format", H5P_DEFAULT);
            assert_true(a >= 0);
            assert_true(H5Awrite(a, H5T_NATIVE_UINT64, &other) >= 0);
            H5Aclose(a);
        } else { /* no number, and a layout from before (an attribute gone) */
            assert_true(H5Adelete(f, "checkpoint_format") >= 0);
            if (how == 2) {
                assert_true(H5Adelete(f, "couples_counted") >= 0);
            }
        }
        H5Fclose(f);
        const rmc_status st = rmc_h5_checkpoint_resume(fx->path, &fx->m, 0, &back, &in2, &d);
        if (how == 1) { /* unnumbered but readable: resumes */
            assert_int_equal(st, RMC_OK);
            rmc_accum_free(back);
            back = NULL;
            continue;
        }
        assert_int_equal(st, RMC_EINPUT);
        assert_null(back);
        assert_string_equal(d.file, fx->path);
        assert_non_null(strstr(d.message, how == 0 ? "format 999" : "older rankmc"));
        assert_non_null(strstr(d.message, "without --resume"));
    }
}

/* The names h5io writes under are the ones it reports, at any length. */
static void test_rmc_h5_names(void **state)
{
    (void)state;
    char buf[64];
    char want[64];
    snprintf(want, sizeof want, "a/out.h5.tmp.%ld", (long)getpid());
    assert_int_equal(rmc_h5_temp_path("a/out.h5", buf, sizeof buf), strlen(want));
    assert_string_equal(buf, want);
    assert_int_equal(rmc_h5_checkpoint_path("a/out.h5", buf, sizeof buf), strlen("a/out.h5.ckpt"));
    assert_string_equal(buf, "a/out.h5.ckpt");
    /* Too small a buffer: cut, but the length says how much is needed. */
    assert_int_equal(rmc_h5_checkpoint_path("a/out.h5", buf, 4), strlen("a/out.h5.ckpt"));
    assert_string_equal(buf, "a/o");
    assert_int_equal(rmc_h5_checkpoint_path("a/out.h5", NULL, 0), strlen("a/out.h5.ckpt"));
}

static void test_rmc_wilson95_known_values(void **state)
{
    (void)state;
    double lo, hi;
    rmc_wilson95(0, 10, &lo, &hi);
    assert_close(lo, 0.0, 0, 1e-15);
    assert_close(hi, 0.2775327998628892, 1e-12, 0);
    rmc_wilson95(37, 100, &lo, &hi);
    double lo2, hi2;
    rmc_wilson95(63, 100, &lo2, &hi2);
    assert_close(lo, 1.0 - hi2, 1e-12, 1e-15);
    assert_close(hi, 1.0 - lo2, 1e-12, 1e-15);
    assert_true(lo < 0.37 && hi > 0.37);
    assert_close(hi - lo, 2 * 1.96 * sqrt(0.37 * 0.63 / 100), 0.02, 0);
    rmc_wilson95(0, 0, &lo, &hi);
    assert_close(lo, 0, 0, 0);
    assert_close(hi, 1, 0, 0);
}

static void test_rmc_binomial_se(void **state)
{
    (void)state;
    assert_close(rmc_binomial_se(0.37, 100), sqrt(0.37 * 0.63 / 100), 1e-15, 0);
    assert_close(rmc_binomial_var(0.37, 100), 0.37 * 0.63 / 100, 1e-15, 0);
    assert_close(rmc_binomial_se(0.0, 50), 0.0, 0, 0);
    assert_close(rmc_binomial_se(0.5, 0), 0.0, 0, 0); /* no trials: no spread claimed */
    assert_close(rmc_binomial_var(0.5, 0), 0.0, 0, 0);
}

/* Counts 2, 4, 9 over three replicates: mean 5, sample variance
 * ((3^2 + 1^2 + 4^2) / 2 = 13), SE sqrt(13 / 3). */
static void test_rmc_sums_mean_se(void **state)
{
    (void)state;
    double mean, se;
    rmc_sums_mean_se(2 + 4 + 9, 4 + 16 + 81, 3, &mean, &se);
    assert_close(mean, 5.0, 1e-15, 0);
    assert_close(se, sqrt(13.0 / 3.0), 1e-14, 0);
    rmc_sums_mean_se(7, 49, 1, &mean, &se); /* one replicate: no spread claimed */
    assert_close(mean, 7.0, 0, 0);
    assert_close(se, 0.0, 0, 0);
    rmc_sums_mean_se(0, 0, 0, &mean, &se);
    assert_close(mean, 0.0, 0, 0);
    assert_close(se, 0.0, 0, 0);
    rmc_sums_mean_se(3 * 6, 3 * 36, 3, &mean, &se); /* constant: exactly 0 */
    assert_close(se, 0.0, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rmc_h5_write_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_write_numeric_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_write_numeric_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_result_read_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_result_rank_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_write_exists_without_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_write_failures_leave_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_result_read_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_checkpoint_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_checkpoint_resume_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmc_h5_checkpoint_other_format, setup, teardown),
        cmocka_unit_test(test_rmc_h5_names),
        cmocka_unit_test(test_rmc_wilson95_known_values),
        cmocka_unit_test(test_rmc_binomial_se),
        cmocka_unit_test(test_rmc_sums_mean_se),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
