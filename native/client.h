/* Shared client of nestletd's socket for nestlet-hook and nestlet-runtime.
 *
 * Error convention (one throughout, as in crun): a function that can fail
 * returns 0 on success and -1 on failure, after writing a one-line reason
 * into the caller's nl_error. Callers add context and pass it up; only main()
 * prints it. No policy lives here: forward a request, wait, report. */
#ifndef NESTLET_CLIENT_H
#define NESTLET_CLIENT_H

#include <stddef.h>

#define NL_DEFAULT_SOCKET "/run/nestlet/nestlet.sock"
#define NL_DEFAULT_TIMEOUT_MS 30000
#define NL_MAX_RESPONSE (64 * 1024)

typedef struct nl_error {
	char msg[1024];
} nl_error;

int nl_fail(nl_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nl_fail_errno(nl_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The socket to use: the flag if given, else $NESTLET_SOCKET, else the default. */
const char *nl_socket_path(const char *flag);

/* The timeout in ms: the flag (seconds) if given, else $NESTLET_TIMEOUT, else default_ms. */
int nl_timeout_ms(const char *flag, int default_ms, nl_error *err, int *out);

/* Reads all of fd into a malloc'd buffer of at most max bytes (error beyond). */
int nl_read_all(int fd, size_t max, char **out, size_t *len, nl_error *err);

/* Appends s to a JSON string body, escaping it; returns bytes written or -1 if it does not fit. */
int nl_json_escape(char *dst, size_t cap, const char *s);

/* Sends one request line, waits for one response line within timeout_ms, and
 * leaves it in resp without its newline. Returns 0 when a whole line came
 * back, whatever it says; -1 when nestletd could not be reached, did not
 * answer in time, hung up, or answered more than cap bytes. */
int nl_exchange(const char *socket, const char *req, size_t len, int timeout_ms, char *resp, size_t cap, nl_error *err);

/* nl_exchange, then the verdict: sends one request line, waits for one response line within timeout_ms.
 * Returns 0 when the daemon answered ok; -1 otherwise, with the daemon's
 * error code and message (or the transport failure) in err. */
int nl_call(const char *socket, const char *req, size_t len, int timeout_ms, char *resp, size_t cap, nl_error *err);

#endif
