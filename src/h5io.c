/* HDF5 result files: the writer behind `rankmc run` and the reader behind
 * `rankmc summary` (see rankmc/h5io.h; docs/output.md lists every name).
 *
 * The writer derives the reported statistics from the integer totals
 * (P(match) = 1 - unmatched / replicates, its binomial standard error and
 * Wilson interval, mean moves from the fixed-point sums), then writes one
 * dataset at a time: numeric ones chunked (about 256 KiB a chunk), shuffled
 * and deflated; strings variable-length UTF-8. It writes PATH.tmp.PID and
 * renames it over PATH at the end, so PATH is either the old file or the
 * complete new one. Every HDF5 id is closed on every path; a negative HDF5
 * return becomes RMC_EHDF5 naming the call and the object.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "internal.h"
#include "accum_int.h"
#include "model_int.h"
#include "rankmc/h5io.h"
#include "rankmc/rankmc.h"

#define CHUNK_BYTES ((size_t)256 * 1024)
#define DEFLATE_LEVEL 4U

static rmc_status h5_fail(rmc_diag *d, const char *call, const char *what)
{
    return RMC_FAIL(d, RMC_EHDF5, "HDF5 call %s failed for '%s'", call, what);
}

/* Run an HDF5 call; on a negative return record the failure and jump. */
#define H5_CHECK(st, expr, call, what, label)                                                      \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            (st) = h5_fail(d, (call), (what));                                                     \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

static void close_id(hid_t id, herr_t (*fn)(hid_t))
{
    if (id >= 0) {
        fn(id);
    }
}

void rmc_wilson95(uint64_t k, uint64_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    const double z = 1.959963984540054;
    const double nn = (double)n, p = (double)k / nn, z2 = z * z;
    const double denom = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2.0 * nn)) / denom;
    const double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

/* ---- writing ---------------------------------------------------------- */

static hid_t vlen_utf8(void)
{
    const hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Chunked, shuffled, deflated dataset creation properties for a numeric
 * dataset of this shape (none for an empty one). */
static hid_t numeric_dcpl(int rank, const hsize_t *dims, size_t elem)
{
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0 || dims[0] == 0 || (rank == 2 && dims[1] == 0)) {
        return dcpl;
    }
    hsize_t chunk[2] = {dims[0], rank == 2 ? dims[1] : 1};
    const hsize_t target = (hsize_t)(CHUNK_BYTES / elem);
    if (chunk[1] > target) {
        chunk[1] = target;
    }
    const hsize_t rows = target / chunk[1] > 0 ? target / chunk[1] : 1;
    chunk[0] = chunk[0] < rows ? chunk[0] : rows;
    if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
        H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0) {
        H5Pclose(dcpl);
        return -1;
    }
    return dcpl;
}

static rmc_status write_numeric(hid_t grp, const char *name, hid_t mtype, hid_t ftype, int rank,
                                const hsize_t *dims, const void *data, rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t space = -1, dcpl = -1, dset = -1;
    H5_CHECK(st, space = H5Screate_simple(rank, dims, NULL), "H5Screate_simple", name, done);
    H5_CHECK(st, dcpl = numeric_dcpl(rank, dims, H5Tget_size(mtype)), "H5Pset_chunk", name, done);
    H5_CHECK(st, dset = H5Dcreate2(grp, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
             "H5Dcreate2", name, done);
    H5_CHECK(st, H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", name,
             done);
done:
    close_id(dset, H5Dclose);
    close_id(dcpl, H5Pclose);
    close_id(space, H5Sclose);
    return st;
}

static rmc_status write_strings(hid_t grp, const char *name, const char *const *s, size_t n,
                                rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t type = -1, space = -1, dset = -1;
    const hsize_t dims[1] = {n};
    H5_CHECK(st, type = vlen_utf8(), "H5Tset_size", name, done);
    H5_CHECK(st, space = H5Screate_simple(1, dims, NULL), "H5Screate_simple", name, done);
    H5_CHECK(st, dset = H5Dcreate2(grp, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             "H5Dcreate2", name, done);
    if (n > 0) {
        H5_CHECK(st, H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, s), "H5Dwrite", name,
                 done);
    }
done:
    close_id(dset, H5Dclose);
    close_id(space, H5Sclose);
    close_id(type, H5Tclose);
    return st;
}

/* An attribute of n elements (n == 0: scalar) of native type mtype. */
static rmc_status write_attr(hid_t loc, const char *name, hid_t mtype, size_t n, const void *v,
                             rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t space = -1, attr = -1;
    const hsize_t dims[1] = {n};
    H5_CHECK(st, space = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL),
             "H5Screate", name, done);
    H5_CHECK(st, attr = H5Acreate2(loc, name, mtype, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2",
             name, done);
    H5_CHECK(st, H5Awrite(attr, mtype, v), "H5Awrite", name, done);
done:
    close_id(attr, H5Aclose);
    close_id(space, H5Sclose);
    return st;
}

static rmc_status attr_str(hid_t loc, const char *name, const char *value, rmc_diag *d)
{
    const hid_t type = vlen_utf8();
    if (type < 0) {
        return h5_fail(d, "H5Tset_size", name);
    }
    const char *v = value != NULL ? value : "";
    const rmc_status st = write_attr(loc, name, type, 0, &v, d);
    H5Tclose(type);
    return st;
}

static rmc_status attr_u64(hid_t loc, const char *name, uint64_t v, rmc_diag *d)
{
    return write_attr(loc, name, H5T_NATIVE_UINT64, 0, &v, d);
}

static rmc_status attr_i64(hid_t loc, const char *name, int64_t v, rmc_diag *d)
{
    return write_attr(loc, name, H5T_NATIVE_INT64, 0, &v, d);
}

static void utc_now(char *buf, size_t size)
{
    const time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(buf, size, "unknown");
    }
}

