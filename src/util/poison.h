/* SPDX-License-Identifier: MIT
 * poison.h — AddressSanitizer poisoning for memory botwatch recycles itself (flow records,
 * stream windows): a free piece is poisoned so a stale pointer into it is reported like a
 * use after free. Without ASan the macros do nothing. */
#ifndef BW_POISON_H
#define BW_POISON_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BW_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(BW_ASAN)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#endif
#ifndef POISON
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
