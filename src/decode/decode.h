/* SPDX-License-Identifier: MIT
 * decode.h — layer 2 to layer 4 for one captured frame. The decoder fills struct pkt with
 * addresses, ports, TCP fields and a payload slice; it never reads past the captured bytes,
 * counts every malformed packet by reason (stats.h DECODE_ERRORS) and never stops a run. */
#ifndef BW_DECODE_H
#define BW_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/frag.h"
#include "util/stats.h"

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
       TCP_ACK = 0x10, TCP_URG = 0x20, TCP_ECE = 0x40, TCP_CWR = 0x80 };

enum { IPPROTO_NUM_ICMP = 1, IPPROTO_NUM_TCP = 6, IPPROTO_NUM_UDP = 17,
       IPPROTO_NUM_ICMPV6 = 58 };

/* One decoded packet. Pointers borrow from the capture buffer or, for a reassembled
 * datagram, from the fragment reassembler's output buffer: valid until the next decode. */
struct pkt {
    uint64_t no;        /* 1-based number across all input files */
    uint64_t ts_us;     /* packet time, microseconds since the epoch */
    uint32_t wirelen;   /* original length on the wire (pcap header len) */
    uint32_t caplen;
    const uint8_t *data;
    bool snapped;       /* caplen < wirelen: the payload may be cut short */

    uint8_t family;     /* 4 or 6 */
    uint8_t proto;      /* IP protocol number of the transport layer */
    uint8_t src[16], dst[16];  /* IPv4 uses the first 4 bytes, the rest are zero */

    uint16_t sport, dport;     /* TCP/UDP ports; the identifier (both) for ICMP echo; else 0 */
    uint8_t tcp_flags;
    uint16_t tcp_win;
    uint32_t tcp_seq, tcp_ack;
    uint8_t icmp_type, icmp_code;

    const uint8_t *payload;    /* transport payload */
    uint32_t payload_len;

    /* A reassembled datagram stands for all its fragments: count them all in the flow. */
    uint32_t frag_pkts;
    uint64_t frag_bytes;
};

enum decode_result {
    DECODE_OK,      /* transport layer decoded: the packet goes to the flow table */
    DECODE_SKIP,    /* not IP, or a fragment held for reassembly: nothing more to do */
    DECODE_ERROR,   /* malformed: counted under its reason */
};

struct decoder {
    struct bw_stats *stats;
    struct frag_table frag;
    bool general_only;  /* tests: skip the fast path, so both can be compared */
};

bool icmp_is_echo(uint8_t type, bool v6);
bool icmp_is_echo_reply(uint8_t type, bool v6);

/* Link types the decoder accepts (pcap DLT_ values). */
bool decode_link_supported(int dlt);
const char *decode_link_name(int dlt);

void decoder_init(struct decoder *d, struct bw_stats *stats, const struct frag_limits *lim);
void decoder_free(struct decoder *d);

/* Decodes p->data[0..caplen) of link type dlt; p->no, ts_us, wirelen, caplen, data are set
 * by the caller. */
enum decode_result decode_packet(struct decoder *d, int dlt, struct pkt *p);

#endif
