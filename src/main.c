/* nats-server entry point (main.go): parse flags and config, then run the
 * server until it shuts down. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/const.h"
#include "server/log.h"
#include "server/opts.h"
#include "server/server.h"
#include "server/signal.h"

#define EXE "nats-server"

/* Go usage(): prints the usage text and exits 0. */
static void usage(void)
{
    printf("%s\n", opts_usage_str);
    exit(0);
}

/* Go PrintServerAndExit. */
static void print_server_and_exit(void)
{
    printf("nats-server: v%s\n", SERVER_VERSION);
    exit(0);
}

/* Go PrintTLSHelpAndDie. */
static void print_tls_help_and_die(void)
{
    opts_print_tls_help();
    exit(0);
}

/* Go PrintAndDie: the message on stderr, exit 1. */
static void print_and_die(const char *msg)
{
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

int main(int argc, char **argv)
{
    char err[8192];
    char msg[8400];
    bool signal_sent = false;
    opts_cli_callbacks cb = {print_server_and_exit, usage, print_tls_help_and_die};

    signal_block_server_signals();

    options *opts = opts_configure_options(argc - 1, argv + 1, &cb, &signal_sent, err, sizeof(err));
    if (!opts) {
        if (signal_sent) return 0;
        snprintf(msg, sizeof(msg), "%s: %s", EXE, err);
        print_and_die(msg);
    }
    if (opts->check_config) {
        fprintf(stderr, "%s: configuration file %s is valid (%s)\n", EXE, opts->config_file,
                options_config_digest(opts));
        options_free(opts);
        return 0;
    }
    if (opts_check_supported(opts, err, sizeof(err)) != 0) {
        options_free(opts);
        snprintf(msg, sizeof(msg), "%s: %s", EXE, err);
        print_and_die(msg);
    }

    server *s = server_new(opts, err, sizeof(err));
    if (!s) {
        snprintf(msg, sizeof(msg), "%s: %s", EXE, err);
        print_and_die(msg);
    }
    if (server_configure_logger(s, err, sizeof(err)) != 0) {
        server_free(s);
        print_and_die(err);
    }
    if (server_start(s, err, sizeof(err)) != 0) {
        server_free(s);
        print_and_die(err);
    }
    server_handle_signals(s);
    server_wait_for_shutdown(s);
    server_stop_signal_handler(s);
    int rc = server_log_exit_code(s);
    server_free(s);
    return rc;
}
