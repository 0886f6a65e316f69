/* The /sensitivity and /sobol file layouts (docs/output.md): the results of
 * rmc_sens_run and rmc_sens_sobol_run as table files through
 * rmc_h5_write_tables, with the provenance root attributes of every rankmc
 * output. The layout lives here, in the library, so that any caller of the
 * analyses writes the same file `rankmc sensitivity -o` and `rankmc sobol -o`
 * write.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "rankmc/h5io.h"
#include "rankmc/sensitivity.h"

/* The provenance root attributes of a table file, from a result `res` of
 * either analysis (both carry these fields), in an rmc_h5_tables
 * initializer. */
#define PROVENANCE(res, rng, cmd)                                                                  \
    .model_dir = rmc_model_dir(m), .model_sha256 = rmc_model_sha256(m), .seed = (res)->seed,       \
    .replicates = (res)->replicates, .threads = (res)->threads, .ranks = (res)->ranks,             \
    .rng_name = (rng), .command_line = (cmd), .wall_seconds = (res)->wall_seconds

/* Every table of the /sensitivity layout, named in one place. The macro
 * table is long but flat: one row a dataset. */
static rmc_status write_sens_tables(const char *path, bool force, const rmc_model *m,
                                    const rmc_sens_result *r, const char *rng_name,
                                    const char *command_line, const char **ids, const char **fnames,
                                    const char **descs, rmc_diag *d)
{
    const size_t na = r->n_applicants, nf = r->n_factors;
    const char *levels[RMC_SENS_N_LEVELS] = {"favourable", "unfavourable"};
#define T1(p, ty, n, data, doc)                                                                    \
    {                                                                                              \
        "sensitivity/" p, ty, 1, {n, 0, 0}, data, doc                                              \
    }
#define T3(p, ty, data, doc)                                                                       \
    {                                                                                              \
        "sensitivity/" p, ty, 3, {na, nf, RMC_SENS_N_LEVELS}, data, doc                            \
    }
    const rmc_h5_table t[] = {
        T1("applicant", RMC_H5_STR, na, ids, "focal applicant ids [A]"),
        T1("applicant_index", RMC_H5_I32, na, r->applicants, "row in /applicants [A]"),
        T1("factor", RMC_H5_STR, nf, fnames, "factor names [F]"),
        T1("level", RMC_H5_STR, RMC_SENS_N_LEVELS, levels, "level names [2]"),
        T1("unmatched_rank", RMC_H5_I32, na, r->unmatched_rank, "rank counted when unmatched"),
        T1("base_p_match", RMC_H5_F64, na, r->base_p, "P(match) in the base model [A]"),
        T1("base_p_match_se", RMC_H5_F64, na, r->base_p_se, "its SE [A]"),
        T1("base_mean_rank", RMC_H5_F64, na, r->base_rank, "mean matched ROL position [A]"),
        T1("base_mean_rank_se", RMC_H5_F64, na, r->base_rank_se, "its SE [A]"),
        T3("whatif", RMC_H5_STR, descs, "what each variant changed [A,F,2]"),
        T3("changed", RMC_H5_I32, r->changed, "1 = variant differs from the base [A,F,2]"),
        T3("p_match", RMC_H5_F64, r->p, "P(match) in the variant [A,F,2]"),
        T3("delta_p_match", RMC_H5_F64, r->dp, "variant - base [A,F,2]"),
        T3("delta_p_match_se", RMC_H5_F64, r->dp_se, "paired SE [A,F,2]"),
        T3("delta_p_match_se_unpaired", RMC_H5_F64, r->dp_se_unpaired, "unpaired SE [A,F,2]"),
        T3("mean_rank", RMC_H5_F64, r->rank, "mean rank in the variant [A,F,2]"),
        T3("delta_mean_rank", RMC_H5_F64, r->drank, "variant - base [A,F,2]"),
        T3("delta_mean_rank_se", RMC_H5_F64, r->drank_se, "paired SE [A,F,2]"),
        T3("delta_mean_rank_se_unpaired", RMC_H5_F64, r->drank_se_unpaired, "unpaired SE"),
        T3("n_gain", RMC_H5_I32, r->n_gain, "replicates unmatched in base, matched [A,F,2]"),
        T3("n_loss", RMC_H5_I32, r->n_loss, "replicates matched in base, unmatched [A,F,2]"),
    };
#undef T1
#undef T3
    const rmc_h5_tables tf = {
        PROVENANCE(r, rng_name, command_line),
        .tables = t,
        .n_tables = sizeof t / sizeof t[0],
    };
    return rmc_h5_write_tables(path, force, &tf, d);
}

rmc_status rmc_sens_write(const char *path, bool force, const rmc_model *m,
                          const rmc_sens_options *o, const rmc_sens_result *r,
                          const char *command_line, rmc_diag *d)
{
    const size_t na = r->n_applicants, nf = r->n_factors, nw = na * nf * RMC_SENS_N_LEVELS;
    const char **ids = NULL, **fnames = NULL, **descs = NULL;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&ids, na, sizeof *ids, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&fnames, nf, sizeof *fnames, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&descs, nw, sizeof *descs, d), done);
    for (size_t i = 0; i < na; i++) {
        ids[i] = rmc_model_applicant_id(m, (size_t)r->applicants[i]);
    }
    for (size_t f = 0; f < nf; f++) {
        fnames[f] = rmc_sens_factor_name(r->factors[f]);
    }
    for (size_t w = 0; w < nw; w++) {
        descs[w] = r->desc[w];
    }
    st = write_sens_tables(path, force, m, r, o->sim.rng_name, command_line, ids, fnames, descs, d);
done:
    rmc_free((void *)descs);
    rmc_free((void *)fnames);
    rmc_free((void *)ids);
    return st;
}

