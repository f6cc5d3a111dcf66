/* Unit tests of nestletctl's parsing (ctl.c) and of json.c and answer.c: `make -C native
 * test`, and `mvn test` (harness: check.h). */
#define _GNU_SOURCE
#include "../ctl.h"
#include "../json.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_skip_valid(void)
{
	static const char *const ok[] = {
	    "0", "-1", "12.5e-3", "1E+2", "true", "false", "null", "\"\"", "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"",
	    "[]", "[ 1 , 2 ]", "{}", "{ \"a\" : [ { } , null ] , \"b\":\"x\" }", "  \"lead\"",
	};
	size_t i;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *end = nl_json_skip(ok[i]);
		expect(end && *end == '\0', __FILE__, __LINE__, "nl_json_skip(%s) stops at the end", ok[i]);
	}
	EXPECT_STR(nl_json_skip("{\"a\":1} tail"), " tail");
	EXPECT_STR(nl_json_skip("[1,2],3"), ",3");
}

static void test_skip_invalid(void)
{
	static const char *const bad[] = {
	    "", " ", "{", "[1,", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[,]", "tru", "nul",
	    "-", "1.", "01x" /* 0, then junk: only the 0 is a value */, "\"open", "\"bad \\x escape\"",
	    "\"\\u12g4\"", "\"raw\ncontrol\"", "+1", "'single'",
	};
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *end = nl_json_skip(bad[i]);
		expect(!end || *end != '\0', __FILE__, __LINE__, "nl_json_skip(%s) refuses it", bad[i]);
	}
}

static void test_skip_depth(void)
{
	char deep[2 * NL_JSON_MAX_DEPTH + 8];
	int i;
	for (i = 0; i < NL_JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[NL_JSON_MAX_DEPTH + i] = ']';
	}
	deep[2 * NL_JSON_MAX_DEPTH] = '\0';
	EXPECT(nl_json_skip(deep) != NULL);
	memmove(deep + 1, deep, strlen(deep) + 1);
	deep[0] = '[';
	strcat(deep, "]");
	EXPECT(nl_json_skip(deep) == NULL);
}

static void test_member(void)
{
	const char *json = "{\"ok\":true,\"result\":{\"text\":\"hi\",\"x\":[{\"text\":1}]},\"a b\":null}";
	const char *v = NULL;
	nl_error err = {{0}};
	EXPECT_INT(nl_json_member(json, "ok", &v, &err), 0);
	EXPECT_INT(strncmp(v, "true,", 5), 0);
	EXPECT_INT(nl_json_member(json, "result", &v, &err), 0);
	EXPECT_INT(strncmp(v, "{\"text\":\"hi\"", 12), 0);
	EXPECT_INT(nl_json_member(v, "text", &v, &err), 0);
	EXPECT_INT(strncmp(v, "\"hi\"", 4), 0);
	EXPECT_INT(nl_json_member(json, "a b", &v, &err), 0);
	EXPECT_STR(v, "null}");
	EXPECT_INT(nl_json_member(" { \"k\" : 7 } ", "k", &v, &err), 0);
	EXPECT_INT(strncmp(v, "7 }", 3), 0);
	EXPECT_INT(nl_json_member(json, "text", &v, &err), -1); /* only the object's own members */
	EXPECT_STR(err.msg, "no \"text\" in {\"ok\":true,\"result\":{\"text\":\"hi\",\"x\":[{\"text\":1}]},\"a b\":null}");
	EXPECT_INT(nl_json_member(json, "o", &v, &err), -1); /* a prefix of a key is not the key */
	EXPECT_INT(nl_json_member("[1]", "k", &v, &err), -1);
	EXPECT_STR(err.msg, "not a JSON object: [1]");
	EXPECT_INT(nl_json_member("{\"k\":1", "k", &v, &err), -1);
	EXPECT_INT(nl_json_member("{}", "k", &v, &err), -1);
}

