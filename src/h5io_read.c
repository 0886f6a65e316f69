/* HDF5 result files, the reader behind `rankmc summary` (rmc_result_read;
 * see rankmc/h5io.h and docs/output.md), and the attribute readers the
 * checkpoint reader shares (h5io_int.h). Every dataset is checked for its
 * shape against the others before it is used; a missing or misshapen one
 * is RMC_EINPUT naming it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "h5io_int.h"
#include "rankmc/stats.h"

rmc_status rmc_h5_read_attr(hid_t f, const char *name, hid_t mtype, void *out, rmc_diag *d)
{
    const hid_t attr = H5Aopen(f, name, H5P_DEFAULT);
    if (attr < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "attribute '%s' is missing", name);
    }
    const herr_t rc = H5Aread(attr, mtype, out);
    H5Aclose(attr);
    return rc < 0 ? rmc_h5_fail(d, "H5Aread", name) : RMC_OK;
}

rmc_status rmc_h5_read_attr_n(hid_t f, const char *name, hid_t mtype, size_t n, void *out,
                              rmc_diag *d)
{
    const hid_t attr = H5Aopen(f, name, H5P_DEFAULT);
    if (attr < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "attribute '%s' is missing", name);
    }
    const hid_t space = H5Aget_space(attr);
    const hssize_t len = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    if (space >= 0) {
        H5Sclose(space);
    }
    if (len != (hssize_t)n) {
        H5Aclose(attr);
        return RMC_FAIL(d, RMC_EINPUT, "attribute '%s' has %lld elements, expected %zu", name,
                        (long long)len, n);
    }
    const herr_t rc = H5Aread(attr, mtype, out);
    H5Aclose(attr);
    return rc < 0 ? rmc_h5_fail(d, "H5Aread", name) : RMC_OK;
}

rmc_status rmc_h5_read_attr_str(hid_t f, const char *name, char **out, rmc_diag *d)
{
    const hid_t type = rmc_h5_vlen_utf8();
    if (type < 0) {
        return rmc_h5_fail(d, "H5Tset_size", name);
    }
    char *s = NULL;
    rmc_status st = rmc_h5_read_attr(f, name, type, &s, d);
    H5Tclose(type);
    if (st == RMC_OK) {
        st = rmc_strdup(out, s != NULL ? s : "", d);
    }
    H5free_memory(s);
    return st;
}

/* Dataset `path` of the given rank into a new array of native mtype;
 * dims[] receives its shape. out NULL: the shape only, nothing read. */
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
    if (out == NULL) {
        goto done;
    }
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
    rmc_h5_close(space, H5Sclose);
    rmc_h5_close(dset, H5Dclose);
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
    H5_CHECK(st, type = rmc_h5_vlen_utf8(), "H5Tset_size", path, done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&raw, *n, sizeof *raw, d), done);
    if (*n > 0) {
        H5_CHECK(st, H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw), "H5Dread", path,
                 done);
    }
    st = copy_strings(raw, *n, out, d);
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw);
done:
    rmc_free((void *)raw);
    rmc_h5_close(type, H5Tclose);
    rmc_h5_close(space, H5Sclose);
    rmc_h5_close(dset, H5Dclose);
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
    rmc_free(r->mean_fill_soap);
    rmc_free(r->couple_a);
    rmc_free(r->couple_b);
    for (int k = 0; k < 4; k++) {
        rmc_free(r->couple_p[k]);
        rmc_free(r->couple_se[k]);
    }
    rmc_free(r->p_unplaced);
    rmc_free(r->p_partial);
    rmc_free(r->p_soap);
    rmc_free(r->p_main);
    free_strings(r->factors, r->n_factors);
    rmc_free(r->mean_move);
    rmc_free(r->iv_p_match);
    rmc_free(r->iv_p_match_se);
    rmc_free(r->iv_p_match_ci95);
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
    free_strings(r->type_groups, r->n_type_groups);
    rmc_free(r->p_partial_se);
    rmc_free(r->p_partial_ci95);
    free_strings(r->prog_track, r->prog_track != NULL ? r->n_prog : 0);
    rmc_free(r->mean_capacity);
    rmc_free(r->type_matched_sums);
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
    RMC_TRY(rmc_h5_read_attr_str(f, "rankmc_version", &r->version, d));
    RMC_TRY(rmc_h5_read_attr_str(f, "model_sha256", &r->model_sha256, d));
    RMC_TRY(rmc_h5_read_attr_str(f, "command_line", &r->command_line, d));
    RMC_TRY(rmc_h5_read_attr_str(f, "created_utc", &r->created_utc, d));
    RMC_TRY(rmc_h5_read_attr_str(f, "rng", &r->rng_name, d));
    RMC_TRY(rmc_h5_read_attr_str(f, "proposing", &r->proposing, d));
    RMC_TRY(rmc_h5_read_attr(f, "seed", H5T_NATIVE_UINT64, &r->seed, d));
    RMC_TRY(rmc_h5_read_attr(f, "replicates", H5T_NATIVE_UINT64, &r->replicates, d));
    RMC_TRY(rmc_h5_read_attr(f, "replicates_requested", H5T_NATIVE_UINT64, &r->replicates_requested,
                             d));
    RMC_TRY(rmc_h5_read_attr(f, "unconverged_replicates", H5T_NATIVE_UINT64, &r->unconverged, d));
    RMC_TRY(rmc_h5_read_attr(f, "unstable_replicates", H5T_NATIVE_UINT64, &r->unstable, d));
    RMC_TRY(rmc_h5_read_attr(f, "restarted_replicates", H5T_NATIVE_UINT64, &r->restarted, d));
    RMC_TRY(rmc_h5_read_attr(f, "couples", H5T_NATIVE_UINT64, &r->n_couples, d));
    RMC_TRY(rmc_h5_read_attr(f, "couples_both_matched", H5T_NATIVE_DOUBLE, &r->couples_both, d));
    RMC_TRY(
        rmc_h5_read_attr(f, "couples_both_matched_se", H5T_NATIVE_DOUBLE, &r->couples_both_se, d));
    RMC_TRY(rmc_h5_read_attr(f, "couples_one_unmatched", H5T_NATIVE_DOUBLE, &r->couples_one, d));
    RMC_TRY(
        rmc_h5_read_attr(f, "couples_one_unmatched_se", H5T_NATIVE_DOUBLE, &r->couples_one_se, d));
    RMC_TRY(rmc_h5_read_attr_n(f, "restart_hist", H5T_NATIVE_UINT64, 2 * RMC_ACCUM_RESTART_BINS,
                               r->restart_hist, d));
    RMC_TRY(rmc_h5_read_attr(f, "threads", H5T_NATIVE_INT64, &r->threads, d));
    RMC_TRY(rmc_h5_read_attr(f, "check_stability", H5T_NATIVE_INT64, &r->check_stability, d));
    RMC_TRY(rmc_h5_read_attr(f, "interrupted", H5T_NATIVE_INT64, &r->interrupted, d));
    RMC_TRY(rmc_h5_read_attr(f, "wall_seconds", H5T_NATIVE_DOUBLE, &r->wall_seconds, d));
    RMC_TRY(rmc_h5_read_attr(f, "until_se", H5T_NATIVE_DOUBLE, &r->until_se, d));
    RMC_TRY(rmc_h5_read_attr(f, "se_reached", H5T_NATIVE_INT64, &r->se_reached, d));
    if (H5Aexists(f, "unconverged_blocking_applicants") > 0) {
        static const char *const names[4] = {
            "unconverged_blocking_applicants", "unconverged_blocking_applicants_se",
            "unconverged_blocking_couples", "unconverged_blocking_couples_se"};
        double *const to[4] = {&r->blocking_applicants, &r->blocking_applicants_se,
                               &r->blocking_couples, &r->blocking_couples_se};
        for (int k = 0; k < 4; k++) {
            RMC_TRY(rmc_h5_read_attr(f, names[k], H5T_NATIVE_DOUBLE, to[k], d));
        }
        r->has_blocking = true;
    }
    return RMC_OK;
}

