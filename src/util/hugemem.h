/* SPDX-License-Identifier: MIT
 * hugemem.h — large zeroed regions for tables read at random (flow records, hash buckets),
 * backed by 2 MiB transparent huge pages where the kernel allows it: one page fault and one
 * TLB entry per 2 MiB instead of 512. Falls back to ordinary pages silently. */
#ifndef BW_HUGEMEM_H
#define BW_HUGEMEM_H

#include <stddef.h>

enum { HUGEMEM_PAGE = 2 << 20 };

/* n bytes, zeroed, 64-byte aligned (page aligned in fact); NULL on failure. */
void *huge_alloc(size_t n);
void huge_free(void *p, size_t n);

#endif
