/* SPDX-License-Identifier: MIT
 * smb.c — SMB over the NetBIOS session service (RFC 1002 4.3; MS-SMB2 2.1 for direct TCP
 * on 445, which uses the same 4-byte framing):
 *   NBSS: type(1) flags/length(3: 17 bits), then the message; type 0x00 carries SMB
 *   (\xffSMB v1, \xfeSMB v2/3, \xfdSMB encrypted), 0x81 is a session request with two
 *   encoded NetBIOS names, 0x82/0x83/0x84 the answers, 0x85 a keep-alive.
 * A session that carries SMB is "smb" (as Suricata names it); one that only sets up a
 * NetBIOS session and then carries something else is "nbss". */
#include "proto/proto.h"

enum { NBSS_MSG = 0x00, NBSS_REQ = 0x81, NBSS_POS = 0x82, NBSS_NEG = 0x83, NBSS_RETARGET = 0x84,
       NBSS_KEEPALIVE = 0x85, NBSS_MAX_MSGS = 4 };

/* Walks the first NBSS messages of one direction. *smb: an SMB header was found;
 * *other: a session message that is not SMB; *setup: session service messages only. */
static enum probe_verdict walk(const uint8_t *d, size_t n, bool *smb, bool *other, bool *setup)
{
    struct rd r = rd_init(d, n);
    for (int i = 0; i < NBSS_MAX_MSGS && rd_left(&r); i++) {
        uint8_t type = rd_u8(&r);
        uint8_t fl = rd_u8(&r);
        uint16_t len16 = rd_be16(&r);
        if (r.bad)
            return PROBE_NEED_MORE;
        size_t len = (size_t)(fl & 1) << 16 | len16;
        if (fl & 0xfe)
            return PROBE_NO;
        switch (type) {
        case NBSS_MSG: {
            uint8_t magic[4];
            if (!rd_copy(&r, magic, 4))
                return PROBE_NEED_MORE;
            if ((magic[0] == 0xff || magic[0] == 0xfe || magic[0] == 0xfd) &&
                magic[1] == 'S' && magic[2] == 'M' && magic[3] == 'B')
                *smb = true;
            else
                *other = true;
            return PROBE_YES;
        }
        case NBSS_REQ:
            if (len < 68)                      /* two 34-byte encoded names */
                return PROBE_NO;
            /* fallthrough */
        case NBSS_POS:
        case NBSS_NEG:
        case NBSS_RETARGET:
        case NBSS_KEEPALIVE:
            *setup = true;
            rd_skip(&r, len);
            if (r.bad)
                return PROBE_NEED_MORE;
            continue;
        default:
            return PROBE_NO;
        }
    }
    return PROBE_NEED_MORE;
}

static enum probe_verdict smb_probe(const struct probe_in *in)
{
    bool smb = false, other = false, setup = false;
    for (int d = 0; d < 2; d++) {
        if (!in->len[d])
            continue;
        if (walk(in->data[d], in->len[d], &smb, &other, &setup) == PROBE_NO)
            return PROBE_NO;
    }
    if (smb)
        return PROBE_YES;
    return other ? PROBE_NO : PROBE_NEED_MORE;
}

static enum probe_verdict nbss_probe(const struct probe_in *in)
{
    bool smb = false, other = false, setup = false;
    for (int d = 0; d < 2; d++) {
        if (!in->len[d])
            continue;
        if (walk(in->data[d], in->len[d], &smb, &other, &setup) == PROBE_NO)
            return PROBE_NO;
    }
    if (smb)
        return PROBE_NO;                       /* that is smb */
    if (setup && other)
        return PROBE_YES;
    return setup ? PROBE_LIKELY : PROBE_NEED_MORE;  /* smb may still follow the set-up */
}

const struct proto_desc proto_smb = {
    .id = PROTO_SMB,
    .name = "smb",
    .transports = PT_TCP,
    .ports = { 445, 139 },
    .probe = smb_probe,
};

const struct proto_desc proto_nbss = {
    .id = PROTO_NBSS,
    .name = "nbss",
    .transports = PT_TCP,
    .ports = { 139 },
    .probe = nbss_probe,
};
