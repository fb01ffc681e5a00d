/*
 * pcap_floor — the bare libpcap read loop botwatch's throughput is measured against
 * (bench/README.md).  Opens FILE with pcap_open_offline, reads every packet with pcap_next_ex,
 * and touches the data (sums caplen, XORs the first byte of each packet) so the compiler
 * cannot drop the read.  Prints one line: packets, bytes, checksum.
 *
 *   pcap_floor FILE
 */
#include <pcap/pcap.h>

#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_floor FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcap_floor: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t pkts = 0, bytes = 0;
    unsigned x = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        pkts++;
        bytes += h->caplen;
        if (h->caplen) x ^= data[0];
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("pcap_floor: %llu packets, %llu bytes, x=%02x\n", (unsigned long long)pkts,
           (unsigned long long)bytes, x);
    return 0;
}