static void test_string(void)
{
	char *out = NULL;
	size_t len = 0;
	nl_error err = {{0}};
	EXPECT_INT(nl_json_string("\"plain\"", &out, &len, &err), 0);
	EXPECT_STR(out, "plain");
	EXPECT_INT(len, 5);
	free(out);
	EXPECT_INT(nl_json_string(" \"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\"", &out, &len, &err), 0);
	EXPECT_STR(out, "a\"b\\c/d\n\t\r\b\f");
	free(out);
	EXPECT_INT(nl_json_string("\"\\u00e9\\u20ac\\u0041 raw \xc3\xa9\"", &out, &len, &err), 0);
	EXPECT_STR(out, "\xc3\xa9\xe2\x82\xac" "A raw \xc3\xa9");
	free(out);
	EXPECT_INT(nl_json_string("\"\\ud83d\\ude00!\"", &out, &len, &err), 0); /* a surrogate pair: U+1F600 */
	EXPECT_STR(out, "\xf0\x9f\x98\x80!");
	free(out);
	EXPECT_INT(nl_json_string("\"\\ud83d x \\ude00\"", &out, &len, &err), 0); /* lone surrogates */
	EXPECT_STR(out, "? x ?");
	free(out);
	EXPECT_INT(nl_json_string("\"a\\u0000b\"", &out, &len, &err), 0);
	EXPECT_INT(len, 3);
	EXPECT_INT(memcmp(out, "a\0b", 4), 0);
	free(out);
	EXPECT_INT(nl_json_string("\"\"", &out, &len, &err), 0);
	EXPECT_INT(len, 0);
	free(out);
	out = NULL;
	EXPECT_INT(nl_json_string("17", &out, &len, &err), -1);
	EXPECT_STR(err.msg, "not a JSON string: 17");
	EXPECT_INT(nl_json_string("\"open", &out, &len, &err), -1);
	EXPECT(out == NULL);
}

/* nl_ctl_parse of a command line given as one string of words. */
static int parse(const char *line, nl_ctl_cmd *cmd)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;
	char *w;
	snprintf(buf, sizeof(buf), "nestletctl %s", line);
	for (w = strtok(buf, " "); w && argc < 31; w = strtok(NULL, " "))
		argv[argc++] = strcmp(w, "''") == 0 ? w + 2 : w; /* '' stands for an empty argument */
	argv[argc] = NULL;
	return nl_ctl_parse(argc, argv, cmd);
}

static void test_parse_native(void)
{
	nl_ctl_cmd c;
	EXPECT_INT(parse("status", &c), 1);
	EXPECT_STR(c.op, "status");
	EXPECT(c.socket == NULL && c.id == NULL && c.json == 0);
	EXPECT_INT(parse("--socket /s ps -o json", &c), 1);
	EXPECT_STR(c.op, "ps");
	EXPECT_STR(c.socket, "/s");
	EXPECT_INT(c.json, 1);
	EXPECT_INT(parse("-o text inspect c1 --socket=/x.sock", &c), 1);
	EXPECT_STR(c.op, "inspect");
	EXPECT_STR(c.id, "c1");
	EXPECT_STR(c.socket, "/x.sock");
	EXPECT_INT(c.json, 0);
	EXPECT_INT(parse("allocations --output=json", &c), 1);
	EXPECT_INT(c.json, 1);
	EXPECT_INT(parse("version --output text", &c), 1);
	EXPECT_INT(c.json, 0);
	EXPECT_INT(parse("metrics", &c), 1);
	EXPECT_INT(parse("inspect ps", &c), 1); /* inspect's ID, whatever it is called */
	EXPECT_STR(c.id, "ps");
}

static void test_parse_java(void)
{
	static const char *const java[] = {
	    "", "config validate /f", "--help", "-h", "status --help", "-V", "--version", "bogus", "inspect",
	    "inspect a b", "ps extra", "status -o yaml", "status -o", "status --socket", "status --socket ''",
	    "status --socket=", "status --socket -o", "status -o json -o text", "status --socket /a --socket=/b",
	    "status -ojson", "status -o=json", "status --sock /s", "status --socketx /s", "-- status", "ps -",
	};
	size_t i;
	for (i = 0; i < sizeof(java) / sizeof(java[0]); i++) {
		nl_ctl_cmd c;
		expect(parse(java[i], &c) == 0, __FILE__, __LINE__, "'nestletctl %s' goes to the Java CLI", java[i]);
	}
}

