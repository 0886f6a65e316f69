/* Internal to the h5io files (h5io_write.c, h5io_read.c, h5io_ckpt.c,
 * h5io_tables.c), the only ones that include hdf5.h: the HDF5 helpers they
 * share. Every helper closes what it opens on every path and turns a
 * negative HDF5 return into RMC_EHDF5 naming the call and the object. */
#ifndef RANKMC_H5IO_INT_H
#define RANKMC_H5IO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "internal.h"
#include "rankmc/h5io.h"

/* RMC_EHDF5: "HDF5 call CALL failed for 'WHAT'". */
RMC_INTERNAL rmc_status rmc_h5_fail(rmc_diag *d, const char *call, const char *what);

/* Run an HDF5 call; on a negative return record the failure in d and jump. */
#define H5_CHECK(st, expr, call, what, label)                                                      \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            (st) = rmc_h5_fail(d, (call), (what));                                                 \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

/* Close id with fn unless it is negative (never opened). */
RMC_INTERNAL void rmc_h5_close(hid_t id, herr_t (*fn)(hid_t));

/* A variable-length UTF-8 string type (caller closes), or -1. */
RMC_INTERNAL hid_t rmc_h5_vlen_utf8(void);

/* A numeric dataset `name` in grp of rank 1 or 2: chunked (whole rows, about
 * 256 KiB), shuffled and deflated (each chunk filtered by the writer and
 * stored with H5Dwrite_chunk when mtype equals ftype, else by HDF5); data
 * is in memory type mtype, stored as ftype. */
RMC_INTERNAL rmc_status rmc_h5_write_numeric(hid_t grp, const char *name, hid_t mtype, hid_t ftype,
                                             int rank, const hsize_t *dims, const void *data,
                                             rmc_diag *d);
/* The same with its chunks compressed on up to `threads` threads (the file's
 * bytes are the same for any count): the result file's largest tables. */
RMC_INTERNAL rmc_status rmc_h5_write_numeric_par(hid_t grp, const char *name, hid_t mtype,
                                                 hid_t ftype, int rank, const hsize_t *dims,
                                                 const void *data, int threads, rmc_diag *d);

/* A 1-D variable-length UTF-8 string dataset of n entries. */
RMC_INTERNAL rmc_status rmc_h5_write_strings(hid_t grp, const char *name, const char *const *s,
                                             size_t n, rmc_diag *d);

/* An attribute of n elements (n == 0: scalar) of native type mtype. */
RMC_INTERNAL rmc_status rmc_h5_write_attr(hid_t loc, const char *name, hid_t mtype, size_t n,
                                          const void *v, rmc_diag *d);
/* Scalar attributes: a UTF-8 string (NULL written as ""), u64, i64. */
RMC_INTERNAL rmc_status rmc_h5_attr_str(hid_t loc, const char *name, const char *value,
                                        rmc_diag *d);
RMC_INTERNAL rmc_status rmc_h5_attr_u64(hid_t loc, const char *name, uint64_t v, rmc_diag *d);
RMC_INTERNAL rmc_status rmc_h5_attr_i64(hid_t loc, const char *name, int64_t v, rmc_diag *d);

/* The current UTC time as 2026-01-31T12:00:00Z ("unknown" if unavailable). */
RMC_INTERNAL void rmc_h5_utc_now(char *buf, size_t size);

/* What rmc_h5_write_atomically calls to fill the open file. */
typedef rmc_status (*rmc_h5_filler)(hid_t f, const void *ctx, rmc_diag *d);

/* Create rmc_h5_temp_path(path), let `fill` write it, rename it over path;
 * RMC_EEXIST when path exists and force is false. On any failure the
 * temporary file is removed and path left alone. */
RMC_INTERNAL rmc_status rmc_h5_write_atomically(const char *path, bool force, rmc_h5_filler fill,
                                                const void *ctx, rmc_diag *d);

/* Open path read-only into *f (caller closes with H5Fclose), HDF5's error
 * printing off. RMC_EIO when it cannot be opened, RMC_EINPUT when it is not
 * an HDF5 file; `what` names it in the message ("the file"). */
RMC_INTERNAL rmc_status rmc_h5_open_read(const char *path, const char *what, hid_t *f, rmc_diag *d);

/* Attribute `name` of f as native type mtype into out; RMC_EINPUT when it
 * is missing. */
RMC_INTERNAL rmc_status rmc_h5_read_attr(hid_t f, const char *name, hid_t mtype, void *out,
                                         rmc_diag *d);
/* Attribute `name` of f, an array of exactly n elements, into out[0 .. n);
 * RMC_EINPUT when it is missing or of another length. */
RMC_INTERNAL rmc_status rmc_h5_read_attr_n(hid_t f, const char *name, hid_t mtype, size_t n,
                                           void *out, rmc_diag *d);
/* A string attribute into a new string (caller frees with rmc_free). */
RMC_INTERNAL rmc_status rmc_h5_read_attr_str(hid_t f, const char *name, char **out, rmc_diag *d);

#endif
