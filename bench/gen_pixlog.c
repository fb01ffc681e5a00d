/* SPDX-License-Identifier: MIT
 * gen_pixlog.c — writes a synthetic Cisco ASA syslog for the `botwatch logs` benchmark
 * (bench/README.md): TCP and UDP connections built and torn down (302013-302016, the
 * teardown a few hundred lines after its built record), ACL hits (106100), denies (106023)
 * and translations (305011/305012), from 1024 inside hosts (the detectors keep about 224 KB of per-day SMTP state for each host that sends mail, so 4096 such hosts would pass their default 256 MB cap) to random outside ones, with
 * year-less RFC 3164 times advancing about 20 lines a second. Deterministic for a seed.
 * Usage: gen_pixlog [-n LINES] [-S SEED] [-o FILE] */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPEN_MAX = 512 };

struct open { uint32_t id, in, out; uint16_t sport, dport; uint8_t udp; uint64_t start; };

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

static void ip_out(uint32_t a, char *b)
{
    sprintf(b, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
}

int main(int argc, char **argv)
{
    uint64_t lines = 5000000, seed = 1;
    const char *out = NULL;
    int c;
    while ((c = getopt(argc, argv, "n:S:o:")) != -1) {
        switch (c) {
        case 'n': lines = strtoull(optarg, NULL, 10); break;
        case 'S': seed = strtoull(optarg, NULL, 10); break;
        case 'o': out = optarg; break;
        default:
            fprintf(stderr, "usage: gen_pixlog [-n LINES] [-S SEED] [-o FILE]\n");
            return 2;
        }
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    rng_state = seed * 2654435761u + 1;
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec" };
    static const uint16_t ports[] = { 80, 443, 25, 53, 1182, 8080, 22, 110 };
    struct open open[OPEN_MAX];
    unsigned nopen = 0;
    uint32_t next_id = 100000000;
    uint64_t t = 0;                             /* seconds since Mar 1 00:00 */
    for (uint64_t n = 0; n < lines; n++) {
        if (rnd() % 20 == 0)
            t++;
        uint64_t day = t / 86400, s = t % 86400;
        char head[64], a[20], b[20];
        snprintf(head, sizeof head, "%s %2u %02u:%02u:%02u fw-01 ", mon[2 + day / 31 % 10],
                 (unsigned)(day % 31 + 1), (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
                 (unsigned)(s % 60));
        unsigned kind = rnd() % 100;
        if (kind < 80 && (nopen == OPEN_MAX || (kind < 40 && nopen > 0))) {
            /* a teardown of a random open connection */
            unsigned i = rnd() % nopen;
            struct open o = open[i];
            open[i] = open[--nopen];
            ip_out(o.out, a);
            ip_out(0x0a010000u | o.in, b);
            uint64_t d = t - o.start;
            static const char *const why[] = { "TCP FINs", "TCP FINs", "TCP FINs", "SYN Timeout",
                                               "TCP Reset-I", "TCP Reset-O" };
            if (o.udp)
                fprintf(f, "%s%%ASA-6-302016: Teardown UDP connection %u for outside:%s/%u to "
                        "inside:%s/%u duration %u:%02u:%02u bytes %u\n", head, o.id, a, o.dport, b,
                        o.sport, (unsigned)(d / 3600), (unsigned)(d / 60 % 60),
                        (unsigned)(d % 60), rnd() % 5000);
            else
                fprintf(f, "%s%%ASA-6-302014: Teardown TCP connection %u for outside:%s/%u to "
                        "inside:%s/%u duration %u:%02u:%02u bytes %u %s\n", head, o.id, a,
                        o.dport, b, o.sport, (unsigned)(d / 3600), (unsigned)(d / 60 % 60),
                        (unsigned)(d % 60), rnd() % 100000, why[rnd() % 6]);
        } else if (kind < 80) {
            struct open o = { .id = next_id++, .in = rnd() % 1024, .out = rnd() | 0x01000000u,
                              .sport = (uint16_t)(1024 + rnd() % 60000),
                              .dport = ports[rnd() % 8], .udp = rnd() % 8 == 0, .start = t };
            if (o.udp)
                o.dport = 53;
            open[nopen++] = o;
            ip_out(o.out, a);
            ip_out(0x0a010000u | o.in, b);
            fprintf(f, "%s%%ASA-6-%s: Built outbound %s connection %u for outside:%s/%u "
                    "(%s/%u) to inside:%s/%u (192.0.2.1/%u)\n", head, o.udp ? "302015" : "302013",
                    o.udp ? "UDP" : "TCP", o.id, a, o.dport, a, o.dport, b, o.sport, o.sport);
        } else if (kind < 90) {
            ip_out(0x0a010000u | (rnd() % 1024), a);
            ip_out(rnd() | 0x01000000u, b);
            fprintf(f, "%s%%ASA-5-106100: access-list acl_in %s tcp inside/%s(%u) -> "
                    "outside/%s(%u) hit-cnt 1 first hit [0x71a87d94, 0x0]\n", head,
                    rnd() % 4 ? "permitted" : "denied", a, 1024 + rnd() % 60000, b,
                    ports[rnd() % 8]);
        } else if (kind < 95) {
            ip_out(rnd() | 0x01000000u, a);
            ip_out(0x0a010000u | (rnd() % 1024), b);
            fprintf(f, "%s%%ASA-4-106023: Deny tcp src outside:%s/%u dst inside:%s/%u by "
                    "access-group \"outside_in\" [0x0, 0x0]\n", head, a, 1024 + rnd() % 60000, b,
                    ports[rnd() % 8]);
        } else {
            ip_out(0x0a010000u | (rnd() % 1024), a);
            unsigned p = 1024 + rnd() % 60000;
            if (kind < 98)
                fprintf(f, "%s%%ASA-6-305011: Built dynamic TCP translation from inside:%s/%u to "
                        "outside:192.0.2.1/%u\n", head, a, p, p);
            else
                fprintf(f, "%s%%ASA-6-305012: Teardown dynamic TCP translation from inside:%s/%u "
                        "to outside:192.0.2.1/%u duration 0:%02u:%02u\n", head, a, p, p,
                        rnd() % 60, rnd() % 60);
        }
    }
    if (fflush(f) != 0 || (out && fclose(f) != 0)) {
        perror(out ? out : "stdout");
        return 1;
    }
    return 0;
}
