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

const struct proto_desc proto_ssh = {
    .id = PROTO_SSH,
    .name = "ssh",
    .transports = PT_TCP,
    .ports = { 22, 2222 },
    .probe = ssh_probe,
};
