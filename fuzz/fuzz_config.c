/* SPDX-License-Identifier: MIT
 * fuzz_config.c — libFuzzer target for the detectors' YAML configuration (detect/config.c
 * over libyaml): any bytes give BW_OK or an error message, never a crash or a leak. */
#include "detect/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct detect_config c;
    struct bw_diag d = { .msg = "" };
    detect_config_default(&c);
    if (detect_config_parse(&c, data, size, "fuzz", &d) == BW_OK) {
        struct detect *det = detect_new(&c);      /* a config that loads must be usable */
        if (det)
            detect_free(det);
    }
    return 0;
}
