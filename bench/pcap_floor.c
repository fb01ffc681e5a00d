/*
 * pcap_floor — the bare libpcap read loop botwatch's throughput is measured against
 * (bench/README.md).  Opens FILE with pcap_open_offline, reads every packet with pcap_next_ex,
 * and touches the data (sums caplen, XORs the first byte of each packet) so the compiler
 * cannot drop the read.  Prints one line: packets, bytes, checksum.
 *
 *   pcap_floor [-m] FILE
 *
 * -m opens the file as botwatch does (src/capture/mapfile.c: a stdio stream over a memory
 * mapping, handed to pcap_fopen_offline), to show what that reading costs on its own.
 */
#include <pcap/pcap.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/mapfile.h"

int main(int argc, char **argv)
{
    int mapped = argc == 3 && strcmp(argv[1], "-m") == 0;
    if (argc != 2 + mapped) {
        fprintf(stderr, "usage: pcap_floor [-m] FILE\n");
        return 2;
    }
    const char *path = argv[1 + mapped];
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p;
    if (mapped) {
        FILE *fp = mapfile_open(path, NULL);
        p = fp ? pcap_fopen_offline(fp, err) : NULL;
        if (!fp)
            snprintf(err, sizeof err, "%s: cannot open", path);
        else if (!p)
            fclose(fp);
    } else {
        p = pcap_open_offline(path, err);
    }
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
