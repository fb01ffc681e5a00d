/* SPDX-License-Identifier: MIT
 * fuzz_capture.c — libFuzzer target for the capture file reader (src/capture/pcap_file.c):
 * the input is a capture file, written to an in-memory file (memfd) and read as botwatch scan
 * reads a path: mapped, and a classic pcap walked record by record by botwatch's own reader
 * (libpcap checks the header first; pcapng and the rest go through libpcap). Half the inputs
 * also get a BPF filter. Any bytes give packets or a one-line error, never a read outside the
 * mapping. Seeds: fuzz/seeds/fuzz_capture/ (small fixtures and damaged copies); the
 * differential check of the two readers is tests/conformance/readers.py. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/pcap_file.h"
#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("bw-fuzz-capture", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    static struct engine e;
    struct engine_config cfg;
    engine_config_default(&cfg);
    cfg.no_app = size & 1;                   /* both with and without the protocol layer */
    cfg.flow.memcap = 64 * sizeof(struct flow);
    cfg.stream.memcap = 64 << 10;
    struct bw_diag d = { .msg = "" };
    if (engine_init(&e, &cfg, &d) != BW_OK)
        abort();
    struct capture_opts o = { .bpf = size % 4 >= 2 ? "tcp or udp port 53" : NULL };
    capture_file(&e, path, &o, &d);
    engine_finish(&e, &d);
    close(fd);
    return 0;
}
