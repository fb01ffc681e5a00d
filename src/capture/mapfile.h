/* SPDX-License-Identifier: MIT
 * mapfile.h — a capture file as a stdio stream over a read-only memory mapping, for libpcap.
 *
 * libpcap reads a file through stdio: 4 KiB read(2) calls into the stream's buffer, then a
 * copy into its own. A mapping lets the stream's buffer be filled straight from the page
 * cache by a user-space memcpy, with no system call per buffer. libpcap parses the file
 * (pcapng, and pcap variants botwatch does not read itself) from the stream; a classic pcap
 * file is read by capture/pcap_file.c in large pread(2) pieces on mapfile_fd.
 *
 * A mapped file that shrinks while it is read (truncated or rotated by another program)
 * would raise SIGBUS on the vanished pages; the stream catches that and reports a read
 * error instead, so the caller ends the file as it would a truncated one. */
#ifndef BW_MAPFILE_H
#define BW_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Opens path for reading: mapped when it is a non-empty regular file and the mapping
 * succeeds, otherwise an ordinary stream. NULL with errno set when the
 * file cannot be opened. *mapped tells which (may be NULL). */
FILE *mapfile_open(const char *path, bool *mapped);

/* The file descriptor under fp (the mapped stream's file, or fileno of a plain stream; -1
 * for other streams): for a reader that reads the file itself (pread: the stream's position
 * is not moved). It stays open until fp is closed. */
int mapfile_fd(FILE *fp);

/* True when a mapped stream hit pages that vanished (the file shrank) since the last
 * mapfile_open. */
bool mapfile_shrank(void);

#endif
