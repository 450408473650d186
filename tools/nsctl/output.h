/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output.h: how nsctl shows results: aligned text tables for people and a
 * streaming JSON writer for programs. Neither knows about the protocol.
 *
 * Thread-safety: none needed; nsctl is single-threaded. Each table and
 * JSON writer is used by one caller at a time.
 */
#ifndef NSCTL_OUTPUT_H
#define NSCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Table: columns declared first, then rows of cells; printed with every
 * column as wide as its widest cell, text left-aligned, numbers
 * right-aligned, two spaces between columns, no trailing blanks.
 */
enum out_align { OUT_LEFT, OUT_RIGHT };

struct out_table;

/** A table with @ncols columns, headers given by out_table_col(). NULL + errno on ENOMEM. */
struct out_table *out_table_new(unsigned ncols);
/** Name and alignment of column @col; @header NULL = no header line at all. */
void out_table_col(struct out_table *t, unsigned col, const char *header, enum out_align align);
/** Start a new row; its cells are empty until set. 0 or -ENOMEM. */
int out_table_row(struct out_table *t);
/** Set cell @col of the current row (printf-style). 0 or -ENOMEM/-EINVAL. */
int out_table_cell(struct out_table *t, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned out_table_rows(const struct out_table *t);
/** Print the header (if any column has one) and the rows. */
void out_table_print(const struct out_table *t, FILE *f);
void out_table_free(struct out_table *t);

/*
 * JSON writer: emits one value (usually an object or array) as it is built;
 * commas and nesting are tracked, strings are escaped per RFC 8259 (quote,
 * backslash, control characters; invalid UTF-8 becomes U+FFFD so the output
 * is always valid). out_json_end_doc() ends the document with a newline.
 */
#define OUT_JSON_DEPTH 16

struct out_json {
	FILE *f;
	int depth;
	bool first[OUT_JSON_DEPTH];  /* no value written yet at this level */
	bool after_key;              /* a key was written, its value comes next */
};

void out_json_init(struct out_json *j, FILE *f);
void out_json_obj_begin(struct out_json *j);
void out_json_obj_end(struct out_json *j);
void out_json_arr_begin(struct out_json *j);
void out_json_arr_end(struct out_json *j);
void out_json_key(struct out_json *j, const char *key);
void out_json_str(struct out_json *j, const char *s);
void out_json_u64(struct out_json *j, uint64_t v);
void out_json_bool(struct out_json *j, bool v);
void out_json_null(struct out_json *j);
void out_json_end_doc(struct out_json *j);
/* key + value shorthands */
void out_json_kstr(struct out_json *j, const char *key, const char *s);
void out_json_ku64(struct out_json *j, const char *key, uint64_t v);
void out_json_kbool(struct out_json *j, const char *key, bool v);

/** Write @s as a JSON string literal (with quotes) to @f. */
void out_json_escape(FILE *f, const char *s);

#endif
