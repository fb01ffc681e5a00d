/* SPDX-License-Identifier: MIT
 * pool.h — blocks for memory botwatch takes and gives back at a high rate (TCP stream
 * windows, protocol identification buffers, parser states): a free list per size class of 64
 * bytes up to 8 KiB, blocks carved from 2 MiB huge-page chunks (util/hugemem.h) and never
 * handed back to the system before exit. A block is given back with the size it was taken
 * with. Larger requests go to malloc. botwatch is single-threaded; so is this.
 *
 * Why not malloc: blocks of 1-4 KiB are past glibc's per-thread cache, so every free went
 * through its bins and touched cold neighbours (6 % of a decode+flows+reassembly run for the
 * stream windows alone); a free list hands back the block freed last, still in cache. */
#ifndef BW_POOL_H
#define BW_POOL_H

#include <stddef.h>

enum { POOL_GRAIN = 64, POOL_MAX = 8192 };

void *pool_get(size_t n);          /* n bytes, not zeroed; NULL when out of memory */
void *pool_get_zero(size_t n);     /* zeroed */
void pool_put(void *p, size_t n);  /* n as given to pool_get; p may be NULL */

#endif
