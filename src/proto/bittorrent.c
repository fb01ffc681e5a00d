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

static enum probe_verdict bt_probe(const struct probe_in *in)
{
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
    .transports = PT_TCP,
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
