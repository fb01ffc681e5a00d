/* SPDX-License-Identifier: MIT
 * bittorrent.c — BitTorrent peer wire protocol (BEP 3: the handshake opens with the byte 19
 * and "BitTorrent protocol") and the DHT over UDP (BEP 5: bencoded dictionaries with a
 * transaction id "t" and a message type "y" of q, r or e). Which client speaks it comes from
 * the peer id in the handshake, with the parser. Tracker announces are HTTP. */
#include "proto/proto.h"
#include "proto/textline.h"

#include <stdio.h>

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
    return probe_either(c, s);
}


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


/* ===== Parser: the handshake of each direction, and who sent it =====
 *   pstrlen(1)=19 pstr(19)="BitTorrent protocol" reserved(8) info_hash(20) peer_id(20)
 * The peer id names the client (BEP 20, and the conventions clients follow): Azureus style
 * "-TR2940-" + 12 random bytes, Shad0w style "S58B-----", Mainline "M4-3-6--", and a few
 * others. That is what tells a game's background downloader from a sanctioned client. */

enum { BT_HANDSHAKE = 68 };

static const struct { char code[3]; const char *name; } azureus[] = {
    { "7T", "aTorrent" }, { "AG", "Ares" }, { "A~", "Ares" }, { "AR", "Arctic" },
    { "AT", "Artemis" }, { "AV", "Avicora" }, { "AX", "BitPump" }, { "AZ", "Vuze" },
    { "BB", "BitBuddy" }, { "BC", "BitComet" }, { "BE", "baretorrent" }, { "BF", "Bitflu" },
    { "BG", "BTG" }, { "BI", "BiglyBT" }, { "BL", "BitBlinder" }, { "BN", "Baidu Netdisk" },
    { "BP", "BitTorrent Pro" }, { "BR", "BitRocket" }, { "BS", "BTSlave" },
    { "BT", "BitTorrent" }, { "BW", "BitWombat" }, { "BX", "BitTorrent X" },
    { "CD", "Enhanced CTorrent" }, { "CT", "CTorrent" }, { "DE", "Deluge" },
    { "DP", "Propagate Data Client" }, { "EB", "EBit" }, { "ES", "electric sheep" },
    { "FC", "FileCroc" }, { "FD", "Free Download Manager" }, { "FG", "FlashGet" },
    { "FT", "FoxTorrent" }, { "FX", "Freebox BitTorrent" }, { "GR", "GetRight" },
    { "GS", "GSTorrent" }, { "HK", "Hekate" }, { "HL", "Halite" }, { "HM", "hMule" },
    { "HN", "Hydranode" }, { "IL", "iLivid" }, { "JS", "Justseed.it" }, { "JT", "JavaTorrent" },
    { "KG", "KGet" }, { "KT", "KTorrent" }, { "LC", "LeechCraft" }, { "LH", "LH-ABC" },
    { "LP", "Lphant" }, { "LT", "libtorrent (rakshasa)" }, { "lt", "libtorrent (rasterbar)" },
    { "LW", "LimeWire" }, { "MG", "MediaGet" }, { "MK", "Meerkat" }, { "MO", "MonoTorrent" },
    { "MP", "MooPolice" }, { "MR", "Miro" }, { "MT", "MoonlightTorrent" },
    { "NB", "Net::BitTorrent" }, { "NX", "Net Transport" }, { "OS", "OneSwarm" },
    { "OT", "OmegaTorrent" }, { "PB", "Protocol::BitTorrent" }, { "PD", "Pando" },
    { "PI", "PicoTorrent" }, { "qB", "qBittorrent" }, { "QD", "QQDownload" },
    { "QT", "Qt 4 Torrent example" }, { "RT", "Retriever" }, { "RZ", "RezTorrent" },
    { "S~", "Shareaza alpha/beta" }, { "SB", "Swiftbit" }, { "SD", "Thunder (Xunlei)" },
    { "SM", "SoMud" }, { "SP", "BitSpirit" }, { "SS", "SwarmScope" }, { "ST", "SymTorrent" },
    { "st", "sharktorrent" }, { "SZ", "Shareaza" }, { "TB", "Torch" }, { "TE", "terasaur" },
    { "TL", "Tribler" }, { "TN", "TorrentDotNET" }, { "TR", "Transmission" },
    { "TS", "Torrentstorm" }, { "TT", "TuoTu" }, { "UL", "uLeecher!" }, { "UM", "uTorrent Mac" },
    { "UT", "uTorrent" }, { "UW", "uTorrent Web" }, { "VG", "Vagaa" }, { "WD", "WebTorrent Desktop" },
    { "WT", "BitLet" }, { "WW", "WebTorrent" }, { "WY", "FireTorrent" }, { "XF", "Xfplay" },
    { "XL", "Xunlei" }, { "XS", "XSwifter" }, { "XT", "XanTorrent" }, { "XX", "Xtorrent" },
    { "ZT", "ZipTorrent" },
};

