/* SPDX-License-Identifier: MIT
 * ssh.c — SSH identification (RFC 4253 4.2): either side opens with "SSH-protoversion-".
 * Servers may send other lines before it; clients may not. */
#include "proto/proto.h"
#include "proto/textline.h"

static enum probe_verdict banner(const uint8_t *d, size_t n)
{
    enum prefix_match m = prefix_match(d, n, "SSH-", false);
    if (m != PFX_YES)
        return m == PFX_PARTIAL ? PROBE_NEED_MORE : PROBE_NO;
    if (n < 6)
        return PROBE_NEED_MORE;
    /* "SSH-2.0-" or "SSH-1.99-" or "SSH-1.5-" */
    return (d[4] == '1' || d[4] == '2') && d[5] == '.' ? PROBE_YES : PROBE_NO;
}

static enum probe_verdict ssh_probe(const struct probe_in *in)
{
    enum probe_verdict c = in->len[0] ? banner(in->data[0], in->len[0]) : PROBE_NEED_MORE;
    enum probe_verdict s = in->len[1] ? banner(in->data[1], in->len[1]) : PROBE_NEED_MORE;
    if (c == PROBE_YES || s == PROBE_YES)
        return PROBE_YES;
    if (c == PROBE_NO)
        return PROBE_NO;
    if (s == PROBE_NO && in->len[0])
        return PROBE_NO;
    /* a server's pre-banner lines: wait for the client, unless the server said plenty */
    return s == PROBE_NO && in->len[1] >= 256 ? PROBE_NO : PROBE_NEED_MORE;
}


/* ===== Parser: the identification string of each side ===== */

enum { SSH_MAX_BANNER = 255 };   /* RFC 4253 4.2: 255 characters with CRLF */

struct ssh_state {
    uint8_t line[2][SSH_MAX_BANNER];
    uint16_t len[2];
    bool done[2];
    bool emitted;
    struct ssh_banners b;
};

static void ssh_emit(struct app_sink *sink, const struct flow *f, struct ssh_state *s)
{
    if (s->emitted || (!s->b.proto[0].len && !s->b.proto[1].len))
        return;
    s->emitted = true;
    struct app_event ev = { .type = APP_EV_SSH, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                            .u.ssh = &s->b };
    sink->emit(sink->ctx, f, &ev);
}

static void ssh_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct ssh_state *s = state;
    if (s->done[dir])
        return;
    if (!data) {
        s->done[dir] = true;
        return;
    }
    while (len && !s->done[dir]) {
        const uint8_t *lf = memchr(data, '\n', len);
        size_t n = lf ? (size_t)(lf - data) : len;
        size_t room = SSH_MAX_BANNER - s->len[dir], take = n < room ? n : room;
        memcpy(s->line[dir] + s->len[dir], data, take);
        s->len[dir] = (uint16_t)(s->len[dir] + take);
        if (!lf)
            break;
        struct bytes l = { s->line[dir], s->len[dir] };
        if (l.len && l.p[l.len - 1] == '\r')
            l.len--;
        if (prefix_match(l.p, l.len, "SSH-", false) == PFX_YES) {
            /* SSH-protoversion-softwareversion[ SP comments] */
            const uint8_t *dash = memchr(l.p + 4, '-', l.len - 4);
            size_t pv = dash ? (size_t)(dash - l.p) - 4 : l.len - 4;
            s->b.proto[dir] = (struct bytes){ l.p + 4, pv };
            if (dash)
                s->b.software[dir] = (struct bytes){ dash + 1, (size_t)(l.p + l.len - dash - 1) };
            s->done[dir] = true;
        } else {
            s->len[dir] = 0;                 /* a server's lines before its banner */
        }
        data += n + 1;
        len -= n + 1;
    }
    if (s->done[0] && s->done[1])
        ssh_emit(sink, f, s);
}

static void ssh_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    ssh_emit(sink, f, state);
}

const struct proto_desc proto_ssh = {
    .id = PROTO_SSH,
    .name = "ssh",
    .transports = PT_TCP,
    .ports = { 22, 2222 },
    .probe = ssh_probe,
    .state_size = sizeof(struct ssh_state),
    .parse = ssh_parse,
    .fini = ssh_fini,
};
