#include "ctl.h"

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const OPS[] = {"status", "ps", "inspect", "allocations", "version", "metrics"};

static const char *known_op(const char *word)
{
	size_t i;
	for (i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++)
		if (strcmp(word, OPS[i]) == 0)
			return OPS[i];
	return NULL;
}

/* An option's value in a form picocli reads the same way; NULL sends the
 * arguments to the Java CLI (no value, an empty one, or one that looks like
 * an option, which picocli refuses). */
static const char *option_value(int argc, char *const argv[], int *i, const char *name)
{
	size_t n = strlen(name);
	const char *v;
	if (strcmp(argv[*i], name) == 0) {
		if (*i + 1 >= argc)
			return NULL;
		v = argv[++*i];
	} else if (name[1] == '-' && strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') {
		v = argv[*i] + n + 1;
	} else {
		return NULL;
	}
	return *v && *v != '-' ? v : NULL;
}

int nl_ctl_parse(int argc, char *const argv[], nl_ctl_cmd *cmd)
{
	const char *output = NULL;
	int i, positionals = 0;
	memset(cmd, 0, sizeof(*cmd));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (strncmp(a, "--socket", 8) == 0 && (a[8] == '\0' || a[8] == '=')) {
			/* picocli refuses an option given twice: so does the Java CLI's message. */
			if (cmd->socket || !(v = option_value(argc, argv, &i, "--socket")))
				return 0;
			cmd->socket = v;
		} else if (strcmp(a, "-o") == 0 || (strncmp(a, "--output", 8) == 0 && (a[8] == '\0' || a[8] == '='))) {
			if (output || !(v = option_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output")))
				return 0;
			output = v;
		} else if (a[0] == '-') {
			return 0;
		} else if (!cmd->op) {
			if (!(cmd->op = known_op(a)))
				return 0;
		} else {
			positionals++;
			cmd->id = a;
		}
	}
	if (!cmd->op || positionals != (strcmp(cmd->op, "inspect") == 0 ? 1 : 0))
		return 0;
	if (output && strcmp(output, "json") != 0 && strcmp(output, "text") != 0)
		return 0;
	cmd->json = output && strcmp(output, "json") == 0;
	return 1;
}

int nl_ctl_request(const nl_ctl_cmd *cmd, char **line, size_t *len, nl_error *err)
{
	/* An escape takes at most 6 bytes a byte; the rest of the line is short. */
	size_t id_cap = cmd->id ? 6 * strlen(cmd->id) + 1 : 1;
	char *id = malloc(id_cap), *buf = malloc(id_cap + 128);
	int n;
	if (!id || !buf) {
		free(id);
		free(buf);
		return nl_fail(err, "out of memory");
	}
	nl_json_escape(id, id_cap, cmd->id ? cmd->id : "");
	n = snprintf(buf, id_cap + 128, "{\"v\":1,\"op\":\"%s\",\"output\":\"%s\"%s%s%s}\n", cmd->op,
		     cmd->json ? "json" : "text", cmd->id ? ",\"id\":\"" : "", id, cmd->id ? "\"" : "");
	free(id);
	*line = buf;
	*len = (size_t)n;
	return 0;
}
