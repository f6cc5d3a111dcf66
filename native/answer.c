#include "answer.h"

#include "json.h"

#include <stdlib.h>
#include <string.h>

/* The string member `key` of the object at json, decoded; `fallback` when
 * there is none or it is not a string (as Jackson's asText(default)). */
static int string_or(const char *json, const char *key, const char *fallback, char **out, size_t *len,
		     nl_error *err)
{
	const char *v;
	nl_error ignored;
	if (json && nl_json_member(json, key, &v, &ignored) == 0 && *v == '"')
		return nl_json_string(v, out, len, err);
	*out = strdup(fallback);
	if (!*out)
		return nl_fail(err, "out of memory");
	*len = strlen(fallback);
	return 0;
}

int nl_answer_of(const char *line, nl_answer *answer, nl_error *err)
{
	const char *ok, *inner = NULL;
	nl_error ignored;
	size_t len;
	memset(answer, 0, sizeof(*answer));
	if (nl_json_member(line, "ok", &ok, err) < 0)
		return nl_fail(err, "unexpected answer from nestletd: %.200s", line);
	answer->ok = strncmp(ok, "true", 4) == 0;
	if (nl_json_member(line, answer->ok ? "result" : "error", &inner, &ignored) < 0 || *inner != '{')
		inner = NULL;
	if (answer->ok)
		return string_or(inner, "text", "", &answer->text, &answer->len, err);
	if (string_or(inner, "code", "unknown", &answer->code, &len, err) < 0)
		return -1;
	if (string_or(inner, "message", "", &answer->message, &len, err) < 0) {
		nl_answer_free(answer);
		return -1;
	}
	return 0;
}

void nl_answer_free(nl_answer *answer)
{
	free(answer->text);
	free(answer->code);
	free(answer->message);
	memset(answer, 0, sizeof(*answer));
}