static rmc_status write_root_attrs(hid_t f, const rmc_model *m, const rmc_accum *a,
                                   const rmc_h5_run_info *info, rmc_diag *d)
{
    char created[32];
    utc_now(created, sizeof created);
    const double wall = info->wall_seconds;
    RMC_TRY(attr_str(f, "rankmc_version", rmc_version(), d));
    RMC_TRY(attr_u64(f, "seed", info->seed, d));
    RMC_TRY(attr_u64(f, "replicates", rmc_accum_replicates(a), d));
    RMC_TRY(attr_u64(f, "replicates_requested", info->replicates_requested, d));
    RMC_TRY(attr_i64(f, "threads", info->threads, d));
    RMC_TRY(attr_str(f, "model_sha256", m->sha256, d));
    RMC_TRY(attr_str(f, "model_dir", m->dir, d));
    RMC_TRY(attr_str(f, "command_line", info->command_line, d));
    RMC_TRY(attr_str(f, "created_utc", created, d));
    RMC_TRY(write_attr(f, "wall_seconds", H5T_NATIVE_DOUBLE, 0, &wall, d));
    RMC_TRY(attr_str(f, "rng", info->rng_name, d));
    RMC_TRY(attr_str(f, "proposing", info->proposing, d));
    RMC_TRY(attr_i64(f, "check_stability", info->check_stability ? 1 : 0, d));
    RMC_TRY(attr_i64(f, "interrupted", info->interrupted ? 1 : 0, d));
    RMC_TRY(write_attr(f, "until_se", H5T_NATIVE_DOUBLE, 0, &info->until_se, d));
    RMC_TRY(attr_i64(f, "se_reached", info->se_reached ? 1 : 0, d));
    RMC_TRY(attr_u64(f, "unconverged_replicates", rmc_accum_unconverged(a), d));
    RMC_TRY(attr_u64(f, "unstable_replicates", rmc_accum_unstable(a), d));
    return RMC_OK;
}

/* Scratch for the derived statistics, allocated once per write. */
typedef struct derived {
    const char **names; /* [max(n_app, n_prog)] borrowed strings */
    double *vec;        /* [max(n_app, n_prog, n_iv)] */
    double *mat;        /* [max(2 n_app, n_iv n_factors)] */
} derived;

