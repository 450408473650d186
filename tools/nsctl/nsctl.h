/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nsctl.h: what the command files of nsctl share: the command table, the
 * context of one run, and the request API over which every command talks
 * to nsdp.
 *
 * A command file (cmd_<object>.c) registers a table of struct nsctl_cmd
 * from a constructor with NSCTL_REGISTER(); main.c finds the object and
 * command words, handles --help, and calls the command's fn with the words
 * that follow. The fn checks its words first (any error names the word,
 * see nsctl_err_word()), then builds one request with nsctl_req_new(),
 * marks which word each attribute came from (so a server error that
 * points at an attribute points at the word too), and hands it to
 * nsctl_req_send() with a function that prints each object of the reply.
 *
 * Reads (GET) are pipelined in batch mode: up to NSCTL_WINDOW requests are
 * in flight, replies are matched to requests by sequence number and
 * handled in order. Writes (NLM_F_ACK) and dumps first wait for every
 * earlier reply, so a batch stops at its first failing line before any
 * later write reaches the daemon.
 *
 * Everything here runs on nsctl's only thread.
 */
#ifndef NSCTL_H
#define NSCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ctrl/proto/codec.h"
#include "conn.h"
#include "output.h"

#define NSCTL_VERSION "0.1.0"
#define NSCTL_MAX_WORDS 64
#define NSCTL_LINE_MAX 4096
#define NSCTL_WINDOW 64     /* requests in flight in batch mode */
#define NSCTL_MARKS 8

/* Exit statuses. */
enum {
	NSCTL_OK = 0,
	NSCTL_FAIL = 1,     /* nsdp refused or could not be reached */
	NSCTL_USAGE = 2,    /* the command line or batch line is wrong */
};

/* One command line or batch line, split into words. */
struct nsctl_line {
	unsigned lineno;                  /* batch line number; 0 = command line */
	char text[NSCTL_LINE_MAX];        /* as shown under errors */
	char buf[NSCTL_LINE_MAX];         /* the words, NUL-separated */
	int nwords;
	char *words[NSCTL_MAX_WORDS];
	unsigned col[NSCTL_MAX_WORDS + 1];/* column of each word in text; [nwords] = end */
};

struct nsctl_ctx;

/**
 * Called for every object message answering a request (or, in monitor,
 * every notification). @tb holds the attributes parsed strictly against the
 * object's policy. Return 0, or an exit status after reporting an error.
 */
typedef int (*nsctl_reply_fn)(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh,
			      const struct nlattr **tb, void *arg);

struct nsctl_req {
	bool busy;
	bool write;                       /* NLM_F_ACK: completes on the ack */
	bool dump;                        /* GETNEXT: completes on DONE without MORE */
	uint32_t seq;
	uint16_t type;
	nsctl_reply_fn on_obj;
	void *arg;
	struct nsdp_builder b;
	char what[64];                    /* "port show", prefix of error messages */
	unsigned nmarks;
	struct { uint32_t off; int word; } marks[NSCTL_MARKS];
	struct nsctl_line line;           /* for error reports of pipelined requests */
	char buf[NSDP_MSG_MAX];
};

struct nsctl_ctx {
	const char *sock_path;
	bool json;
	bool batch;
	FILE *out;
	struct out_json js;
	struct nsctl_conn conn;
	bool connected;
	const struct nsctl_line *line;    /* the line being run */
	const char *what;                 /* "port show" */
	struct nsctl_req *win;            /* ring of NSCTL_WINDOW requests */
	unsigned head, count;             /* oldest in flight, number in flight */
	bool receiving;                   /* handling a received message */
	nsctl_reply_fn on_notify;         /* monitor: seq 0 messages */
	void *notify_arg;
	/* Writes a command holds back to send many per message (batch mode):
	 * called, and cleared, before anything else is sent or awaited. */
	int (*flush)(struct nsctl_ctx *ctx);
};

struct nsctl_cmd {
	const char *object;               /* "port" */
	const char *command;              /* "show"; NULL = the object is the command */
	int (*fn)(struct nsctl_ctx *ctx, int argc, char **argv);
	const char *usage;                /* "port show PORT\n\tShow one port..." */
};

