/* SPDX-License-Identifier: MIT
 * signals.c — see signals.h. */
#include "capture/signals.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

static volatile sig_atomic_t stop_flag, reload_flag;
static void (*wake_fn)(void *ctx);
static void *wake_ctx;

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        reload_flag = 1;
        return;
    }
    stop_flag = 1;
    if (wake_fn)
        wake_fn(wake_ctx);
}

void signals_install(void (*wake)(void *ctx), void *ctx)
{
    wake_fn = wake;
    wake_ctx = ctx;
    stop_flag = reload_flag = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;                 /* no SA_RESTART: blocking reads return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void signals_restore(void)
{
    wake_fn = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

bool signals_stop_requested(void)
{
    return stop_flag != 0;
}

bool signals_take_reload(void)
{
    if (!reload_flag)
        return false;
    reload_flag = 0;
    return true;
}