static rmc_status shape_error(rmc_diag *d, const char *path)
{
    return RMC_FAIL(d, RMC_EINPUT, "dataset %s has the wrong shape", path);
}

/* The per-replicate sums by type, when the file has them. */
static rmc_status read_type_sums(hid_t f, rmc_result *r, rmc_diag *d)
{
    if (H5Lexists(f, "/applicants/type_matched_sums", H5P_DEFAULT) <= 0) {
        return RMC_OK;
    }
    size_t dims[2] = {0, 0};
    r->n_type_groups = SIZE_MAX;
    const rmc_status st =
        read_strings(f, "/applicants/type_groups", &r->n_type_groups, &r->type_groups, d);
    if (r->type_groups == NULL) {
        r->n_type_groups = 0;
    }
    RMC_TRY(st);
    const size_t n = r->n_type_groups;
    RMC_TRY(read_numeric(f, "/applicants/type_matched_sums", H5T_NATIVE_UINT64, 2, dims,
                         (void **)&r->type_matched_sums, d));
    if (dims[0] != n || dims[1] != 2) {
        return shape_error(d, "/applicants/type_matched_sums");
    }
    return RMC_OK;
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
    return read_type_sums(f, r, d);
}

/* The tracks datasets, when the file has them (after the applicants and
 * the programs' ids). */