static const struct { char code; const char *name; } shadow[] = {
    { 'A', "ABC" }, { 'O', "Osprey Permaseed" }, { 'Q', "BTQueue" }, { 'R', "Tribler" },
    { 'S', "Shad0w" }, { 'T', "BitTornado" }, { 'U', "UPnP NAT Bit Torrent" },
};

/* A version character: 0-9, then A-Z and a-z for 10 and up (Shad0w's and Azureus' usage). */
static int vdigit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 36;
    if (c == '.')
        return 62;
    return -1;
}

/* "2940" -> "2.9.4" (a trailing 0 dropped when there are four parts). */
static void dotted(char *out, size_t cap, const uint8_t *v, size_t n)
{
    int parts[8];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 8; i++) {
        int d = vdigit(v[i]);
        if (d < 0)
            break;
        parts[k++] = d;
    }
    if (k == 4 && parts[3] == 0)
        k = 3;
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < k && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, i ? ".%d" : "%d", parts[i]);
}

void bt_identify_client(struct bt_handshake *h)
{
    const uint8_t *id = h->peer_id;
    h->client = NULL;
    h->version[0] = 0;
    h->style = "unknown";
    if (id[0] == '-' && id[7] == '-') {                         /* Azureus style */
        h->style = "azureus";
        for (size_t i = 0; i < sizeof azureus / sizeof azureus[0]; i++)
            if (id[1] == (uint8_t)azureus[i].code[0] && id[2] == (uint8_t)azureus[i].code[1]) {
                h->client = azureus[i].name;
                dotted(h->version, sizeof h->version, id + 3, 4);
                return;
            }
        return;
    }
    if (id[0] == 'A' && id[1] == '2' && id[2] == '-') {         /* aria2: A2-1-36-0- */
        h->style = "other";
        h->client = "aria2";
        size_t o = 0;
        for (size_t i = 3; i < 12 && o + 2 < sizeof h->version; i++) {
            if (id[i] == '-' && (i + 1 >= 12 || !is_digit(id[i + 1])))
                break;                       /* the version is digits; random bytes follow */
            if (id[i] != '-' && !is_digit(id[i]))
                break;
            h->version[o++] = id[i] == '-' ? '.' : (char)id[i];
        }
        h->version[o] = 0;
        return;
    }
    if ((id[0] == 'M' || id[0] == 'Q') && is_digit(id[1]) && id[2] == '-') {  /* M4-3-6-- */
        h->style = "mainline";
        h->client = id[0] == 'M' ? "BitTorrent (Mainline)" : "Queen Bee";
        size_t o = 0;
        for (size_t i = 1; i < 8 && o + 2 < sizeof h->version; i++) {
            if (id[i] == '-' && (id[i + 1] == '-' || i == 7))
                break;
            h->version[o++] = id[i] == '-' ? '.' : (char)id[i];
        }
        h->version[o] = 0;
        return;
    }
    if (memcmp(id, "exbc", 4) == 0) {                           /* old BitComet */
        h->style = "other";
        h->client = "BitComet";
        snprintf(h->version, sizeof h->version, "%u.%02u", id[4], id[5]);
        return;
    }
    if (memcmp(id, "XBT", 3) == 0) {
        h->style = "other";
        h->client = "XBT";
        dotted(h->version, sizeof h->version, id + 3, 3);
        return;
    }
    for (size_t i = 0; i < sizeof shadow / sizeof shadow[0]; i++) /* Shad0w: S58B----- */
        if (id[0] == (uint8_t)shadow[i].code && vdigit(id[1]) >= 0 &&
            memchr(id + 1, '-', 7) && memcmp(id + 6, "--", 2) == 0) {
            h->style = "shadow";
            h->client = shadow[i].name;
            size_t n = 0;
            while (n < 5 && id[1 + n] != '-')
                n++;
            dotted(h->version, sizeof h->version, id + 1, n);
            return;
        }
}