static rmc_status write_applicants(hid_t g, const rmc_model *m, const rmc_accum *a, derived *x,
                                   rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const uint32_t *ch = rmc_accum_choice_hist(a);
    const hsize_t d1[1] = {dm->n_app}, d2[2] = {dm->n_app, 2},
                  dh[2] = {dm->n_app, dm->choice_len + 1};
    RMC_TRY(write_strings(g, "id", (const char *const *)m->app_id, m->n_app, d));
    for (size_t i = 0; i < m->n_app; i++) {
        x->names[i] = rmc_type_name((rmc_type)m->app_type[i]);
    }
    RMC_TRY(write_strings(g, "type", x->names, m->n_app, d));
    for (size_t i = 0; i < m->n_app; i++) {
        const uint64_t matched = n - ch[i * (dm->choice_len + 1) + dm->choice_len];
        x->vec[i] = n > 0 ? (double)matched / (double)n : 0.0;
        rmc_wilson95(matched, n, &x->mat[2 * i], &x->mat[2 * i + 1]);
    }
    RMC_TRY(write_numeric(g, "p_match", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    RMC_TRY(write_numeric(g, "p_match_ci95", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, d2, x->mat, d));
    for (size_t i = 0; i < m->n_app; i++) {
        const double p = x->vec[i];
        x->vec[i] = n > 0 ? sqrt(p * (1.0 - p) / (double)n) : 0.0;
    }
    RMC_TRY(write_numeric(g, "p_match_se", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    return write_numeric(g, "choice_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dh, ch, d);
}

/* bin_edges[c]: the first 1-based list position of bin c; the last entry is
 * one past the longest list (max_list + 1). */
static rmc_status write_bin_edges(hid_t loc, const rmc_accum_dims *dm, rmc_diag *d)
{
    uint64_t *edges = NULL;
    RMC_TRY(rmc_alloc_array((void **)&edges, dm->rank_bins + 1, sizeof *edges, d));
    for (size_t c = 0; c < dm->rank_bins; c++) {
        edges[c] = (uint64_t)(c * dm->rank_bin_width + 1);
    }
    edges[dm->rank_bins] = (uint64_t)dm->max_list + 1;
    const rmc_status st =
        write_attr(loc, "bin_edges", H5T_NATIVE_UINT64, dm->rank_bins + 1, edges, d);
    rmc_free(edges);
    return st;
}

static rmc_status write_bin_attrs(hid_t loc, const rmc_accum_dims *dm, rmc_diag *d)
{
    RMC_TRY(write_bin_edges(loc, dm, d));
    RMC_TRY(attr_u64(loc, "bin_width", dm->rank_bin_width, d));
    RMC_TRY(attr_u64(loc, "max_list_length", dm->max_list, d));
    RMC_TRY(attr_str(loc, "columns",
                     "column c < bins: list positions c*bin_width+1 .. (c+1)*bin_width "
                     "(1-based); last column: none",
                     d));
    return RMC_OK;
}

static rmc_status write_dataset_attrs(hid_t g, const char *dset, const rmc_accum_dims *dm,
                                      rmc_diag *d)
{
    const hid_t id = H5Dopen2(g, dset, H5P_DEFAULT);
    if (id < 0) {
        return h5_fail(d, "H5Dopen2", dset);
    }
    const rmc_status st = write_bin_attrs(id, dm, d);
    H5Dclose(id);
    return st;
}

static rmc_status write_programs(hid_t g, const rmc_model *m, const rmc_accum *a, derived *x,
                                 rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const uint32_t *fh = rmc_accum_fill_hist(a);
    const size_t fc = dm->max_positions + 1;
    const hsize_t d1[1] = {dm->n_prog}, df[2] = {dm->n_prog, fc},
                  dd[2] = {dm->n_prog, dm->rank_bins + 1};
    RMC_TRY(write_strings(g, "id", (const char *const *)m->prog_id, m->n_prog, d));
    RMC_TRY(write_strings(g, "name", (const char *const *)m->prog_name, m->n_prog, d));
    RMC_TRY(write_numeric(g, "positions", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1, m->positions, d));
    RMC_TRY(write_numeric(g, "fill_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, df, fh, d));
    for (size_t j = 0; j < m->n_prog; j++) {
        uint64_t seats = 0;
        for (size_t f = 1; f < fc; f++) {
            seats += (uint64_t)f * fh[j * fc + f];
        }
        x->vec[j] = n > 0 ? (double)seats / (double)n : 0.0;
    }
    RMC_TRY(write_numeric(g, "mean_fill", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    RMC_TRY(write_numeric(g, "depth_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dd,
                          rmc_accum_depth_hist(a), d));
    return write_dataset_attrs(g, "depth_hist", dm, d);
}

static rmc_status write_interviews(hid_t g, const rmc_model *m, const rmc_accum *a,
                                   const rmc_h5_run_info *info, derived *x, rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const hsize_t d1[1] = {dm->n_iv}, dr[2] = {dm->n_iv, dm->rank_bins + 1},
                  dmv[2] = {dm->n_iv, dm->n_factors};
    RMC_TRY(write_numeric(g, "applicant", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1, m->iv_app, d));
    RMC_TRY(write_numeric(g, "program", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1, m->iv_prog, d));
    RMC_TRY(write_numeric(g, "rank_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dr,
                          rmc_accum_rank_hist(a), d));
    RMC_TRY(write_dataset_attrs(g, "rank_hist", dm, d));
    const uint32_t *matched = rmc_accum_iv_matched(a);
    for (size_t k = 0; k < dm->n_iv; k++) {
        x->vec[k] = n > 0 ? (double)matched[k] / (double)n : 0.0;
    }
    RMC_TRY(write_numeric(g, "p_match", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    for (size_t k = 0; k < dm->n_iv; k++) {
        for (size_t f = 0; f < dm->n_factors; f++) {
            x->mat[k * dm->n_factors + f] = rmc_accum_mean_move(a, k, f);
        }
    }
    RMC_TRY(write_numeric(g, "mean_move", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, dmv, x->mat, d));
    return write_strings(g, "factors", info->factor_names, dm->n_factors, d);
}

static rmc_status write_group(hid_t f, const char *name, int which, const rmc_model *m,
                              const rmc_accum *a, const rmc_h5_run_info *info, derived *x,
                              rmc_diag *d)
{
    const hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        return h5_fail(d, "H5Gcreate2", name);
    }
    rmc_status st;
    if (which == 0) {
        st = write_applicants(g, m, a, x, d);
    } else if (which == 1) {
        st = write_programs(g, m, a, x, d);
    } else {
        st = write_interviews(g, m, a, info, x, d);
    }
    H5Gclose(g);
    return st;
}

static size_t max3(size_t a, size_t b, size_t c)
{
    const size_t ab = a > b ? a : b;
    return ab > c ? ab : c;
}

static rmc_status write_file(hid_t f, const rmc_model *m, const rmc_accum *a,
                             const rmc_h5_run_info *info, rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    if (dm->n_app != m->n_app || dm->n_prog != m->n_prog || dm->n_iv != m->n_iv) {
        return RMC_FAIL(d, RMC_EUSAGE, "the totals do not belong to this model");
    }
    derived x = {0};
    rmc_status st;
    const size_t n_mat =
        dm->n_iv * dm->n_factors > 2 * dm->n_app ? dm->n_iv * dm->n_factors : 2 * dm->n_app;
    RMC_TRY_GOTO(
        st, rmc_alloc_array((void **)&x.names, max3(m->n_app, m->n_prog, 1), sizeof *x.names, d),
        done);
    RMC_TRY_GOTO(
        st, rmc_alloc_array((void **)&x.vec, max3(m->n_app, m->n_prog, m->n_iv), sizeof *x.vec, d),
        done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&x.mat, n_mat, sizeof *x.mat, d), done);
    RMC_TRY_GOTO(st, write_root_attrs(f, m, a, info, d), done);
    RMC_TRY_GOTO(st, write_group(f, "applicants", 0, m, a, info, &x, d), done);
    RMC_TRY_GOTO(st, write_group(f, "programs", 1, m, a, info, &x, d), done);
    RMC_TRY_GOTO(st, write_group(f, "interviews", 2, m, a, info, &x, d), done);
done:
    rmc_free(x.mat);
    rmc_free(x.vec);
    rmc_free((void *)x.names);
    return st;
}

typedef rmc_status (*file_writer)(hid_t f, const void *ctx, rmc_diag *d);

/* Create PATH.tmp.PID, let `fill` write it, rename it over path; on any
 * failure remove the temporary file and leave path alone. */
static rmc_status write_atomically(const char *path, bool force, file_writer fill, const void *ctx,
                                   rmc_diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat sb;
    if (!force && stat(path, &sb) == 0) {
        return RMC_FAIL(d, RMC_EEXIST, "%s exists; use --force to replace it", path);
    }
    char tmp[4096];
    const int len = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (len < 0 || (size_t)len >= sizeof tmp) {
        return RMC_FAIL(d, RMC_EUSAGE, "output path too long: %s", path);
    }
    const hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        return RMC_FAIL(d, RMC_EIO, "cannot create %s (HDF5 call H5Fcreate failed)", tmp);
    }
    rmc_status st = fill(f, ctx, d);
    if (H5Fclose(f) < 0 && st == RMC_OK) {
        st = h5_fail(d, "H5Fclose", tmp);
    }
    if (st == RMC_OK && rename(tmp, path) != 0) {
        st = RMC_FAIL(d, RMC_EIO, "cannot rename %s to %s", tmp, path);
    }
    if (st != RMC_OK) {
        unlink(tmp);
    }
    return st;
}

typedef struct result_ctx {
    const rmc_model *m;
    const rmc_accum *a;
    const rmc_h5_run_info *info;
} result_ctx;

static rmc_status fill_result(hid_t f, const void *ctx, rmc_diag *d)
{
    const result_ctx *c = ctx;
    return write_file(f, c->m, c->a, c->info, d);
}

rmc_status rmc_h5_write(const char *path, bool force, const rmc_model *m, const rmc_accum *a,
                        const rmc_h5_run_info *info, rmc_diag *d)
{
    const result_ctx c = {m, a, info};
    return write_atomically(path, force, fill_result, &c, d);
}

/* ---- checkpoints ------------------------------------------------------ */

typedef struct ckpt_ctx {
    const rmc_accum *a;
    const rmc_h5_checkpoint_info *info;
} ckpt_ctx;

static rmc_status write_flat(hid_t f, const char *name, hid_t mtype, hid_t ftype, size_t n,
                             const void *data, rmc_diag *d)
{
    const hsize_t dims[1] = {n};
    return write_numeric(f, name, mtype, ftype, 1, dims, data, d);
}

static rmc_status ckpt_attrs(hid_t f, const rmc_accum *a, const rmc_h5_checkpoint_info *in,
                             rmc_diag *d)
{
    const rmc_accum_dims *dm = &a->dims;
    const uint64_t dims[9] = {dm->n_app,     dm->n_prog,     dm->n_iv,
                              dm->n_factors, dm->max_list,   dm->rank_bin_width,
                              dm->rank_bins, dm->choice_len, dm->max_positions};
    RMC_TRY(attr_str(f, "rankmc_checkpoint", rmc_version(), d));
    RMC_TRY(write_attr(f, "dims", H5T_NATIVE_UINT64, 9, dims, d));
    RMC_TRY(attr_u64(f, "replicates", a->replicates, d));
    RMC_TRY(attr_u64(f, "unconverged", a->unconverged, d));
    RMC_TRY(attr_u64(f, "unstable", a->unstable, d));
    RMC_TRY(attr_i64(f, "first_unconverged", a->first_unconverged, d));
    RMC_TRY(attr_i64(f, "first_unstable", a->first_unstable, d));
    RMC_TRY(attr_u64(f, "seed", in->seed, d));
    RMC_TRY(attr_u64(f, "replicates_requested", in->replicates_requested, d));
    RMC_TRY(attr_i64(f, "proposing", in->proposing, d));
    RMC_TRY(attr_i64(f, "check_stability", in->check_stability, d));
    RMC_TRY(write_attr(f, "until_se", H5T_NATIVE_DOUBLE, 0, &in->until_se, d));
    RMC_TRY(attr_str(f, "rng", in->rng_name, d));
    return attr_str(f, "model_sha256", in->model_sha256, d);
}

static rmc_status fill_checkpoint(hid_t f, const void *ctx, rmc_diag *d)
{
    const ckpt_ctx *c = ctx;
    const rmc_accum *a = c->a;
    rmc_accum_sizes s;
    if (a->rank_hist == NULL || !rmc_accum_sizes_of(&a->dims, &s)) {
        return RMC_FAIL(d, RMC_EUSAGE, "a checkpoint needs totals with a rank histogram");
    }
    RMC_TRY(ckpt_attrs(f, a, c->info, d));
    RMC_TRY(write_flat(f, "rank_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.rank, a->rank_hist, d));
    RMC_TRY(write_flat(f, "choice_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.choice, a->choice_hist,
                       d));
    RMC_TRY(write_flat(f, "fill_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.fill, a->fill_hist, d));
    RMC_TRY(
        write_flat(f, "depth_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.depth, a->depth_hist, d));
    RMC_TRY(write_flat(f, "iv_matched", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.iv, a->iv_matched, d));
    return write_flat(f, "move_sum", H5T_NATIVE_INT64, H5T_STD_I64LE, s.move, a->move_sum, d);
}

rmc_status rmc_h5_checkpoint_write(const char *path, const rmc_accum *a,
                                   const rmc_h5_checkpoint_info *info, rmc_diag *d)
{
    const ckpt_ctx c = {a, info};
    return write_atomically(path, true, fill_checkpoint, &c, d);
}

/* ---- reading ---------------------------------------------------------- */

static rmc_status read_attr(hid_t f, const char *name, hid_t mtype, void *out, rmc_diag *d)
{
    const hid_t attr = H5Aopen(f, name, H5P_DEFAULT);
    if (attr < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "attribute '%s' is missing", name);
    }
    const herr_t rc = H5Aread(attr, mtype, out);
    H5Aclose(attr);
    return rc < 0 ? h5_fail(d, "H5Aread", name) : RMC_OK;
}

static rmc_status read_attr_str(hid_t f, const char *name, char **out, rmc_diag *d)
{
    const hid_t type = vlen_utf8();
    if (type < 0) {
        return h5_fail(d, "H5Tset_size", name);
    }
    char *s = NULL;
    rmc_status st = read_attr(f, name, type, &s, d);
    H5Tclose(type);
    if (st == RMC_OK) {
        st = rmc_strdup(out, s != NULL ? s : "", d);
    }
    H5free_memory(s);
    return st;
}

/* Dataset `path` of the given rank into a new array of native mtype;
 * dims[] receives its shape. */
static rmc_status read_numeric(hid_t f, const char *path, hid_t mtype, int rank, size_t *dims,
                               void **out, rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t dset = -1, space = -1;
    hsize_t hd[2] = {0, 1};
    dset = H5Dopen2(f, path, H5P_DEFAULT);
    if (dset < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "dataset %s is missing", path);
    }
    H5_CHECK(st, space = H5Dget_space(dset), "H5Dget_space", path, done);
    if (H5Sget_simple_extent_ndims(space) != rank) {
        st = RMC_FAIL(d, RMC_EINPUT, "dataset %s should have %d dimensions", path, rank);
        goto done;
    }
    H5_CHECK(st, H5Sget_simple_extent_dims(space, hd, NULL), "H5Sget_simple_extent_dims", path,
             done);
    dims[0] = (size_t)hd[0];
    if (rank == 2) {
        dims[1] = (size_t)hd[1];
    }
    size_t n = 0;
    if (!rmc_mul_ok((size_t)hd[0], (size_t)hd[1], &n)) {
        st = RMC_FAIL(d, RMC_EINPUT, "dataset %s is too large", path);
        goto done;
    }
    RMC_TRY_GOTO(st, rmc_alloc_array(out, n, H5Tget_size(mtype), d), done);
    if (n > 0) {
        H5_CHECK(st, H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out), "H5Dread", path,
                 done);
    }
done:
    close_id(space, H5Sclose);
    close_id(dset, H5Dclose);
    return st;
}

static rmc_status copy_strings(char **raw, size_t n, char ***out, rmc_diag *d)
{
    RMC_TRY(rmc_calloc_array((void **)out, n, sizeof **out, d));
    for (size_t i = 0; i < n; i++) {
        RMC_TRY(rmc_strdup(&(*out)[i], raw[i] != NULL ? raw[i] : "", d));
    }
    return RMC_OK;
}

/* A 1-D string dataset of exactly n entries (n == SIZE_MAX: any; set). */
static rmc_status read_strings(hid_t f, const char *path, size_t *n, char ***out, rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t dset = -1, space = -1, type = -1;
    char **raw = NULL;
    hsize_t hd[1] = {0};
    dset = H5Dopen2(f, path, H5P_DEFAULT);
    if (dset < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "dataset %s is missing", path);
    }
    H5_CHECK(st, space = H5Dget_space(dset), "H5Dget_space", path, done);
    if (H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, hd, NULL) < 0 ||
        (*n != SIZE_MAX && hd[0] != *n)) {
        st = RMC_FAIL(d, RMC_EINPUT, "dataset %s has the wrong shape", path);
        goto done;
    }
    *n = (size_t)hd[0];
    H5_CHECK(st, type = vlen_utf8(), "H5Tset_size", path, done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&raw, *n, sizeof *raw, d), done);
    if (*n > 0) {
        H5_CHECK(st, H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw), "H5Dread", path,
                 done);
    }
    st = copy_strings(raw, *n, out, d);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw);
done:
    rmc_free((void *)raw);
    close_id(type, H5Tclose);
    close_id(space, H5Sclose);
    close_id(dset, H5Dclose);
    return st;
}

static void free_strings(char **s, size_t n)
{
    if (s != NULL) {
        for (size_t i = 0; i < n; i++) {
            rmc_free(s[i]);
        }
    }
    rmc_free((void *)s);
}

void rmc_result_free(rmc_result *r)
{
    if (r == NULL) {
        return;
    }
    free_strings(r->factors, r->n_factors);
    rmc_free(r->mean_move);
    rmc_free(r->iv_p_match);
    rmc_free(r->rank_hist);
    rmc_free(r->iv_prog);
    rmc_free(r->iv_app);
    rmc_free(r->depth_hist);
    rmc_free(r->fill_hist);
    rmc_free(r->positions);
    free_strings(r->prog_name, r->n_prog);
    free_strings(r->prog_id, r->n_prog);
    rmc_free(r->choice_hist);
    rmc_free(r->p_match_ci95);
    rmc_free(r->p_match_se);
    rmc_free(r->p_match);
    free_strings(r->app_type, r->n_app);
    free_strings(r->app_id, r->n_app);
    rmc_free(r->proposing);
    rmc_free(r->rng_name);
    rmc_free(r->created_utc);
    rmc_free(r->command_line);
    rmc_free(r->model_sha256);
    rmc_free(r->version);
    rmc_free(r);
}

static rmc_status read_root(hid_t f, rmc_result *r, rmc_diag *d)
{
    RMC_TRY(read_attr_str(f, "rankmc_version", &r->version, d));
    RMC_TRY(read_attr_str(f, "model_sha256", &r->model_sha256, d));
    RMC_TRY(read_attr_str(f, "command_line", &r->command_line, d));
    RMC_TRY(read_attr_str(f, "created_utc", &r->created_utc, d));
    RMC_TRY(read_attr_str(f, "rng", &r->rng_name, d));
    RMC_TRY(read_attr_str(f, "proposing", &r->proposing, d));
    RMC_TRY(read_attr(f, "seed", H5T_NATIVE_UINT64, &r->seed, d));
    RMC_TRY(read_attr(f, "replicates", H5T_NATIVE_UINT64, &r->replicates, d));
    RMC_TRY(read_attr(f, "replicates_requested", H5T_NATIVE_UINT64, &r->replicates_requested, d));
    RMC_TRY(read_attr(f, "unconverged_replicates", H5T_NATIVE_UINT64, &r->unconverged, d));
    RMC_TRY(read_attr(f, "unstable_replicates", H5T_NATIVE_UINT64, &r->unstable, d));
    RMC_TRY(read_attr(f, "threads", H5T_NATIVE_INT64, &r->threads, d));
    RMC_TRY(read_attr(f, "check_stability", H5T_NATIVE_INT64, &r->check_stability, d));
    RMC_TRY(read_attr(f, "interrupted", H5T_NATIVE_INT64, &r->interrupted, d));
    RMC_TRY(read_attr(f, "wall_seconds", H5T_NATIVE_DOUBLE, &r->wall_seconds, d));
    RMC_TRY(read_attr(f, "until_se", H5T_NATIVE_DOUBLE, &r->until_se, d));
    RMC_TRY(read_attr(f, "se_reached", H5T_NATIVE_INT64, &r->se_reached, d));
    return RMC_OK;
}

static rmc_status shape_error(rmc_diag *d, const char *path)
{
    return RMC_FAIL(d, RMC_EINPUT, "dataset %s has the wrong shape", path);
}

static rmc_status read_applicants(hid_t f, rmc_result *r, rmc_diag *d)
{
    size_t dims[2] = {0, 0};
    r->n_app = SIZE_MAX;
    RMC_TRY(read_strings(f, "/applicants/id", &r->n_app, &r->app_id, d));
    size_t n = r->n_app;
    RMC_TRY(read_strings(f, "/applicants/type", &n, &r->app_type, d));
    RMC_TRY(read_numeric(f, "/applicants/p_match", H5T_NATIVE_DOUBLE, 1, dims, (void **)&r->p_match,
                         d));
    if (dims[0] != r->n_app) {
        return shape_error(d, "/applicants/p_match");
    }
    RMC_TRY(read_numeric(f, "/applicants/p_match_se", H5T_NATIVE_DOUBLE, 1, dims,
                         (void **)&r->p_match_se, d));
    if (dims[0] != r->n_app) {
        return shape_error(d, "/applicants/p_match_se");
    }
    RMC_TRY(read_numeric(f, "/applicants/p_match_ci95", H5T_NATIVE_DOUBLE, 2, dims,
                         (void **)&r->p_match_ci95, d));
    if (dims[0] != r->n_app || dims[1] != 2) {
        return shape_error(d, "/applicants/p_match_ci95");
    }
    RMC_TRY(read_numeric(f, "/applicants/choice_hist", H5T_NATIVE_UINT32, 2, dims,
                         (void **)&r->choice_hist, d));
    if (dims[0] != r->n_app || dims[1] < 1) {
        return shape_error(d, "/applicants/choice_hist");
    }
    r->choice_cols = dims[1];
    return RMC_OK;
}

static rmc_status read_programs(hid_t f, rmc_result *r, rmc_diag *d)
{
    size_t dims[2] = {0, 0};
    r->n_prog = SIZE_MAX;
    RMC_TRY(read_strings(f, "/programs/id", &r->n_prog, &r->prog_id, d));
    size_t n = r->n_prog;
    RMC_TRY(read_strings(f, "/programs/name", &n, &r->prog_name, d));
    RMC_TRY(read_numeric(f, "/programs/positions", H5T_NATIVE_INT32, 1, dims,
                         (void **)&r->positions, d));
    if (dims[0] != r->n_prog) {
        return shape_error(d, "/programs/positions");
    }
    RMC_TRY(read_numeric(f, "/programs/fill_hist", H5T_NATIVE_UINT32, 2, dims,
                         (void **)&r->fill_hist, d));
    if (dims[0] != r->n_prog || dims[1] < 1) {
        return shape_error(d, "/programs/fill_hist");
    }
    r->fill_cols = dims[1];
    RMC_TRY(read_numeric(f, "/programs/depth_hist", H5T_NATIVE_UINT32, 2, dims,
                         (void **)&r->depth_hist, d));
    if (dims[0] != r->n_prog || dims[1] < 2) {
        return shape_error(d, "/programs/depth_hist");
    }
    r->rank_cols = dims[1];
    return RMC_OK;
}

static rmc_status read_bin_width(hid_t f, rmc_result *r, rmc_diag *d)
{
    const hid_t dset = H5Dopen2(f, "/interviews/rank_hist", H5P_DEFAULT);
    if (dset < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "dataset /interviews/rank_hist is missing");
    }
    const rmc_status st = read_attr(dset, "bin_width", H5T_NATIVE_UINT64, &r->rank_bin_width, d);
    H5Dclose(dset);
    return st;
}

static rmc_status read_interviews(hid_t f, rmc_result *r, rmc_diag *d)
{
    size_t dims[2] = {0, 0};
    RMC_TRY(read_numeric(f, "/interviews/applicant", H5T_NATIVE_INT32, 1, dims, (void **)&r->iv_app,
                         d));
    r->n_iv = dims[0];
    RMC_TRY(
        read_numeric(f, "/interviews/program", H5T_NATIVE_INT32, 1, dims, (void **)&r->iv_prog, d));
    if (dims[0] != r->n_iv) {
        return shape_error(d, "/interviews/program");
    }
    for (size_t k = 0; k < r->n_iv; k++) {
        if (r->iv_app[k] < 0 || (size_t)r->iv_app[k] >= r->n_app || r->iv_prog[k] < 0 ||
            (size_t)r->iv_prog[k] >= r->n_prog) {
            return RMC_FAIL(d, RMC_EINPUT, "interview %zu refers to a row that does not exist", k);
        }
    }
    RMC_TRY(read_numeric(f, "/interviews/rank_hist", H5T_NATIVE_UINT32, 2, dims,
                         (void **)&r->rank_hist, d));
    if (dims[0] != r->n_iv || dims[1] != r->rank_cols) {
        return shape_error(d, "/interviews/rank_hist");
    }
    RMC_TRY(read_bin_width(f, r, d));
    RMC_TRY(read_numeric(f, "/interviews/p_match", H5T_NATIVE_DOUBLE, 1, dims,
                         (void **)&r->iv_p_match, d));
    if (dims[0] != r->n_iv) {
        return shape_error(d, "/interviews/p_match");
    }
    RMC_TRY(read_numeric(f, "/interviews/mean_move", H5T_NATIVE_DOUBLE, 2, dims,
                         (void **)&r->mean_move, d));
    if (dims[0] != r->n_iv) {
        return shape_error(d, "/interviews/mean_move");
    }
    size_t nf = dims[1];
    RMC_TRY(read_strings(f, "/interviews/factors", &nf, &r->factors, d));
    r->n_factors = nf;
    return RMC_OK;
}

rmc_status rmc_result_read(const char *path, rmc_result **out, rmc_diag *d)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const htri_t is_h5 = H5Fis_hdf5(path);
    if (is_h5 <= 0) {
        return RMC_FAIL(d, is_h5 < 0 ? RMC_EIO : RMC_EINPUT, "%s: %s", path,
                        is_h5 < 0 ? "cannot open the file" : "not an HDF5 file");
    }
    const hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        return RMC_FAIL(d, RMC_EIO, "%s: cannot open the file (HDF5 call H5Fopen failed)", path);
    }
    rmc_result *r = NULL;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&r, 1, sizeof *r, d), done);
    RMC_TRY_GOTO(st, read_root(f, r, d), done);
    RMC_TRY_GOTO(st, read_applicants(f, r, d), done);
    RMC_TRY_GOTO(st, read_programs(f, r, d), done);
    RMC_TRY_GOTO(st, read_interviews(f, r, d), done);
done:
    H5Fclose(f);
    if (st != RMC_OK) {
        rmc_result_free(r);
        return st;
    }
    *out = r;
    return RMC_OK;
}

/* A flat dataset of exactly n elements into buf. */
static rmc_status read_into(hid_t f, const char *name, hid_t mtype, size_t n, void *buf,
                            rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t space = -1;
    const hid_t dset = H5Dopen2(f, name, H5P_DEFAULT);
    if (dset < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "checkpoint dataset %s is missing", name);
    }
    hsize_t hd[1] = {0};
    H5_CHECK(st, space = H5Dget_space(dset), "H5Dget_space", name, done);
    if (H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, hd, NULL) < 0 ||
        hd[0] != n) {
        st = RMC_FAIL(d, RMC_EINPUT, "checkpoint dataset %s has the wrong size", name);
        goto done;
    }
    if (n > 0) {
        H5_CHECK(st, H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "H5Dread", name,
                 done);
    }
