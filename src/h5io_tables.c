/* Generic table files (rmc_h5_write_tables; see rankmc/h5io.h): the
 * provenance root attributes of DESIGN 6 plus caller-described datasets of
 * rank 1 to 3 and extra attributes. The /sensitivity and /sobol layouts are
 * written through it (sens_h5.c).
 */
#include <string.h>

#include "h5io_int.h"
#include "model_int.h"
#include "rankmc/rankmc.h"

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
        return rmc_h5_fail(d, "H5Gcreate2", gname);
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
        st = rmc_h5_write_numeric(grp, name, mt, ft, (int)t->rank, dims, t->data, d);
        goto attrs;
    }
    /* Strings, and small rank-3 tables: contiguous. */
    if (t->type == RMC_H5_STR) {
        H5_CHECK(st, type = rmc_h5_vlen_utf8(), "H5Tset_size", t->path, done);
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
        st = ds < 0 ? rmc_h5_fail(d, "H5Dopen2", t->path) : rmc_h5_attr_str(ds, "doc", t->doc, d);
        if (ds >= 0 && ds != dset) {
            H5Dclose(ds);
        }
    }
done:
    rmc_h5_close(dset, H5Dclose);
    rmc_h5_close(space, H5Sclose);
    rmc_h5_close(type, H5Tclose);
    if (grp != f) {
        H5Gclose(grp);
    }
    return st;
}

static rmc_status tables_root(hid_t f, const rmc_h5_tables *t, rmc_diag *d)
{
    char created[32];
    rmc_h5_utc_now(created, sizeof created);
    RMC_TRY(rmc_h5_attr_str(f, "rankmc_version", rmc_version(), d));
    RMC_TRY(rmc_h5_attr_u64(f, "seed", t->seed, d));
    RMC_TRY(rmc_h5_attr_u64(f, "replicates", t->replicates, d));
    RMC_TRY(rmc_h5_attr_i64(f, "threads", t->threads, d));
    RMC_TRY(rmc_h5_attr_i64(f, "ranks", t->ranks > 1 ? t->ranks : 1, d));
    RMC_TRY(rmc_h5_attr_str(f, "model_sha256", t->model_sha256, d));
    RMC_TRY(rmc_h5_attr_str(f, "model_dir", t->model_dir, d));
    RMC_TRY(rmc_h5_attr_str(f, "command_line", t->command_line, d));
    RMC_TRY(rmc_h5_attr_str(f, "created_utc", created, d));
    RMC_TRY(rmc_h5_write_attr(f, "wall_seconds", H5T_NATIVE_DOUBLE, 0, &t->wall_seconds, d));
    RMC_TRY(rmc_h5_attr_str(f, "rng", t->rng_name != NULL ? t->rng_name : "philox4x32", d));
    for (size_t i = 0; i < t->n_attrs; i++) {
        const rmc_h5_attr *a = &t->attrs[i];
        if (a->type == RMC_H5_F64) {
            RMC_TRY(rmc_h5_write_attr(f, a->name, H5T_NATIVE_DOUBLE, 0, &a->f64, d));
        } else if (a->type == RMC_H5_I32) {
            RMC_TRY(rmc_h5_attr_i64(f, a->name, a->i64, d));
        } else {
            RMC_TRY(rmc_h5_attr_str(f, a->name, a->str, d));
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
    return rmc_h5_write_atomically(path, force, fill_tables, t, d);
}