struct bt_state {
    uint8_t buf[2][BT_HANDSHAKE];
    uint8_t len[2];
    bool done[2];                /* handshake seen (or not coming) in that direction */
};

static void bt_parse(struct app_sink *sink, const struct flow *f, void *state,
                     enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct bt_state *s = state;
    if (s->done[dir])
        return;                  /* messages after the handshake are not reported (yet) */
    if (!data) {
        s->done[dir] = true;     /* a hole in the handshake: nothing sure to say */
        return;
    }
    size_t take = BT_HANDSHAKE - s->len[dir];
    if (take > len)
        take = len;
    memcpy(s->buf[dir] + s->len[dir], data, take);
    s->len[dir] = (uint8_t)(s->len[dir] + take);
    if (s->len[dir] < BT_HANDSHAKE)
        return;
    s->done[dir] = true;
    if (prefix_match(s->buf[dir], BT_HANDSHAKE, handshake, false) != PFX_YES)
        return;                  /* not a plain handshake (encrypted, or not this side) */
    struct bt_handshake h;
    memcpy(h.reserved, s->buf[dir] + 20, 8);
    memcpy(h.info_hash, s->buf[dir] + 28, 20);
    memcpy(h.peer_id, s->buf[dir] + 48, 20);
    bt_identify_client(&h);
    struct app_event ev = { .type = APP_EV_BITTORRENT, .dir = dir, .ts_us = sink->now_us,
                            .u.bt = &h };
    sink->emit(sink->ctx, f, &ev);
}

const struct proto_desc proto_bittorrent = {
    .id = PROTO_BITTORRENT,
    .name = "bittorrent",
    .transports = PT_TCP | PT_UDP,
    .ports = { 6881, 6882, 6883, 6884, 6885, 6886, 6887, 6889 },
    .probe = bt_probe,
    .state_size = sizeof(struct bt_state),
    .parse = bt_parse,
};

/* ===== DHT parser: one event per datagram (BEP 5) =====
 * A bounded bencode reader: strings "len:bytes", integers "i...e", lists "l...e",
 * dictionaries "d...e" with string keys; nesting beyond BENCODE_DEPTH and lengths past the
 * datagram end the parse. */

enum { BENCODE_DEPTH = 8 };

static bool be_string(struct rd *r, struct bytes *out)
{
    uint64_t n = 0;
    int digits = 0;
    while (rd_left(r) && is_digit(r->p[r->off]) && digits < 10) {
        n = n * 10 + (uint64_t)(r->p[r->off] - '0');
        rd_skip(r, 1);
        digits++;
    }
    if (!digits || rd_u8(r) != ':' || n > rd_left(r)) {
        r->bad = true;
        return false;
    }
    *out = rd_bytes(r, (size_t)n);
    return !r->bad;
}

static bool be_int(struct rd *r, int64_t *out)
{
    rd_skip(r, 1);                                /* 'i' */
    bool neg = rd_left(r) && r->p[r->off] == '-';
    if (neg)
        rd_skip(r, 1);
    int64_t v = 0;
    int digits = 0;
    while (rd_left(r) && is_digit(r->p[r->off]) && digits < 18) {
        v = v * 10 + (r->p[r->off] - '0');
        rd_skip(r, 1);
        digits++;
    }
    if (!digits || rd_u8(r) != 'e') {
        r->bad = true;
        return false;
    }
    *out = neg ? -v : v;
    return true;
}

static bool be_skip(struct rd *r, int depth)
{
    if (!rd_left(r) || depth > BENCODE_DEPTH) {
        r->bad = true;
        return false;
    }
    uint8_t c = r->p[r->off];
    if (c == 'i') {
        int64_t v;
        return be_int(r, &v);
    }
    if (c == 'l' || c == 'd') {
        rd_skip(r, 1);
        while (rd_left(r) && r->p[r->off] != 'e') {
            struct bytes k;
            if (c == 'd' && !be_string(r, &k))
                return false;
            if (!be_skip(r, depth + 1))
                return false;
        }
        return rd_u8(r) == 'e' && !r->bad;
    }
    struct bytes s;
    return be_string(r, &s);
}