done:
    close_id(space, H5Sclose);
    H5Dclose(dset);
    return st;
}

static rmc_status read_fixed_str(hid_t f, const char *name, char *buf, size_t size, rmc_diag *d)
{
    char *s = NULL;
    RMC_TRY(read_attr_str(f, name, &s, d));
    snprintf(buf, size, "%s", s);
    rmc_free(s);
    return RMC_OK;
}

static rmc_status ckpt_read_info(hid_t f, rmc_h5_checkpoint_info *in, rmc_diag *d)
{
    RMC_TRY(read_attr(f, "seed", H5T_NATIVE_UINT64, &in->seed, d));
    RMC_TRY(read_attr(f, "replicates_requested", H5T_NATIVE_UINT64, &in->replicates_requested, d));
    RMC_TRY(read_attr(f, "proposing", H5T_NATIVE_INT64, &in->proposing, d));
    RMC_TRY(read_attr(f, "check_stability", H5T_NATIVE_INT64, &in->check_stability, d));
    RMC_TRY(read_attr(f, "until_se", H5T_NATIVE_DOUBLE, &in->until_se, d));
    RMC_TRY(read_fixed_str(f, "rng", in->rng_name, sizeof in->rng_name, d));
    return read_fixed_str(f, "model_sha256", in->model_sha256, sizeof in->model_sha256, d);
}

