/* SPDX-License-Identifier: MIT
 * fuzz_logs.c — libFuzzer target for the whole `botwatch logs` driver (src/logs/logs.c): the
 * input is written to an in-memory file (memfd) and read as a log with --report, --eve and
 * --dump-records on, a connection table of 8 entries (so eviction runs) and the detectors
 * behind it; pairing, orphan teardowns, translations, netfilter UDP flows and the report all
 * see fuzzed records. The run's own messages on stderr are sent to /dev/null unless
 * BW_FUZZ_STDERR is set (set it to read a sanitizer report when replaying a crash). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("bw-fuzz-logs", 0);
    if (fd < 0)
        return 0;
    bool ok = write(fd, data, size) == (ssize_t)size;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    FILE *null = fopen("/dev/null", "w");
    if (ok && null) {
        struct logs_config cfg;
        logs_config_default(&cfg);
        cfg.year = 2003;
        cfg.quiet = true;
        cfg.conn_max = 8;
        cfg.report = null;
        cfg.dump = null;
        cfg.eve_path = "/dev/null";
        char *files[] = { path };
        int saved = -1;
        if (!getenv("BW_FUZZ_STDERR")) {
            saved = dup(STDERR_FILENO);
            dup2(fileno(null), STDERR_FILENO);
        }
        (void)logs_main(&cfg, files, 1);
        if (saved >= 0) {
            dup2(saved, STDERR_FILENO);
            close(saved);
        }
    }
    if (null)
        fclose(null);
    close(fd);
    return 0;
}