static bool key_is(struct bytes k, const char *s)
{
    return k.len == strlen(s) && memcmp(k.p, s, k.len) == 0;
}

/* The inner "a" (arguments) or "r" (response) dictionary. */
static bool dht_inner(struct rd *r, struct dht_msg *m)
{
    if (rd_u8(r) != 'd')
        return false;
    while (rd_left(r) && r->p[r->off] != 'e') {
        struct bytes k, v;
        if (!be_string(r, &k))
            return false;
        if (rd_left(r) && is_digit(r->p[r->off]) && (key_is(k, "id") || key_is(k, "info_hash") ||
                                                      key_is(k, "target") || key_is(k, "nodes"))) {
            if (!be_string(r, &v))
                return false;
            if (key_is(k, "id"))
                m->node_id = v;
            else if (key_is(k, "info_hash"))
                m->info_hash = v;
            else if (key_is(k, "target"))
                m->target = v;
            else
                m->nodes = (unsigned)(v.len / 26);  /* compact node info: 20 + 6 bytes */
        } else if (key_is(k, "values") && rd_left(r) && r->p[r->off] == 'l') {
            rd_skip(r, 1);
            while (rd_left(r) && r->p[r->off] != 'e') {
                if (!be_skip(r, 2))
                    return false;
                m->values++;
            }
            rd_skip(r, 1);
        } else if (!be_skip(r, 1)) {
            return false;
        }
    }
    return rd_u8(r) == 'e' && !r->bad;
}

static bool dht_decode(struct bytes b, struct dht_msg *m)
{
    memset(m, 0, sizeof *m);
    struct rd r = rd_init(b.p, b.len);
    if (rd_u8(&r) != 'd')
        return false;
    while (rd_left(&r) && r.p[r.off] != 'e') {
        struct bytes k, v;
        if (!be_string(&r, &k))
            return false;
        if ((key_is(k, "t") || key_is(k, "y") || key_is(k, "q") || key_is(k, "v")) &&
            rd_left(&r) && is_digit(r.p[r.off])) {
            if (!be_string(&r, &v))
                return false;
            if (key_is(k, "t"))
                m->transaction_id = v;
            else if (key_is(k, "y"))
                m->type = v;
            else if (key_is(k, "q"))
                m->query = v;
            else
                m->client_version = v;
        } else if ((key_is(k, "a") || key_is(k, "r")) && rd_left(&r) && r.p[r.off] == 'd') {
            if (!dht_inner(&r, m))
                return false;
        } else if (key_is(k, "e") && rd_left(&r) && r.p[r.off] == 'l') {
            rd_skip(&r, 1);                        /* [code, "message"] */
            if (rd_left(&r) && r.p[r.off] == 'i')
                be_int(&r, &m->error_code);
            if (rd_left(&r) && is_digit(r.p[r.off]))
                be_string(&r, &m->error_text);
            while (rd_left(&r) && r.p[r.off] != 'e')
                if (!be_skip(&r, 2))
                    return false;
            rd_skip(&r, 1);
        } else if (!be_skip(&r, 1)) {
            return false;
        }
    }
    return !r.bad && m->type.len == 1;
}

static void dht_parse(struct app_sink *sink, const struct flow *f, void *state,
                      enum flow_dir dir, const uint8_t *data, size_t len)
{
    (void)state;
    struct dht_msg m;
    if (!data || !dht_decode((struct bytes){ data, len }, &m))
        return;
    struct app_event ev = { .type = APP_EV_DHT, .dir = dir, .ts_us = sink->now_us,
                            .u.dht = &m };
    sink->emit(sink->ctx, f, &ev);
}

const struct proto_desc proto_bt_dht = {
    .id = PROTO_BT_DHT,
    .name = "bittorrent-dht",
    .transports = PT_UDP,
    .ports = { 6881, 6882, 6883, 6884, 6885, 6886, 6887, 6889 },
    .probe = dht_probe,
    .state_size = 1,                             /* stateless: each datagram stands alone */
    .parse = dht_parse,
};