static rmc_status ckpt_read_tables(hid_t f, rmc_accum *a, rmc_diag *d)
{
    rmc_accum_sizes s;
    const bool ok = rmc_accum_sizes_of(&a->dims, &s);
    RMC_ASSERT(ok);
    (void)ok;
    RMC_TRY(read_attr(f, "replicates", H5T_NATIVE_UINT64, &a->replicates, d));
    RMC_TRY(read_attr(f, "unconverged", H5T_NATIVE_UINT64, &a->unconverged, d));
    RMC_TRY(read_attr(f, "unstable", H5T_NATIVE_UINT64, &a->unstable, d));
    RMC_TRY(read_attr(f, "first_unconverged", H5T_NATIVE_INT64, &a->first_unconverged, d));
    RMC_TRY(read_attr(f, "first_unstable", H5T_NATIVE_INT64, &a->first_unstable, d));
    RMC_TRY(read_into(f, "rank_hist", H5T_NATIVE_UINT32, s.rank, a->rank_hist, d));
    RMC_TRY(read_into(f, "choice_hist", H5T_NATIVE_UINT32, s.choice, a->choice_hist, d));
    RMC_TRY(read_into(f, "fill_hist", H5T_NATIVE_UINT32, s.fill, a->fill_hist, d));
    RMC_TRY(read_into(f, "depth_hist", H5T_NATIVE_UINT32, s.depth, a->depth_hist, d));
    RMC_TRY(read_into(f, "iv_matched", H5T_NATIVE_UINT32, s.iv, a->iv_matched, d));
    return read_into(f, "move_sum", H5T_NATIVE_INT64, s.move, a->move_sum, d);
}

