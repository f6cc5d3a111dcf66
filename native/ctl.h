/* nestletctl's read-only commands without a JVM: what the arguments ask for,
 * the request line, and what to print from the answer. nestletd renders the
 * text (the request's "output"), so this client and the Java CLI print the
 * same bytes; anything this client does not recognise goes to the Java CLI,
 * whose messages stay the only ones for usage errors. */
#ifndef NESTLET_CTL_H
#define NESTLET_CTL_H

#include "answer.h"
#include "client.h"

#include <stddef.h>

/* nestletctl's exit statuses, as the Java CLI's (README: 1 error answer, 3 unreachable). */
#define NL_CTL_EXIT_ERROR 1
#define NL_CTL_EXIT_UNREACHABLE 3

/* Longer than nestletd's default --request-timeout (120 s), so that a slow
 * request gets nestletd's own `timeout` answer first. */
#define NL_CTL_TIMEOUT_MS (150 * 1000)

/* Answers as large as the Java CLI takes: ps of thousands of containers. */
#define NL_CTL_MAX_RESPONSE (16 << 20)

typedef struct nl_ctl_cmd {
	const char *op;     /* status, ps, inspect, allocations, version or metrics */
	const char *id;     /* inspect's ID, else NULL */
	const char *socket; /* --socket, else NULL */
	int json;           /* -o json */
} nl_ctl_cmd;

/* Reads the arguments (argv[0] is the program). Returns 1 when they are one
 * read-only command in a form this client knows (options --socket PATH,
 * --socket=PATH, -o/--output text|json, before or after the command), 0 for
 * everything else, which the Java CLI answers. */
int nl_ctl_parse(int argc, char *const argv[], nl_ctl_cmd *cmd);

/* The request line for cmd, newline-terminated, malloc'd into *line; *len its length. */
int nl_ctl_request(const nl_ctl_cmd *cmd, char **line, size_t *len, nl_error *err);


#endif
