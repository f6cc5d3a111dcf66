/* nestletd's answer line, decoded: what nestletctl prints and what the hook
 * and the runtime shim report when nestletd refuses. Same error convention
 * as client.h. */
#ifndef NESTLET_ANSWER_H
#define NESTLET_ANSWER_H

#include "client.h"

#include <stddef.h>

typedef struct nl_answer {
	int ok;
	char *text; /* ok: what to print (result.text), else NULL */
	size_t len; /* its bytes */
	char *code; /* not ok: error.code ("unknown" if none), else NULL */
	char *message; /* not ok: error.message ("" if none), else NULL */
} nl_answer;

/* Decodes an answer line. Returns -1 when it is not an answer nestletd gives. */
int nl_answer_of(const char *line, nl_answer *answer, nl_error *err);

void nl_answer_free(nl_answer *answer);

#endif