static rmc_status ckpt_read(hid_t f, rmc_accum **out, rmc_h5_checkpoint_info *info, rmc_diag *d)
{
    if (H5Aexists(f, "rankmc_checkpoint") <= 0) {
        return RMC_FAIL(d, RMC_EINPUT, "not a rankmc checkpoint");
    }
    uint64_t v[9];
    RMC_TRY(read_attr(f, "dims", H5T_NATIVE_UINT64, v, d));
    const rmc_accum_dims dm = {(size_t)v[0], (size_t)v[1], (size_t)v[2], (size_t)v[3], (size_t)v[4],
                               (size_t)v[5], (size_t)v[6], (size_t)v[7], (size_t)v[8]};
    RMC_TRY(ckpt_read_info(f, info, d));
    rmc_status st = rmc_accum_alloc(&dm, true, out, d);
    if (st == RMC_EUSAGE) {
        return RMC_FAIL(d, RMC_EINPUT, "checkpoint dimensions are inconsistent");
    }
    RMC_TRY(st);
    st = ckpt_read_tables(f, *out, d);
    if (st != RMC_OK) {
        rmc_accum_free(*out);
        *out = NULL;
    }
    return st;
}

rmc_status rmc_h5_checkpoint_read(const char *path, rmc_accum **out, rmc_h5_checkpoint_info *info,
                                  rmc_diag *d)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const htri_t is_h5 = H5Fis_hdf5(path);
    if (is_h5 <= 0) {
        return RMC_FAIL(d, is_h5 < 0 ? RMC_EIO : RMC_EINPUT, "%s: %s", path,
                        is_h5 < 0 ? "cannot open the checkpoint" : "not an HDF5 file");
    }
    const hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        return RMC_FAIL(d, RMC_EIO, "%s: cannot open (HDF5 call H5Fopen failed)", path);
    }
    const rmc_status st = ckpt_read(f, out, info, d);
    H5Fclose(f);
    return st;
}