static rmc_status read_tracks(hid_t f, rmc_result *r, rmc_diag *d)
{
    if (H5Lexists(f, "/programs/track", H5P_DEFAULT) <= 0) {
        return RMC_OK;
    }
    r->has_tracks = true;
    size_t dims[2] = {0, 0}, n = r->n_prog;
    RMC_TRY(read_strings(f, "/programs/track", &n, &r->prog_track, d));
    RMC_TRY(read_numeric(f, "/programs/mean_capacity", H5T_NATIVE_DOUBLE, 1, dims,
                         (void **)&r->mean_capacity, d));
    if (dims[0] != r->n_prog) {
        return shape_error(d, "/programs/mean_capacity");
    }
    uint64_t *rv = NULL;
    RMC_TRY(
        read_numeric(f, "/programs/reverted_sums", H5T_NATIVE_UINT64, 1, dims, (void **)&rv, d));
    if (dims[0] != 2) {
        rmc_free(rv);
        return shape_error(d, "/programs/reverted_sums");
    }
    r->reverted_sum = rv[0];
    r->reverted_sumsq = rv[1];
    rmc_free(rv);
    rv = NULL;
    RMC_TRY(
        read_numeric(f, "/applicants/partial_sums", H5T_NATIVE_UINT64, 1, dims, (void **)&rv, d));
    if (dims[0] != 2) {
        rmc_free(rv);
        return shape_error(d, "/applicants/partial_sums");
    }
    r->partial_sum = rv[0];
    r->partial_sumsq = rv[1];
    rmc_free(rv);
    RMC_TRY(read_numeric(f, "/applicants/p_partial", H5T_NATIVE_DOUBLE, 1, dims,
                         (void **)&r->p_partial, d));
    if (dims[0] != r->n_app) {
        return shape_error(d, "/applicants/p_partial");
    }
    RMC_TRY(read_numeric(f, "/applicants/p_partial_se", H5T_NATIVE_DOUBLE, 1, dims,
                         (void **)&r->p_partial_se, d));
    if (dims[0] != r->n_app) {
        return shape_error(d, "/applicants/p_partial_se");
    }
    RMC_TRY(read_numeric(f, "/applicants/p_partial_ci95", H5T_NATIVE_DOUBLE, 2, dims,
                         (void **)&r->p_partial_ci95, d));
    if (dims[0] != r->n_app || dims[1] != 2) {
        return shape_error(d, "/applicants/p_partial_ci95");
    }
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
    return read_tracks(f, r, d);
}

