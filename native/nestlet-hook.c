/* nestlet-hook: the OCI hook. Reads the container state from stdin, sends it
 * with the stage to nestletd, waits for the answer, exits 0 or 1.
 *
 *   nestlet-hook [--socket PATH] [--timeout SECONDS] STAGE
 *
 * The socket defaults to $NESTLET_SOCKET, then /run/nestlet/nestlet.sock. */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATE (1024 * 1024)

static int usage(void)
{
	fprintf(stderr, "usage: nestlet-hook [--socket PATH] [--timeout SECONDS] STAGE < state.json\n");
	return 2;
}

/* Stage names are plain words; anything else is a configuration mistake. */
static int valid_stage(const char *s)
{
	if (!*s || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

static int run(const char *socket_flag, const char *timeout_flag, const char *stage, nl_error *err)
{
	static const char head[] = "{\"v\":1,\"op\":\"hook\",\"stage\":\"%s\",\"state\":";
	char resp[NL_MAX_RESPONSE];
	char *state, *req;
	size_t len, i, n;
	int timeout, rc;
	if (nl_timeout_ms(timeout_flag, NL_DEFAULT_TIMEOUT_MS, err, &timeout) < 0)
		return -1;
	if (nl_read_all(0, MAX_STATE, &state, &len, err) < 0)
		return nl_fail(err, "state on stdin: %s", err->msg);
	/* The state is forwarded as is, but must fit on one line: raw newlines
	 * are only legal between JSON tokens, where a space means the same. */
	for (i = 0; i < len; i++)
		if (state[i] == '\n' || state[i] == '\r')
			state[i] = ' ';
	req = malloc(len + sizeof(head) + 64);
	if (!req) {
		free(state);
		return nl_fail(err, "out of memory");
	}
	n = (size_t)sprintf(req, head, stage);
	if (len == 0) {
		memcpy(req + n, "null", 4);
		n += 4;
	} else {
		memcpy(req + n, state, len);
		n += len;
	}
	req[n++] = '}';
	req[n++] = '\n';
	free(state);
	rc = nl_call(nl_socket_path(socket_flag), req, n, timeout, resp, sizeof(resp), err);
	free(req);
	return rc;
}

int main(int argc, char **argv)
{
	const char *socket_flag = NULL, *timeout_flag = NULL, *stage = NULL;
	nl_error err = {{0}};
	int i;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			socket_flag = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout_flag = argv[++i];
		else if (argv[i][0] == '-')
			return usage();
		else if (!stage)
			stage = argv[i];
		else
			return usage();
	}
	if (!stage || !valid_stage(stage))
		return usage();
	if (run(socket_flag, timeout_flag, stage, &err) < 0) {
		fprintf(stderr, "nestlet-hook %s: %s\n", stage, err.msg);
		return 1;
	}
	return 0;
}