/* ---- generic table files (sensitivity, sobol) ------------------------- */

/* The group of a "group/name" path, created on first use; or f itself.
 * *name gets the part after the slash. */
static rmc_status table_group(hid_t f, const char *path, hid_t *grp, const char **name, rmc_diag *d)
{
    const char *slash = strchr(path, '/');
    *grp = f;
    *name = path;
    if (slash == NULL) {
        return RMC_OK;
    }
    char gname[256];
    const size_t len = (size_t)(slash - path);
    if (len == 0 || len >= sizeof gname || strchr(slash + 1, '/') != NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "bad table path '%s'", path);
    }
    memcpy(gname, path, len);
    gname[len] = '\0';
    *name = slash + 1;
    const htri_t exists = H5Lexists(f, gname, H5P_DEFAULT);
    const hid_t g = exists > 0 ? H5Gopen2(f, gname, H5P_DEFAULT)
                               : H5Gcreate2(f, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (exists < 0 || g < 0) {
        return h5_fail(d, "H5Gcreate2", gname);
    }
    *grp = g;
    return RMC_OK;
}

/* One table, strings included, of any rank 1 .. 3. */
static rmc_status write_table(hid_t f, const rmc_h5_table *t, rmc_diag *d)
{
    if (t->rank < 1 || t->rank > 3 || t->path == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "bad table '%s'", t->path != NULL ? t->path : "?");
    }
    hid_t grp = -1, type = -1, space = -1, dset = -1;
    const char *name = NULL;
    RMC_TRY(table_group(f, t->path, &grp, &name, d));
    rmc_status st = RMC_OK;
    hsize_t dims[3];
    hsize_t n = 1;
    for (size_t i = 0; i < t->rank; i++) {
        dims[i] = (hsize_t)t->dims[i];
        n *= dims[i];
    }
    const hid_t mt = t->type == RMC_H5_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT32;
    const hid_t ft = t->type == RMC_H5_F64 ? H5T_IEEE_F64LE : H5T_STD_I32LE;
    if (t->type != RMC_H5_STR && t->rank < 3) {
        st = write_numeric(grp, name, mt, ft, (int)t->rank, dims, t->data, d);
        goto attrs;
    }
    /* Strings, and small rank-3 tables: contiguous. */
    if (t->type == RMC_H5_STR) {
        H5_CHECK(st, type = vlen_utf8(), "H5Tset_size", t->path, done);
    } else {
        H5_CHECK(st, type = H5Tcopy(mt), "H5Tcopy", t->path, done);
    }
    H5_CHECK(st, space = H5Screate_simple((int)t->rank, dims, NULL), "H5Screate_simple", t->path,
             done);
    H5_CHECK(st,
             dset = H5Dcreate2(grp, name, t->type == RMC_H5_STR ? type : ft, space, H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT),
             "H5Dcreate2", t->path, done);
    if (n > 0) {
        H5_CHECK(st, H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data), "H5Dwrite",
                 t->path, done);
    }