static rmc_status read_bin_width(hid_t f, rmc_result *r, rmc_diag *d)
{
    const hid_t dset = H5Dopen2(f, "/interviews/rank_hist", H5P_DEFAULT);
    if (dset < 0) {
        return RMC_FAIL(d, RMC_EINPUT, "dataset /interviews/rank_hist is missing");
    }
    const rmc_status st =
        rmc_h5_read_attr(dset, "bin_width", H5T_NATIVE_UINT64, &r->rank_bin_width, d);
    H5Dclose(dset);
    return st;
}

/* /interviews/p_match_se and p_match_ci95; a file written before they
 * existed gets them derived from p_match and the replicate count (the
 * matched count is p * n, rounded). */
static rmc_status read_iv_uncertainty(hid_t f, rmc_result *r, rmc_diag *d)
{
    size_t dims[2] = {0, 0};
    if (H5Lexists(f, "/interviews/p_match_se", H5P_DEFAULT) > 0) {
        RMC_TRY(read_numeric(f, "/interviews/p_match_se", H5T_NATIVE_DOUBLE, 1, dims,
                             (void **)&r->iv_p_match_se, d));
        if (dims[0] != r->n_iv) {
            return shape_error(d, "/interviews/p_match_se");
        }
        RMC_TRY(read_numeric(f, "/interviews/p_match_ci95", H5T_NATIVE_DOUBLE, 2, dims,
                             (void **)&r->iv_p_match_ci95, d));
        if (dims[0] != r->n_iv || dims[1] != 2) {
            return shape_error(d, "/interviews/p_match_ci95");
        }
        return RMC_OK;
    }
    RMC_TRY(rmc_alloc_array((void **)&r->iv_p_match_se, r->n_iv, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&r->iv_p_match_ci95, 2 * r->n_iv, sizeof(double), d));
    for (size_t k = 0; k < r->n_iv; k++) {
        const double p = r->iv_p_match[k];
        r->iv_p_match_se[k] = rmc_binomial_se(p, r->replicates);
        const uint64_t x = (uint64_t)llround(p * (double)r->replicates);
        rmc_wilson95(x, r->replicates, &r->iv_p_match_ci95[2 * k], &r->iv_p_match_ci95[2 * k + 1]);
    }
    return RMC_OK;
}

static rmc_status read_interviews(hid_t f, rmc_result *r, bool rank_hist, rmc_diag *d)
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
                         rank_hist ? (void **)&r->rank_hist : NULL, d));
    if (dims[0] != r->n_iv || dims[1] != r->rank_cols) {
        return shape_error(d, "/interviews/rank_hist");
    }
    RMC_TRY(read_bin_width(f, r, d));
    RMC_TRY(read_numeric(f, "/interviews/p_match", H5T_NATIVE_DOUBLE, 1, dims,
                         (void **)&r->iv_p_match, d));
    if (dims[0] != r->n_iv) {
        return shape_error(d, "/interviews/p_match");
    }
    RMC_TRY(read_iv_uncertainty(f, r, d));
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

rmc_status rmc_h5_open_read(const char *path, const char *what, hid_t *f, rmc_diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const htri_t is_h5 = H5Fis_hdf5(path);
    if (is_h5 <= 0) {
        return is_h5 < 0 ? RMC_FAIL(d, RMC_EIO, "%s: cannot open %s", path, what)
                         : RMC_FAIL(d, RMC_EINPUT, "%s: not an HDF5 file", path);
    }
    *f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*f < 0) {
        return RMC_FAIL(d, RMC_EIO, "%s: cannot open %s (HDF5 call H5Fopen failed)", path, what);
    }
    return RMC_OK;
}

/* One SOAP vector of n doubles. */
static rmc_status read_soap_vec(hid_t f, const char *path, size_t n, double **out, rmc_diag *d)
{
    size_t dims[2] = {0, 0};
    RMC_TRY(read_numeric(f, path, H5T_NATIVE_DOUBLE, 1, dims, (void **)out, d));
    return dims[0] == n ? RMC_OK : shape_error(d, path);
}

