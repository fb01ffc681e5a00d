/* SPDX-License-Identifier: MIT
 * bittorrent.c — BitTorrent peer wire protocol (BEP 3: the handshake opens with the byte 19
 * and "BitTorrent protocol") and the DHT over UDP (BEP 5: bencoded dictionaries with a
 * transaction id "t" and a message type "y" of q, r or e). Which client speaks it comes from
 * the peer id in the handshake, with the parser. Tracker announces are HTTP. */
#include "proto/proto.h"
#include "proto/textline.h"

static const char handshake[] = "\x13" "BitTorrent protocol";

static enum probe_verdict bt_dir(const uint8_t *d, size_t n)
{
    enum prefix_match m = prefix_match(d, n, handshake, false);
    return m == PFX_YES ? PROBE_YES : m == PFX_PARTIAL ? PROBE_NEED_MORE : PROBE_NO;
}

/* uTP (BEP 29) over UDP: type(4 bits: 0 data .. 4 syn) version(4 bits: 1) extension(1)
 * connection id(2) timestamp(4) timestamp difference(4) window(4) seq(2) ack(2): 20 bytes,
 * then extensions and data. A SYN is exactly a header (with extensions); judging a datagram
 * in each direction keeps random bytes out. */
static bool utp_header(const uint8_t *d, size_t n)
{
    if (n < 20 || (d[0] & 0x0f) != 1 || (d[0] >> 4) > 4 || d[1] > 2)
        return false;
    return (d[0] >> 4) != 4 || n == 20 || d[1] != 0;  /* a SYN without extensions: 20 bytes */
}

static enum probe_verdict utp_probe(const struct probe_in *in)
{
    if (!utp_header(in->data[in->dir], in->len[in->dir]))
        return PROBE_NO;
    if (!in->len[!in->dir])
        return PROBE_NEED_MORE;
    return utp_header(in->data[!in->dir], in->len[!in->dir]) ? PROBE_YES : PROBE_NO;
}

static enum probe_verdict bt_probe(const struct probe_in *in)
{
    if (!in->tcp)
        return utp_probe(in);
    enum probe_verdict c = in->len[0] ? bt_dir(in->data[0], in->len[0]) : PROBE_NEED_MORE;
    enum probe_verdict s = in->len[1] ? bt_dir(in->data[1], in->len[1]) : PROBE_NEED_MORE;
    if (c == PROBE_YES || s == PROBE_YES)
        return PROBE_YES;
    if (c == PROBE_NO || s == PROBE_NO)
        return PROBE_NO;
    return PROBE_NEED_MORE;
}

const struct proto_desc proto_bittorrent = {
    .id = PROTO_BITTORRENT,
    .name = "bittorrent",
    .transports = PT_TCP | PT_UDP,
    .ports = { 6881, 6882, 6883, 6884, 6885, 6886, 6887, 6889 },
    .probe = bt_probe,
};

static enum probe_verdict dht_probe(const struct probe_in *in)
{
    struct bytes b = { in->data[in->dir], in->len[in->dir] };
    if (b.len < 12 || b.p[0] != 'd' || b.p[b.len - 1] != 'e')
        return PROBE_NO;
    return (contains_ci(b, "1:y1:q") || contains_ci(b, "1:y1:r") || contains_ci(b, "1:y1:e")) &&
                   contains_ci(b, "1:t")
               ? PROBE_YES
               : PROBE_NO;
}

const struct proto_desc proto_bt_dht = {
    .id = PROTO_BT_DHT,
    .name = "bittorrent-dht",
    .transports = PT_UDP,
    .ports = { 6881, 6882, 6883, 6884, 6885, 6886, 6887, 6889 },
    .probe = dht_probe,
};
