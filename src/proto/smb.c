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

/* Walks both directions; PROBE_NO if either is not NBSS framing. */
static enum probe_verdict walk_both(const struct probe_in *in, bool *smb, bool *other,
                                    bool *setup)
{
    for (int d = 0; d < 2; d++)
        if (in->len[d] && walk(in->data[d], in->len[d], smb, other, setup) == PROBE_NO)
            return PROBE_NO;
    return PROBE_NEED_MORE;
}

static enum probe_verdict smb_probe(const struct probe_in *in)
{
    bool smb = false, other = false, setup = false;
    if (walk_both(in, &smb, &other, &setup) == PROBE_NO)
        return PROBE_NO;
    if (smb)
        return PROBE_YES;
    return other ? PROBE_NO : PROBE_NEED_MORE;
}

static enum probe_verdict nbss_probe(const struct probe_in *in)
{
    bool smb = false, other = false, setup = false;
    if (walk_both(in, &smb, &other, &setup) == PROBE_NO)
        return PROBE_NO;
    if (smb)
        return PROBE_NO;                       /* that is smb */
    if (setup && other)
        return PROBE_YES;
    return setup ? PROBE_LIKELY : PROBE_NEED_MORE;  /* smb may still follow the set-up */
}


const struct proto_desc proto_nbss = {
    .id = PROTO_NBSS,
    .name = "nbss",
    .transports = PT_TCP,
    .ports = { 139 },
    .probe = nbss_probe,
};

/* ===== Parser: one event per SMB message (headers; share and file names) =====
 * NBSS frames (RFC 1002: type, 17-bit length) are collected per direction up to SMB_MAX_MSG;
 * a longer message is skipped (its header is still read). SMB2 header (MS-SMB2 2.2.1):
 *   ProtocolId(4)=FE 'SMB' StructureSize(2)=64 CreditCharge(2) Status(4) Command(2)
 *   Credit(2) Flags(4: 0x1 response) NextCommand(4) MessageId(8) ... = 64 bytes
 * TREE_CONNECT request (2.2.9): StructureSize(2) Flags(2) PathOffset(2) PathLength(2)
 * CREATE request (2.2.13): 44 bytes in, NameOffset(2) NameLength(2); offsets from the header.
 * NEGOTIATE response (2.2.4): StructureSize(2) SecurityMode(2) DialectRevision(2).
 * SMB1 (MS-CIFS 2.2.3.1): FF 'SMB' Command(1) Status(4) Flags(1: 0x80 reply). */

#include <stdlib.h>
#include <string.h>

enum { SMB_MAX_MSG = 4096, SMB2_HDR = 64 };

struct smb_state {
    uint8_t *buf[2];             /* the current frame's message (allocated on first use) */
    uint8_t hdr[2][4];
    uint8_t hdr_len[2];          /* 4: inside a frame's body */
    uint32_t want[2], have[2];   /* the frame's message length, and how much is held */
    uint32_t skip[2];            /* bytes to pass over (not SMB, or too big); UINT32_MAX: lost */
};