/* SOAP's figures, when the run had SOAP (docs/output.md). */
static rmc_status read_soap(hid_t f, rmc_result *r, rmc_diag *d)
{
    static const char *const names[RMC_ACCUM_SOAP_TOTALS] = {
        "soap_eligible", "soap_places", "soap_placed", "positions_filled_match",
        "positions_filled_soap"};
    if (H5Aexists(f, "soap_replicates") <= 0) {
        return RMC_OK;
    }
    RMC_TRY(rmc_h5_read_attr(f, "soap_replicates", H5T_NATIVE_UINT64, &r->soap_replicates, d));
    if (r->soap_replicates == 0) {
        return RMC_OK;
    }
    for (size_t t = 0; t < RMC_ACCUM_SOAP_TOTALS; t++) {
        char se[64];
        snprintf(se, sizeof se, "%s_se", names[t]);
        RMC_TRY(rmc_h5_read_attr(f, names[t], H5T_NATIVE_DOUBLE, &r->soap_mean[t], d));
        RMC_TRY(rmc_h5_read_attr(f, se, H5T_NATIVE_DOUBLE, &r->soap_se[t], d));
    }
    RMC_TRY(read_soap_vec(f, "/applicants/p_main", r->n_app, &r->p_main, d));
    RMC_TRY(read_soap_vec(f, "/applicants/p_soap", r->n_app, &r->p_soap, d));
    if (r->p_partial == NULL) { /* read with the tracks datasets otherwise */
        RMC_TRY(read_soap_vec(f, "/applicants/p_partial", r->n_app, &r->p_partial, d));
    }
    RMC_TRY(read_soap_vec(f, "/applicants/p_unplaced", r->n_app, &r->p_unplaced, d));
    return read_soap_vec(f, "/programs/mean_fill_soap", r->n_prog, &r->mean_fill_soap, d);
}

/* The couples' outcomes with places, when the file has them. */
static rmc_status read_couple_places(hid_t f, rmc_result *r, rmc_diag *d)
{
    if (r->n_couples == 0 || H5Aexists(f, "couples_same_city") <= 0 ||
        H5Lexists(f, "/couples", H5P_DEFAULT) <= 0 ||
        H5Lexists(f, "/couples/p_same_city", H5P_DEFAULT) <= 0) {
        return RMC_OK;
    }
    RMC_TRY(rmc_h5_read_attr(f, "couples_same_city", H5T_NATIVE_DOUBLE, &r->couples_city, d));
    RMC_TRY(rmc_h5_read_attr(f, "couples_same_city_se", H5T_NATIVE_DOUBLE, &r->couples_city_se, d));
    RMC_TRY(rmc_h5_read_attr(f, "couples_same_region", H5T_NATIVE_DOUBLE, &r->couples_region, d));
    RMC_TRY(
        rmc_h5_read_attr(f, "couples_same_region_se", H5T_NATIVE_DOUBLE, &r->couples_region_se, d));
    const size_t C = (size_t)r->n_couples;
    size_t dims[2] = {0, 0};
    int32_t **ab[2] = {&r->couple_a, &r->couple_b};
    const char *const ab_path[2] = {"/couples/applicant_a", "/couples/applicant_b"};
    for (int k = 0; k < 2; k++) {
        RMC_TRY(read_numeric(f, ab_path[k], H5T_NATIVE_INT32, 1, dims, (void **)ab[k], d));
        if (dims[0] != C) {
            return shape_error(d, ab_path[k]);
        }
        for (size_t c = 0; c < C; c++) {
            if ((*ab[k])[c] < 0 || (size_t)(*ab[k])[c] >= r->n_app) {
                return RMC_FAIL(d, RMC_EINPUT, "%s names no applicant", ab_path[k]);
            }
        }
    }
    static const char *const names[4] = {"/couples/p_both_matched", "/couples/p_same_city",
                                         "/couples/p_same_region", "/couples/p_one_unmatched"};
    for (int k = 0; k < 4; k++) {
        char se[64];
        snprintf(se, sizeof se, "%s_se", names[k]);
        RMC_TRY(read_soap_vec(f, names[k], C, &r->couple_p[k], d));
        RMC_TRY(read_soap_vec(f, se, C, &r->couple_se[k], d));
    }
    r->has_couple_places = true;
    return RMC_OK;
}