void nsctl_register(const struct nsctl_cmd *cmds, unsigned n);
#define NSCTL_REGISTER(table) \
	static void __attribute__((constructor)) nsctl_register_##table(void) \
	{ nsctl_register(table, sizeof(table) / sizeof(table[0])); }

/*
 * Notification printers: how `nsctl monitor` shows a message of @obj.
 * Registered by the object's command file.
 */
struct nsctl_event {
	unsigned obj;                     /* enum nsdp_obj */
	nsctl_reply_fn print;
};
void nsctl_register_event(const struct nsctl_event *ev);

/* The nouns nsctl knows, served or not. */
struct nsctl_noun {
	const char *name;
	uint32_t groups;                  /* monitor group bits (1 << enum nsdp_obj) */
};
const struct nsctl_noun *nsctl_noun_find(const char *name);
bool nsctl_noun_available(const char *name);
const struct nsctl_event *nsctl_event_find(unsigned obj);

/*
 * Error reports. Each prints "nsctl: [line N: ]WHAT: message" to stderr,
 * then the line with a caret under the word (if any) and returns the exit
 * status to return from the command.
 */
int nsctl_err_word(struct nsctl_ctx *ctx, char *const *wordp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Missing argument: the caret goes just past the last word. */
int nsctl_err_missing(struct nsctl_ctx *ctx, const char *what_is_missing);
/** Error not tied to a word (connection, protocol). */
int nsctl_err(struct nsctl_ctx *ctx, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Print the usage of the current command to @f. */
void nsctl_usage_of(const struct nsctl_cmd *cmd, FILE *f);

/* Requests. */
/** A request of @type: header built, ready for nsdp_put_*(&req->b, ...). */
struct nsctl_req *nsctl_req_new(struct nsctl_ctx *ctx, uint16_t type, uint16_t flags);
/** The next attribute put into @req came from word *@wordp. */
void nsctl_req_mark(struct nsctl_ctx *ctx, struct nsctl_req *req, char *const *wordp);
/**
 * Send @req; @on_obj is called for each object of the reply. In batch mode
 * a read may return before its reply arrived. Returns 0 or an exit status
 * (an error has been reported then).
 */
int nsctl_req_send(struct nsctl_ctx *ctx, struct nsctl_req *req, nsctl_reply_fn on_obj, void *arg);
/** Dump every object of @obj (GETNEXT with resume), @on_obj per object. */
int nsctl_dump(struct nsctl_ctx *ctx, unsigned obj, nsctl_reply_fn on_obj, void *arg);
/**
 * Dump every object of @obj as a list: a JSON array with -j, else the rows
 * @on_obj adds to @t, printed once the dump is complete. Frees @t.
 */
int nsctl_dump_table(struct nsctl_ctx *ctx, unsigned obj, nsctl_reply_fn on_obj,
		     struct out_table *t);
/** Wait until every request in flight is answered. 0 or the first failure's status. */
int nsctl_drain(struct nsctl_ctx *ctx);
/** Connect and shake hands if not done yet. 0 or an exit status. */
int nsctl_connect(struct nsctl_ctx *ctx);
/** Receive and handle messages until a request fails or stop() says so; for monitor. */
int nsctl_receive_loop(struct nsctl_ctx *ctx, bool (*stop)(void *arg), void *arg);

/* Argument helpers: 0 or an exit status after reporting the word. */
int nsctl_parse_port(struct nsctl_ctx *ctx, char *const *wordp, uint32_t *port);
/**
 * The PORT argument every per-port command starts with: argv[0] must be a
 * port id, and @argc must not exceed @max_args. 0 or an exit status (the
 * error, pointing at the word, has been reported).
 */
int nsctl_port_arg(struct nsctl_ctx *ctx, int argc, char **argv, int max_args, uint32_t *port);
int nsctl_no_more(struct nsctl_ctx *ctx, int argc, char **argv, int used);

#endif
