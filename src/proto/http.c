/* SPDX-License-Identifier: MIT
 * http.c — HTTP/1.x (RFC 9112) identification: a request line "METHOD SP target SP HTTP/1.x"
 * from the client, or a status line "HTTP/1.x SP 3DIGIT" from the server. CONNECT is HTTP
 * too (a proxy request: the proxy event comes with the parser). */
#include "proto/proto.h"
#include "proto/textline.h"

enum { HTTP_MAX_REQUEST_LINE = 8192 };

static const char *const methods[] = {
    "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ", "PATCH ",
    "PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "SEARCH ",
};

static enum probe_verdict request(const uint8_t *d, size_t n)
{
    bool partial = false;
    size_t i, mlen = 0;
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        enum prefix_match m = prefix_match(d, n, methods[i], false);
        if (m == PFX_YES) {
            mlen = strlen(methods[i]);
            break;
        }
        partial |= m == PFX_PARTIAL;
    }
    if (!mlen)
        return partial ? PROBE_NEED_MORE : PROBE_NO;
    struct bytes l;
    size_t next;
    bool too_long;
    if (!text_line(d, n, 0, HTTP_MAX_REQUEST_LINE, &l, &next, &too_long))
        return too_long ? PROBE_NO : PROBE_NEED_MORE;
    /* ... target SP HTTP/1.x at the end of the line */
    if (l.len < mlen + 10)
        return PROBE_NO;
    struct bytes tail = { l.p + l.len - 9, 9 };
    return prefix_match(tail.p, tail.len, " HTTP/1.", false) == PFX_YES ? PROBE_YES : PROBE_NO;
}

static enum probe_verdict response(const uint8_t *d, size_t n)
{
    enum prefix_match m = prefix_match(d, n, "HTTP/1.", false);
    if (m != PFX_YES)
        return m == PFX_PARTIAL ? PROBE_NEED_MORE : PROBE_NO;
    if (n < 13)
        return PROBE_NEED_MORE;
    return d[8] == ' ' && is_digit(d[9]) && is_digit(d[10]) && is_digit(d[11]) ? PROBE_YES
                                                                               : PROBE_NO;
}

static enum probe_verdict http_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    enum probe_verdict vc = cn ? request(c, cn) : PROBE_NEED_MORE;
    enum probe_verdict vs = sn ? response(s, sn) : PROBE_NEED_MORE;
    if (vc == PROBE_YES || vs == PROBE_YES)
        return PROBE_YES;
    if (vc == PROBE_NO && (sn == 0 || vs == PROBE_NO))
        return PROBE_NO;
    if (vs == PROBE_NO && cn == 0)
        return PROBE_NO;                      /* a server that speaks first is not HTTP */
    return vc == PROBE_NO && vs == PROBE_NO ? PROBE_NO : PROBE_NEED_MORE;
}

const struct proto_desc proto_http = {
    .id = PROTO_HTTP,
    .name = "http",
    .transports = PT_TCP,
    .ports = { 80, 8080, 8000, 8008, 8888, 3128, 81 },
    .probe = http_probe,
};
