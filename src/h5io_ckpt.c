/* Checkpoints of a run (rmc_h5_checkpoint_write / _read / _resume; see
 * rankmc/h5io.h): the integer totals with the rank histogram and the
 * settings a resumed run must reuse, so that it ends with the result of an
 * uninterrupted run. Written like result files (temp file then rename);
 * read back with every size checked against the recorded dimensions.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "h5io_int.h"
#include "accum_int.h"
#include "rankmc/rankmc.h"

typedef struct ckpt_ctx {
    const rmc_accum *a;
    const rmc_h5_checkpoint_info *info;
} ckpt_ctx;

/* The layout of a checkpoint: raised whenever a table or attribute is
 * added, removed or reshaped, so another version's file is refused by
 * number rather than misread. Files from before the number existed have
 * none (format 1 is what they would have been). */
#define CKPT_FORMAT 3 /* 3: the blocking counts' rows of rep_sums */

/* A 1-D table, its chunks compressed on `threads` threads. */
static rmc_status write_flat(hid_t f, const char *name, hid_t mtype, hid_t ftype, size_t n,
                             const void *data, int threads, rmc_diag *d)
{
    const hsize_t dims[1] = {n};
    return rmc_h5_write_numeric_par(f, name, mtype, ftype, 1, dims, data, threads, d);
}

