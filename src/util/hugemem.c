/* SPDX-License-Identifier: MIT */
#include "util/hugemem.h"

#include <sys/mman.h>

static size_t round_up(size_t n)
{
    return (n + HUGEMEM_PAGE - 1) & ~(size_t)(HUGEMEM_PAGE - 1);
}

void *huge_alloc(size_t n)
{
    size_t len = round_up(n);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE);           /* a hint: refusal is harmless */
#endif
    return p;
}

void huge_free(void *p, size_t n)
{
    if (p)
        munmap(p, round_up(n));
}
