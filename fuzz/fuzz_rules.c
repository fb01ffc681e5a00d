/* SPDX-License-Identifier: MIT
 * fuzz_rules.c — libFuzzer target for the rule parser and the payload matcher: the input
 * is rule text (lines); every rule that loads is then matched against a fixed HTTP-like
 * payload, with and without a stream tail, and against the input itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct rules rs;
    rules_init(&rs, NULL);
    char *save = NULL;
    unsigned no = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        rules_parse_line(&rs, line, "fuzz.rules", ++no);
    static const char pay[] = "GET /a%41?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\n\r\nbody";
    for (uint32_t i = 0; i < rs.nrule; i++) {
        rules_match_payload(rs.rule[i], (const uint8_t *)pay, sizeof pay - 1, 0);
        rules_match_payload(rs.rule[i], (const uint8_t *)pay, sizeof pay - 1, 7);
        rules_match_payload(rs.rule[i], data, size, 0);
    }
    rules_free(&rs);
    free(text);
    return 0;
}