void rmc_sens_sobol_output_name(const rmc_model *m, const rmc_sens_sobol_result *r, size_t o,
                                char *buf, size_t size)
{
    const rmc_id i = r->output_app[o];
    if (i == RMC_ID_NONE) {
        snprintf(buf, size, "img_match_rate");
    } else {
        snprintf(buf, size, "p_match:%s", rmc_model_applicant_id(m, (size_t)i));
    }
}

/* Every table and attribute of the /sobol layout, one row each. */
static rmc_status write_sobol_tables(const char *path, bool force, const rmc_model *m,
                                     const rmc_sens_sobol_options *o,
                                     const rmc_sens_sobol_result *r, const char *command_line,
                                     const char **fn, const char **on, rmc_diag *d)
{
    const size_t k = r->n_factors, no = r->n_outputs;
    const rmc_sobol_result *x = r->indices;
#define T1(p, ty, n, data, doc)                                                                    \
    {                                                                                              \
        "sobol/" p, ty, 1, {n, 0, 0}, data, doc                                                    \
    }
#define T2(p, n0, n1, data, doc)                                                                   \
    {                                                                                              \
        "sobol/" p, RMC_H5_F64, 2, {n0, n1, 0}, data, doc                                          \
    }
    const rmc_h5_table t[] = {
        T1("factor", RMC_H5_STR, k, fn, "model.ini section.key of each factor [k]"),
        T1("base", RMC_H5_F64, k, r->base, "the model's value [k]"),
        T1("lo", RMC_H5_F64, k, r->lo, "lower end of the uniform range [k]"),
        T1("hi", RMC_H5_F64, k, r->hi, "upper end [k]"),
        T1("output", RMC_H5_STR, no, on, "p_match:ID or img_match_rate [n_out]"),
        T2("x", r->n_rows, k, r->x, "design rows (Saltelli order, docs/sobol.md) [rows,k]"),
        T2("y", r->n_rows, no, r->y, "outputs at each row [rows,n_out]"),
        T1("mean", RMC_H5_F64, no, x->mean, "mean over the A and B rows [n_out]"),
        T1("variance", RMC_H5_F64, no, x->var, "variance over the A and B rows [n_out]"),
        T1("noise_variance", RMC_H5_F64, no, r->noise_var,
           "mean binomial variance of one point: p(1-p)/replicates, /IMGs for the rate"),
        T1("noise_variance_seeds", RMC_H5_F64, no, r->noise_var_seeds,
           "measured: var over the noise rows of (y at seed - y at seed + 1) / 2 [n_out]"),
        T2("s1", no, k, x->s1, "first-order index [n_out,k]"),
        T2("s1_lo", no, k, x->s1_lo, "bootstrap interval, lower [n_out,k]"),
        T2("s1_hi", no, k, x->s1_hi, "upper [n_out,k]"),
        T2("st", no, k, x->st, "total index [n_out,k]"),
        T2("st_lo", no, k, x->st_lo, "bootstrap interval, lower [n_out,k]"),
        T2("st_hi", no, k, x->st_hi, "upper [n_out,k]"),
    };
#undef T1
#undef T2
    const rmc_h5_attr attrs[] = {
        {"sobol_samples", RMC_H5_I32, 0, (int64_t)r->n_samples, NULL},
        {"sobol_noise_rows", RMC_H5_I32, 0, (int64_t)r->n_noise_rows, NULL},
        {"sobol_n_boot", RMC_H5_I32, 0, (int64_t)x->n_boot, NULL},
        {"sobol_boot_seed", RMC_H5_I32, 0, (int64_t)o->analysis.boot_seed, NULL},
        {"sobol_level", RMC_H5_F64, x->level, 0, NULL},
        {"sobol_relative_range", RMC_H5_F64, r->relative_range, 0, NULL},
    };
    const rmc_h5_tables tf = {
        PROVENANCE(r, o->sim.rng_name, command_line), .tables = t,
        .n_tables = sizeof t / sizeof t[0],           .attrs = attrs,
        .n_attrs = sizeof attrs / sizeof attrs[0],
    };
    return rmc_h5_write_tables(path, force, &tf, d);
}

/* Room for a factor's "section.key" and an output's "p_match:ID" (with the
 * terminator); a longer name is cut. */
#define FACTOR_NAME_SIZE 64
#define OUTPUT_NAME_SIZE 300

rmc_status rmc_sens_sobol_write(const char *path, bool force, const rmc_model *m,
                                const rmc_sens_sobol_options *o, const rmc_sens_sobol_result *r,
                                const char *command_line, rmc_diag *d)
{
    const size_t k = r->n_factors, no = r->n_outputs;
    const char **fn = NULL, **on = NULL;
    char(*fbuf)[FACTOR_NAME_SIZE] = NULL;
    char(*obuf)[OUTPUT_NAME_SIZE] = NULL;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&fn, k, sizeof *fn, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&fbuf, k, sizeof *fbuf, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&on, no, sizeof *on, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&obuf, no, sizeof *obuf, d), done);
    for (size_t i = 0; i < k; i++) {
        snprintf(fbuf[i], sizeof fbuf[i], "%s.%s", r->factor[i]->section, r->factor[i]->key);
        fn[i] = fbuf[i];
    }
    for (size_t j = 0; j < no; j++) {
        rmc_sens_sobol_output_name(m, r, j, obuf[j], sizeof obuf[j]);
        on[j] = obuf[j];
    }
    st = write_sobol_tables(path, force, m, o, r, command_line, fn, on, d);
done:
    rmc_free(obuf);
    rmc_free((void *)on);
    rmc_free(fbuf);
    rmc_free((void *)fn);
    return st;
}