rmc_status rmc_result_read(const char *path, rmc_result **out, rmc_diag *d)
{
    return rmc_result_read_opts(path, 0, out, d);
}

rmc_status rmc_result_read_opts(const char *path, unsigned flags, rmc_result **out, rmc_diag *d)
{
    *out = NULL;
    hid_t f = -1;
    RMC_TRY(rmc_h5_open_read(path, "the file", &f, d));
    rmc_result *r = NULL;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&r, 1, sizeof *r, d), done);
    RMC_TRY_GOTO(st, read_root(f, r, d), done);
    RMC_TRY_GOTO(st, read_applicants(f, r, d), done);
    RMC_TRY_GOTO(st, read_programs(f, r, d), done);
    RMC_TRY_GOTO(st, read_interviews(f, r, (flags & RMC_RESULT_NO_RANK_HIST) == 0, d), done);
    RMC_TRY_GOTO(st, read_soap(f, r, d), done);
    RMC_TRY_GOTO(st, read_couple_places(f, r, d), done);
done:
    H5Fclose(f);
    if (st != RMC_OK) {
        rmc_result_free(r);
        return st;
    }
    *out = r;
    return RMC_OK;
}

/* The chunk cache of rmc_result_rank_rows: enough for the chunks one
 * applicant's rows touch (a chunk is about 256 KiB, h5io_write.c). */
#define ROWS_CACHE_BYTES ((size_t)32 << 20)

rmc_status rmc_result_rank_rows(const char *path, const rmc_result *r, const size_t *rows, size_t n,
                                uint32_t *out, rmc_diag *d)
{
    const size_t cols = r->rank_cols;
    for (size_t e = 0; e < n; e++) {
        if (rows[e] >= r->n_iv) {
            return RMC_FAIL(d, RMC_EUSAGE, "interview %zu of %zu does not exist", rows[e], r->n_iv);
        }
    }
    if (r->rank_hist != NULL) {
        for (size_t e = 0; e < n; e++) {
            memcpy(out + e * cols, r->rank_hist + rows[e] * cols, cols * sizeof *out);
        }
        return RMC_OK;
    }
    const char *const name = "/interviews/rank_hist";
    hid_t f = -1, dapl = -1, dset = -1, fspace = -1, mspace = -1;
    rmc_status st = RMC_OK;
    RMC_TRY(rmc_h5_open_read(path, "the file", &f, d));
    H5_CHECK(st, dapl = H5Pcreate(H5P_DATASET_ACCESS), "H5Pcreate", name, done);
    H5_CHECK(st, H5Pset_chunk_cache(dapl, 1031, ROWS_CACHE_BYTES, 1.0), "H5Pset_chunk_cache", name,
             done);
    H5_CHECK(st, dset = H5Dopen2(f, name, dapl), "H5Dopen2", name, done);
    H5_CHECK(st, fspace = H5Dget_space(dset), "H5Dget_space", name, done);
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(fspace) != 2 ||
        H5Sget_simple_extent_dims(fspace, dims, NULL) < 0 || dims[0] != r->n_iv ||
        dims[1] != cols) {
        st = shape_error(d, name);
        goto done;
    }
    const hsize_t one[2] = {1, cols};
    H5_CHECK(st, mspace = H5Screate_simple(2, one, NULL), "H5Screate_simple", name, done);
    for (size_t e = 0; e < n; e++) {
        const hsize_t at[2] = {rows[e], 0};
        H5_CHECK(st, H5Sselect_hyperslab(fspace, H5S_SELECT_SET, at, NULL, one, NULL),
                 "H5Sselect_hyperslab", name, done);
        H5_CHECK(st, H5Dread(dset, H5T_NATIVE_UINT32, mspace, fspace, H5P_DEFAULT, out + e * cols),
                 "H5Dread", name, done);
    }
done:
    rmc_h5_close(mspace, H5Sclose);
    rmc_h5_close(fspace, H5Sclose);
    rmc_h5_close(dset, H5Dclose);
    rmc_h5_close(dapl, H5Pclose);
    H5Fclose(f);
    return st;
}
