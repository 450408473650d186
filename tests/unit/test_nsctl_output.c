/* SPDX-License-Identifier: BSD-3-Clause */
/* test_nsctl_output.c: nsctl's tables and JSON writer (tools/nsctl/output.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void
cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static const char *
cap_text(struct capture *c)
{
	fflush(c->f);
	return c->buf;
}

static void
cap_close(struct capture *c)
{
	fclose(c->f);
	free(c->buf);
}

static void
test_table_alignment(void **state)
{
	struct out_table *t = out_table_new(3);
	struct capture c;

	(void)state;
	assert_non_null(t);
	out_table_col(t, 0, "ID", OUT_RIGHT);
	out_table_col(t, 1, "NAME", OUT_LEFT);
	out_table_col(t, 2, "STATE", OUT_LEFT);
	assert_int_equal(out_table_row(t), 0);
	out_table_cell(t, 0, "%u", 0);
	out_table_cell(t, 1, "%s", "net_tap0");
	out_table_cell(t, 2, "%s", "started");
	assert_int_equal(out_table_row(t), 0);
	out_table_cell(t, 0, "%u", 12);
	out_table_cell(t, 1, "%s", "p1");
	/* cell 2 left empty */
	assert_int_equal(out_table_rows(t), 2);
	cap_open(&c);
	out_table_print(t, c.f);
	/* Numbers right-aligned, text left-aligned, 2 spaces apart, no trailing blanks. */
	assert_string_equal(cap_text(&c),
			    "ID  NAME      STATE\n"
			    " 0  net_tap0  started\n"
			    "12  p1\n");
	cap_close(&c);
	out_table_free(t);
}

static void
test_table_no_header_utf8(void **state)
{
	struct out_table *t = out_table_new(2);
	struct capture c;

	(void)state;
	out_table_col(t, 1, NULL, OUT_RIGHT);
	out_table_row(t);
	out_table_cell(t, 0, "d\xc3\xa9j\xc3\xa0");  /* 4 characters, 6 bytes */
	out_table_cell(t, 1, "1");
	out_table_row(t);
	out_table_cell(t, 0, "abcde");
	out_table_cell(t, 1, "100");
	assert_int_equal(out_table_cell(t, 5, "x"), -22);
	cap_open(&c);
	out_table_print(t, c.f);
	assert_string_equal(cap_text(&c),
			    "d\xc3\xa9j\xc3\xa0     1\n"
			    "abcde  100\n");
	cap_close(&c);
	out_table_free(t);
}

static void
test_json_escape(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c);
	out_json_escape(c.f, "a\"b\\c\nd\te\x01" "f\x7f");
	assert_string_equal(cap_text(&c), "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"");
	cap_close(&c);

	/* Valid UTF-8 passes through; invalid bytes become U+FFFD. */
	cap_open(&c);
	out_json_escape(c.f, "\xc3\xa9|\xff|\xc0\xaf|\xed\xa0\x80|\xf0\x9f\x98\x80|\xe2\x82");
	assert_string_equal(cap_text(&c),
			    "\"\xc3\xa9|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
			    "\xf0\x9f\x98\x80|\\ufffd\\ufffd\"");
	cap_close(&c);
}

static void
test_json_structure(void **state)
{
	struct out_json j;
	struct capture c;

	(void)state;
	cap_open(&c);
	out_json_init(&j, c.f);
	out_json_arr_begin(&j);
	out_json_obj_begin(&j);
	out_json_ku64(&j, "id", 0);
	out_json_kstr(&j, "name", "net_tap0");
	out_json_kbool(&j, "rss", false);
	out_json_key(&j, "drops");
	out_json_obj_begin(&j);
	out_json_ku64(&j, "not_for_us", UINT64_MAX);
	out_json_obj_end(&j);
	out_json_obj_end(&j);
	out_json_obj_begin(&j);
	out_json_key(&j, "x");
	out_json_null(&j);
	out_json_obj_end(&j);
	out_json_arr_begin(&j);
	out_json_arr_end(&j);
	out_json_arr_end(&j);
	out_json_end_doc(&j);
	/* A second document starts afresh (batch mode: one per command). */
	out_json_obj_begin(&j);
	out_json_obj_end(&j);
	out_json_end_doc(&j);
	assert_string_equal(cap_text(&c),
			    "[{\"id\":0,\"name\":\"net_tap0\",\"rss\":false,"
			    "\"drops\":{\"not_for_us\":18446744073709551615}},"
			    "{\"x\":null},[]]\n{}\n");
	cap_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_alignment),
		cmocka_unit_test(test_table_no_header_utf8),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