static void test_request(void)
{
	nl_ctl_cmd c = {.op = "status"};
	nl_error err = {{0}};
	char *line;
	size_t len;
	EXPECT_INT(nl_ctl_request(&c, &line, &len, &err), 0);
	EXPECT_STR(line, "{\"v\":1,\"op\":\"status\",\"output\":\"text\"}\n");
	EXPECT_INT(len, strlen(line));
	free(line);
	c.op = "inspect";
	c.id = "a\"b\\c\n";
	c.json = 1;
	EXPECT_INT(nl_ctl_request(&c, &line, &len, &err), 0);
	EXPECT_STR(line, "{\"v\":1,\"op\":\"inspect\",\"output\":\"json\",\"id\":\"a\\\"b\\\\c\\u000a\"}\n");
	EXPECT(nl_json_skip(line) != NULL && strcmp(nl_json_skip(line), "\n") == 0);
	free(line);
	{
		/* The worst case: every byte of a long id escaped to six. */
		char id[300];
		memset(id, '\x01', sizeof(id) - 1);
		id[sizeof(id) - 1] = '\0';
		c.id = id;
		EXPECT_INT(nl_ctl_request(&c, &line, &len, &err), 0);
		EXPECT_INT(len, strlen("{\"v\":1,\"op\":\"inspect\",\"output\":\"json\",\"id\":\"\"}\n") + 6 * 299);
		free(line);
	}
}

static void test_answer(void)
{
	nl_answer a;
	nl_error err = {{0}};
	EXPECT_INT(nl_answer_of("{\"ok\":true,\"result\":{\"text\":\"line 1\\nline 2\\n\"}}", &a, &err), 0);
	EXPECT_INT(a.ok, 1);
	EXPECT_STR(a.text, "line 1\nline 2\n");
	EXPECT_INT(a.len, 14);
	nl_answer_free(&a);
	EXPECT_INT(nl_answer_of("{\"ok\":true,\"result\":{}}", &a, &err), 0); /* nothing to print */
	EXPECT_STR(a.text, "");
	nl_answer_free(&a);
	EXPECT_INT(nl_answer_of("{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no container "
				    "with id 'x\\u00e9'\"}}",
				    &a, &err),
		   0);
	EXPECT_INT(a.ok, 0);
	EXPECT_STR(a.code, "not_found");
	EXPECT_STR(a.message, "no container with id 'x\xc3\xa9'");
	nl_answer_free(&a);
	EXPECT_INT(nl_answer_of("{\"ok\":false,\"error\":{}}", &a, &err), 0); /* as Jackson's defaults */
	EXPECT_STR(a.code, "unknown");
	EXPECT_STR(a.message, "");
	nl_answer_free(&a);
	EXPECT_INT(nl_answer_of("{\"ok\":false}", &a, &err), 0);
	EXPECT_STR(a.code, "unknown");
	nl_answer_free(&a);
	EXPECT_INT(nl_answer_of("not json", &a, &err), -1);
	EXPECT_STR(err.msg, "unexpected answer from nestletd: not json");
	EXPECT_INT(nl_answer_of("{\"result\":{}}", &a, &err), -1);
	EXPECT_INT(nl_answer_of("{\"ok\":true,\"result\":{\"text\":\"cut", &a, &err), -1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("json.c, answer.c and ctl.c unit tests\n");
	run("nl_json_skip passes every kind of value", test_skip_valid);
	run("nl_json_skip refuses what is not JSON", test_skip_invalid);
	run("nl_json_skip refuses nesting deeper than its limit", test_skip_depth);
	run("nl_json_member finds an object's own member", test_member);
	run("nl_json_string decodes escapes and \\u to UTF-8", test_string);
	run("nl_ctl_parse takes the read-only commands and their options", test_parse_native);
	run("nl_ctl_parse leaves everything else to the Java CLI", test_parse_java);
	run("nl_ctl_request: the request line, the id escaped", test_request);
	run("nl_answer_of: the text to print, or the error", test_answer);
	return summary("json.c, answer.c and ctl.c");
}