/* UTF-16LE to UTF-8 (BMP, no surrogates: replaced by '?'), bounded both ways. */
static void utf16_to_utf8(struct bytes in, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i + 1 < in.len && o + 4 < cap; i += 2) {
        unsigned c = in.p[i] | (unsigned)in.p[i + 1] << 8;
        if (c >= 0xd800 && c <= 0xdfff)
            c = '?';
        if (c < 0x80) {
            out[o++] = (char)(c >= 0x20 ? c : '?');
        } else if (c < 0x800) {
            out[o++] = (char)(0xc0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3f));
        } else {
            out[o++] = (char)(0xe0 | c >> 12);
            out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
            out[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    out[o] = 0;
}

static bool smb2_message(struct bytes m, struct smb_msg *s)
{
    struct rd r = rd_init(m.p, m.len);
    rd_skip(&r, 4 + 2 + 2);
    s->status = rd_le32(&r);
    s->command = rd_le16(&r);
    rd_skip(&r, 2);
    s->response = rd_le32(&r) & 1;
    if (r.bad || m.len < SMB2_HDR)
        return false;
    s->version = 2;
    struct rd body = rd_init(m.p + SMB2_HDR, m.len - SMB2_HDR);
    if (s->command == 0 && s->response) {                  /* NEGOTIATE */
        rd_skip(&body, 4);
        s->dialect = rd_le16(&body);
    } else if (s->command == 3 && !s->response) {          /* TREE_CONNECT */
        rd_skip(&body, 4);
        uint16_t off = rd_le16(&body), len = rd_le16(&body);
        if (!body.bad && off >= SMB2_HDR && off <= m.len && len <= m.len - off)
            utf16_to_utf8((struct bytes){ m.p + off, len }, s->share, sizeof s->share);
    } else if (s->command == 5 && !s->response) {          /* CREATE */
        rd_skip(&body, 44);
        uint16_t off = rd_le16(&body), len = rd_le16(&body);
        if (!body.bad && off >= SMB2_HDR && off <= m.len && len <= m.len - off)
            utf16_to_utf8((struct bytes){ m.p + off, len }, s->filename, sizeof s->filename);
    }
    return true;
}

static void smb_frame(struct app_sink *sink, const struct flow *f, enum flow_dir dir,
                      struct bytes m)
{
    struct smb_msg s;
    memset(&s, 0, sizeof s);
    if (m.len >= 4 && m.p[0] == 0xfe && memcmp(m.p + 1, "SMB", 3) == 0) {
        if (!smb2_message(m, &s))
            return;
    } else if (m.len >= 10 && m.p[0] == 0xff && memcmp(m.p + 1, "SMB", 3) == 0) {
        struct rd r = rd_init(m.p + 4, m.len - 4);
        s.version = 1;
        s.command = rd_u8(&r);
        s.status = rd_le32(&r);
        s.response = rd_u8(&r) & 0x80;
    } else {
        return;                                            /* transform (FD) or other */
    }
    struct app_event ev = { .type = APP_EV_SMB, .dir = dir, .ts_us = sink->now_us,
                            .u.smb = &s };
    sink->emit(sink->ctx, f, &ev);
}

static void smb_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct smb_state *s = state;
    if (!data) {                                           /* framing lost for good */
        s->skip[dir] = UINT32_MAX;
        return;
    }
    while (len) {
        if (s->skip[dir] == UINT32_MAX)
            return;
        if (s->skip[dir]) {
            size_t k = s->skip[dir] < len ? s->skip[dir] : len;
            s->skip[dir] -= (uint32_t)k;
            data += k;
            len -= k;
            continue;
        }
        if (s->hdr_len[dir] < 4) {                         /* the NBSS header */
            size_t k = (size_t)(4 - s->hdr_len[dir]) < len ? (size_t)(4 - s->hdr_len[dir]) : len;
            memcpy(s->hdr[dir] + s->hdr_len[dir], data, k);
            s->hdr_len[dir] = (uint8_t)(s->hdr_len[dir] + k);
            data += k;
            len -= k;
            if (s->hdr_len[dir] < 4)
                return;
            const uint8_t *h = s->hdr[dir];
            s->want[dir] = (uint32_t)(h[1] & 1) << 16 | (uint32_t)h[2] << 8 | h[3];
            s->have[dir] = 0;
            if (h[0] != NBSS_MSG || s->want[dir] > SMB_MAX_MSG) {
                /* session service messages, or a message too big to keep (READ/WRITE data):
                 * its header is still read when it is in this segment */
                if (h[0] == NBSS_MSG && len >= SMB2_HDR)
                    smb_frame(sink, f, dir, (struct bytes){ data, SMB2_HDR });
                s->skip[dir] = s->want[dir];
                s->hdr_len[dir] = 0;
                continue;
            }
            if (s->want[dir] == 0) {
                s->hdr_len[dir] = 0;
                continue;
            }
            if (!s->buf[dir] && !(s->buf[dir] = malloc(SMB_MAX_MSG))) {
                s->skip[dir] = UINT32_MAX;
                return;
            }
            continue;
        }
        size_t k = s->want[dir] - s->have[dir] < len ? s->want[dir] - s->have[dir] : len;
        memcpy(s->buf[dir] + s->have[dir], data, k);
        s->have[dir] += (uint32_t)k;
        data += k;
        len -= k;
        if (s->have[dir] == s->want[dir]) {
            smb_frame(sink, f, dir, (struct bytes){ s->buf[dir], s->want[dir] });
            s->hdr_len[dir] = 0;
        }
    }
}

static void smb_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    (void)sink;
    (void)f;
    struct smb_state *s = state;
    for (int d = 0; d < 2; d++) {
        free(s->buf[d]);
        s->buf[d] = NULL;
    }
}

const struct proto_desc proto_smb = {
    .id = PROTO_SMB,
    .name = "smb",
    .transports = PT_TCP,
    .ports = { 445, 139 },
    .probe = smb_probe,
    .state_size = sizeof(struct smb_state),
    .parse = smb_parse,
    .fini = smb_fini,
};