static rmc_status ckpt_attrs(hid_t f, const rmc_accum *a, const rmc_h5_checkpoint_info *in,
                             rmc_diag *d)
{
    const rmc_accum_dims *dm = &a->dims;
    const uint64_t dims[9] = {dm->n_app,     dm->n_prog,     dm->n_iv,
                              dm->n_factors, dm->max_list,   dm->rank_bin_width,
                              dm->rank_bins, dm->choice_len, dm->max_positions};
    RMC_TRY(rmc_h5_attr_str(f, "rankmc_checkpoint", rmc_version(), d));
    RMC_TRY(rmc_h5_attr_u64(f, "checkpoint_format", CKPT_FORMAT, d));
    RMC_TRY(rmc_h5_write_attr(f, "dims", H5T_NATIVE_UINT64, 9, dims, d));
    RMC_TRY(rmc_h5_attr_u64(f, "replicates", a->replicates, d));
    RMC_TRY(rmc_h5_attr_u64(f, "unconverged", a->unconverged, d));
    RMC_TRY(rmc_h5_attr_u64(f, "unstable", a->unstable, d));
    RMC_TRY(rmc_h5_attr_i64(f, "first_unconverged", a->first_unconverged, d));
    RMC_TRY(rmc_h5_attr_i64(f, "first_unstable", a->first_unstable, d));
    RMC_TRY(rmc_h5_write_attr(f, "restart_hist", H5T_NATIVE_UINT64, 2 * RMC_ACCUM_RESTART_BINS,
                              &a->restart_hist[0][0], d));
    RMC_TRY(rmc_h5_write_attr(f, "rep_sums", H5T_NATIVE_UINT64, RMC_ACCUM_REP_ROWS, a->rep_sum, d));
    RMC_TRY(
        rmc_h5_write_attr(f, "rep_sumsq", H5T_NATIVE_UINT64, RMC_ACCUM_REP_ROWS, a->rep_sumsq, d));
    RMC_TRY(rmc_h5_attr_u64(f, "soap_replicates", a->soap_replicates, d));
    RMC_TRY(rmc_h5_attr_u64(f, "tracks", a->dims.tracks, d));
    RMC_TRY(rmc_h5_attr_u64(f, "couples_counted", a->dims.n_couples, d));
    RMC_TRY(rmc_h5_attr_u64(f, "seed", in->seed, d));
    RMC_TRY(rmc_h5_attr_u64(f, "replicates_requested", in->replicates_requested, d));
    RMC_TRY(rmc_h5_attr_i64(f, "proposing", in->proposing, d));
    RMC_TRY(rmc_h5_attr_i64(f, "check_stability", in->check_stability, d));
    RMC_TRY(rmc_h5_write_attr(f, "until_se", H5T_NATIVE_DOUBLE, 0, &in->until_se, d));
    RMC_TRY(rmc_h5_attr_str(f, "rng", in->rng_name, d));
    return rmc_h5_attr_str(f, "model_sha256", in->model_sha256, d);
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
    const int nt = c->info->threads;
    RMC_TRY(
        write_flat(f, "rank_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.rank, a->rank_hist, nt, d));
    RMC_TRY(write_flat(f, "choice_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.choice, a->choice_hist,
                       nt, d));
    RMC_TRY(
        write_flat(f, "fill_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.fill, a->fill_hist, nt, d));
    RMC_TRY(write_flat(f, "depth_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.depth, a->depth_hist,
                       nt, d));
    RMC_TRY(
        write_flat(f, "iv_matched", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.iv, a->iv_matched, nt, d));
    if (a->dims.tracks) {
        RMC_TRY(write_flat(f, "partial_count", H5T_NATIVE_UINT32, H5T_STD_U32LE, a->dims.n_app,
                           a->partial_count, nt, d));
        RMC_TRY(write_flat(f, "capacity_sum", H5T_NATIVE_UINT64, H5T_STD_U64LE, a->dims.n_prog,
                           a->capacity_sum, nt, d));
    }
    if (a->dims.n_couples > 0) {
        RMC_TRY(write_flat(f, "couple_count", H5T_NATIVE_UINT32, H5T_STD_U32LE,
                           a->dims.n_couples * RMC_COUPLE_N_OUTCOMES, a->couple_count, nt, d));
    }
    RMC_TRY(
        write_flat(f, "soap_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.soap, a->soap_hist, nt, d));
    RMC_TRY(write_flat(f, "soap_fill_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, s.fill,
                       a->soap_fill_hist, nt, d));
    return write_flat(f, "move_sum", H5T_NATIVE_INT64, H5T_STD_I64LE, s.move, a->move_sum, nt, d);
}

rmc_status rmc_h5_checkpoint_write(const char *path, const rmc_accum *a,
                                   const rmc_h5_checkpoint_info *info, rmc_diag *d)
{
    const ckpt_ctx c = {a, info};
    return rmc_h5_write_atomically(path, true, fill_checkpoint, &c, d);
}

/* ---- reading ---------------------------------------------------------- */

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
    rmc_h5_close(space, H5Sclose);
    H5Dclose(dset);
    return st;
}

static rmc_status read_fixed_str(hid_t f, const char *name, char *buf, size_t size, rmc_diag *d)
{
    char *s = NULL;
    RMC_TRY(rmc_h5_read_attr_str(f, name, &s, d));
    snprintf(buf, size, "%s", s);
    rmc_free(s);
    return RMC_OK;
}

static rmc_status ckpt_read_info(hid_t f, rmc_h5_checkpoint_info *in, rmc_diag *d)
{
    RMC_TRY(rmc_h5_read_attr(f, "seed", H5T_NATIVE_UINT64, &in->seed, d));
    RMC_TRY(rmc_h5_read_attr(f, "replicates_requested", H5T_NATIVE_UINT64,
                             &in->replicates_requested, d));
    RMC_TRY(rmc_h5_read_attr(f, "proposing", H5T_NATIVE_INT64, &in->proposing, d));
    RMC_TRY(rmc_h5_read_attr(f, "check_stability", H5T_NATIVE_INT64, &in->check_stability, d));
    RMC_TRY(rmc_h5_read_attr(f, "until_se", H5T_NATIVE_DOUBLE, &in->until_se, d));
    RMC_TRY(read_fixed_str(f, "rng", in->rng_name, sizeof in->rng_name, d));
    return read_fixed_str(f, "model_sha256", in->model_sha256, sizeof in->model_sha256, d);
}

static rmc_status ckpt_read_tables(hid_t f, rmc_accum *a, rmc_diag *d)
{
    rmc_accum_sizes s;
    const bool ok = rmc_accum_sizes_of(&a->dims, &s);
    RMC_ASSERT(ok);
    (void)ok;
    RMC_TRY(rmc_h5_read_attr(f, "replicates", H5T_NATIVE_UINT64, &a->replicates, d));
    RMC_TRY(rmc_h5_read_attr(f, "unconverged", H5T_NATIVE_UINT64, &a->unconverged, d));
    RMC_TRY(rmc_h5_read_attr(f, "unstable", H5T_NATIVE_UINT64, &a->unstable, d));
    RMC_TRY(rmc_h5_read_attr(f, "first_unconverged", H5T_NATIVE_INT64, &a->first_unconverged, d));
    RMC_TRY(rmc_h5_read_attr(f, "first_unstable", H5T_NATIVE_INT64, &a->first_unstable, d));
    RMC_TRY(rmc_h5_read_attr_n(f, "restart_hist", H5T_NATIVE_UINT64, 2 * RMC_ACCUM_RESTART_BINS,
                               &a->restart_hist[0][0], d));
    RMC_TRY(
        rmc_h5_read_attr_n(f, "rep_sums", H5T_NATIVE_UINT64, RMC_ACCUM_REP_ROWS, a->rep_sum, d));
    RMC_TRY(
        rmc_h5_read_attr_n(f, "rep_sumsq", H5T_NATIVE_UINT64, RMC_ACCUM_REP_ROWS, a->rep_sumsq, d));
    RMC_TRY(read_into(f, "rank_hist", H5T_NATIVE_UINT32, s.rank, a->rank_hist, d));
    RMC_TRY(read_into(f, "choice_hist", H5T_NATIVE_UINT32, s.choice, a->choice_hist, d));
    RMC_TRY(read_into(f, "fill_hist", H5T_NATIVE_UINT32, s.fill, a->fill_hist, d));
    RMC_TRY(read_into(f, "depth_hist", H5T_NATIVE_UINT32, s.depth, a->depth_hist, d));
    RMC_TRY(read_into(f, "iv_matched", H5T_NATIVE_UINT32, s.iv, a->iv_matched, d));
    if (a->dims.tracks) {
        RMC_TRY(
            read_into(f, "partial_count", H5T_NATIVE_UINT32, a->dims.n_app, a->partial_count, d));
        RMC_TRY(
            read_into(f, "capacity_sum", H5T_NATIVE_UINT64, a->dims.n_prog, a->capacity_sum, d));
    }
    if (a->dims.n_couples > 0) {
        RMC_TRY(read_into(f, "couple_count", H5T_NATIVE_UINT32,
                          a->dims.n_couples * RMC_COUPLE_N_OUTCOMES, a->couple_count, d));
    }
    RMC_TRY(rmc_h5_read_attr(f, "soap_replicates", H5T_NATIVE_UINT64, &a->soap_replicates, d));
    RMC_TRY(read_into(f, "soap_hist", H5T_NATIVE_UINT32, s.soap, a->soap_hist, d));
    RMC_TRY(read_into(f, "soap_fill_hist", H5T_NATIVE_UINT32, s.fill, a->soap_fill_hist, d));
    return read_into(f, "move_sum", H5T_NATIVE_INT64, s.move, a->move_sum, d);
}

/* numbered: the file has the checkpoint_format attribute. */
static rmc_status ckpt_read(hid_t f, bool numbered, rmc_accum **out, rmc_h5_checkpoint_info *info,
                            rmc_diag *d)
{
    if (H5Aexists(f, "rankmc_checkpoint") <= 0) {
        return RMC_FAIL(d, RMC_EINPUT, "not a rankmc checkpoint");
    }
    if (numbered) {
        uint64_t format = 0;
        RMC_TRY(rmc_h5_read_attr(f, "checkpoint_format", H5T_NATIVE_UINT64, &format, d));
        if (format != CKPT_FORMAT) {
            return RMC_FAIL(d, RMC_EINPUT,
                            "checkpoint format %llu, and this rankmc reads format %d only: "
                            "another version wrote it; start the run again without --resume",
                            (unsigned long long)format, CKPT_FORMAT);
        }
    }
    uint64_t v[9], tracks = 0, n_couples = 0;
    RMC_TRY(rmc_h5_read_attr(f, "dims", H5T_NATIVE_UINT64, v, d));
    RMC_TRY(rmc_h5_read_attr(f, "tracks", H5T_NATIVE_UINT64, &tracks, d));
    RMC_TRY(rmc_h5_read_attr(f, "couples_counted", H5T_NATIVE_UINT64, &n_couples, d));
    const rmc_accum_dims dm = {(size_t)v[0], (size_t)v[1],          (size_t)v[2],     (size_t)v[3],
                               (size_t)v[4], (size_t)v[5],          (size_t)v[6],     (size_t)v[7],
                               (size_t)v[8], tracks != 0 ? 1u : 0u, (size_t)n_couples};
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
    hid_t f = -1;
    RMC_TRY(rmc_h5_open_read(path, "the checkpoint", &f, d));
    const bool numbered = H5Aexists(f, "checkpoint_format") > 0;
    rmc_status st = ckpt_read(f, numbered, out, info, d);
    H5Fclose(f);
    if (st == RMC_EINPUT && !numbered && strcmp(d->message, "not a rankmc checkpoint") != 0) {
        /* a checkpoint from before format numbers whose layout differs */
        char why[sizeof d->message];
        snprintf(why, sizeof why, "%s", d->message);
        return RMC_FAIL_AT(d, RMC_EINPUT, path, 0,
                           "a checkpoint of an older rankmc, which this version cannot read "
                           "(%s); start the run again without --resume",
                           why);
    }
    if (st == RMC_EINPUT && d->file[0] == '\0') {
        snprintf(d->file, sizeof d->file, "%s", path);
    }
    return st;
}

size_t rmc_h5_checkpoint_path(const char *path, char *buf, size_t size)
{
    const int len = snprintf(buf, size, "%s.ckpt", path);
    return len < 0 ? 0 : (size_t)len;
}

rmc_status rmc_h5_checkpoint_resume(const char *path, const rmc_model *m, uint64_t replicates,
                                    rmc_accum **out, rmc_h5_checkpoint_info *info, rmc_diag *d)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "no checkpoint %s to resume from", path);
    }
    RMC_TRY(rmc_h5_checkpoint_read(path, out, info, d));
    rmc_status st = RMC_OK;
    const uint64_t want = replicates > 0 ? replicates : info->replicates_requested;
    if (strcmp(info->model_sha256, rmc_model_sha256(m)) != 0) {
        st = RMC_FAIL(d, RMC_EUSAGE, "%s was made from a different model (sha256 %.12s...)", path,
                      info->model_sha256);
    } else if (want < rmc_accum_replicates(*out)) {
        st = RMC_FAIL(d, RMC_EUSAGE, "the checkpoint already has %llu replicates, more than -n",
                      (unsigned long long)rmc_accum_replicates(*out));
    }
    if (st != RMC_OK) {
        rmc_accum_free(*out);
        *out = NULL;
    }
    return st;
}
