/* SPDX-License-Identifier: MIT
 * reject.h — the answers of a `reject` verdict in inline mode: TCP resets to both ends, ICMP
 * port unreachable for UDP. */
#ifndef BW_REJECT_H
#define BW_REJECT_H

#include <stddef.h>
#include <stdint.h>

enum { REJECT_MAX = 1280 };              /* the largest answer built (an ICMPv6 quote) */

enum reject_to { REJECT_TO_SENDER, REJECT_TO_RECEIVER };

/* The answer to the IP packet pkt (IPv4 or IPv6, no link header) for one end: a TCP RST
 * (RST|ACK back to the sender, RST on to the receiver, with the sequence numbers each will
 * accept), or for UDP an ICMP/ICMPv6 port unreachable to the sender. Returns its length in
 * out (cap at least REJECT_MAX), 0 when there is nothing to send (a reset, a fragment, an
 * extension header, another protocol, or UDP towards the receiver). */
size_t reject_build(const uint8_t *pkt, size_t len, enum reject_to to, uint8_t *out, size_t cap);

struct reject_sock {
    int fd4, fd6;                        /* raw sockets (IPPROTO_RAW: header included) */
};

/* 0, or -errno when no IPv4 raw socket could be opened (not root). */
int reject_open(struct reject_sock *s);
void reject_close(struct reject_sock *s);
/* Builds and sends both answers; returns how many were sent. */
unsigned reject_send(struct reject_sock *s, const uint8_t *pkt, size_t len);

#endif