attrs:
    if (st == RMC_OK && t->doc != NULL) {
        const hid_t ds = dset >= 0 ? dset : H5Dopen2(grp, name, H5P_DEFAULT);
        st = ds < 0 ? h5_fail(d, "H5Dopen2", t->path) : attr_str(ds, "doc", t->doc, d);
        if (ds >= 0 && ds != dset) {
            H5Dclose(ds);
        }
    }
done:
    close_id(dset, H5Dclose);
    close_id(space, H5Sclose);
    close_id(type, H5Tclose);
    if (grp != f) {
        H5Gclose(grp);
    }
    return st;
}

static rmc_status tables_root(hid_t f, const rmc_h5_tables *t, rmc_diag *d)
{
    char created[32];
    utc_now(created, sizeof created);
    RMC_TRY(attr_str(f, "rankmc_version", rmc_version(), d));
    RMC_TRY(attr_u64(f, "seed", t->seed, d));
    RMC_TRY(attr_u64(f, "replicates", t->replicates, d));
    RMC_TRY(attr_i64(f, "threads", t->threads, d));
    RMC_TRY(attr_str(f, "model_sha256", t->m->sha256, d));
    RMC_TRY(attr_str(f, "model_dir", t->m->dir, d));
    RMC_TRY(attr_str(f, "command_line", t->command_line, d));
    RMC_TRY(attr_str(f, "created_utc", created, d));
    RMC_TRY(write_attr(f, "wall_seconds", H5T_NATIVE_DOUBLE, 0, &t->wall_seconds, d));
    RMC_TRY(attr_str(f, "rng", t->rng_name != NULL ? t->rng_name : "philox4x32", d));
    for (size_t i = 0; i < t->n_attrs; i++) {
        const rmc_h5_attr *a = &t->attrs[i];
        if (a->type == RMC_H5_F64) {
            RMC_TRY(write_attr(f, a->name, H5T_NATIVE_DOUBLE, 0, &a->f64, d));
        } else if (a->type == RMC_H5_I32) {
            RMC_TRY(attr_i64(f, a->name, a->i64, d));
        } else {
            RMC_TRY(attr_str(f, a->name, a->str, d));
        }
    }
    return RMC_OK;
}

static rmc_status fill_tables(hid_t f, const void *ctx, rmc_diag *d)
{
    const rmc_h5_tables *t = ctx;
    RMC_TRY(tables_root(f, t, d));
    for (size_t i = 0; i < t->n_tables; i++) {
        RMC_TRY(write_table(f, &t->tables[i], d));
    }
    return RMC_OK;
}

rmc_status rmc_h5_write_tables(const char *path, bool force, const rmc_h5_tables *t, rmc_diag *d)
{
    return write_atomically(path, force, fill_tables, t, d);
}
