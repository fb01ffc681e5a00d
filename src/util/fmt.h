/* SPDX-License-Identifier: MIT
 * fmt.h — numbers and IPv4 addresses as text without printf, for paths that run per packet
 * or per handshake (JA3 strings, DNS answers, EVE addresses): printf's format parsing was a
 * few per cent of a whole run. */
#ifndef BW_FMT_H
#define BW_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Decimal digits of v at out (at most 10, no NUL); returns how many. */
static inline size_t fmt_u32(char *out, uint32_t v)
{
    char t[10];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = t[n - 1 - i];
    return n;
}

/* "192.0.2.1" with its NUL; out has room for 16 bytes. Returns the length. */
static inline size_t fmt_ipv4(const uint8_t a[4], char out[16])
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        n += fmt_u32(out + n, a[i]);
        if (i < 3)
            out[n++] = '.';
    }
    out[n] = 0;
    return n;
}

/* Lower-case hex of n bytes, with a NUL: out has room for 2n+1. */
static inline void fmt_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = 0;
}

#endif
