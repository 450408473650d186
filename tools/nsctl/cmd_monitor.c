/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_monitor.c: `nsctl monitor [--count N] [OBJECT...]`: subscribe to the
 * notification groups of the objects and print each notification as it
 * arrives, until SIGINT/SIGTERM or N notifications.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

struct monitor_state {
	unsigned long count;  /* 0 = unlimited */
	unsigned long seen;
};

static bool
monitor_done(void *arg)
{
	struct monitor_state *m = arg;

	return stop_signal != 0 || (m->count != 0 && m->seen >= m->count);
}

static int
monitor_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	const struct nsctl_event *ev = nsctl_event_find(NSDP_MSG_OBJ(nlh->nlmsg_type));
	struct monitor_state *m = arg;
	int rc = 0;

	if (ev != NULL) {
		rc = ev->print(ctx, nlh, tb, NULL);
	} else {
		const char *obj = nsdp_obj_name(NSDP_MSG_OBJ(nlh->nlmsg_type));
		const char *op = nsdp_op_name(NSDP_MSG_OP(nlh->nlmsg_type));

		if (ctx->json) {
			out_json_obj_begin(&ctx->js);
			out_json_kstr(&ctx->js, "object", obj ? obj : "?");
			out_json_kstr(&ctx->js, "event", op ? op : "?");
			out_json_obj_end(&ctx->js);
			out_json_end_doc(&ctx->js);
		} else {
			fprintf(ctx->out, "%s %s\n", obj ? obj : "?", op ? op : "?");
		}
	}
	fflush(ctx->out);
	m->seen++;
	return rc;
}

static int
monitor(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct monitor_state m = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct nsctl_req *req;
	uint32_t groups = 0;
	int i, rc;

	for (i = 0; i < argc; i++) {
		const struct nsctl_noun *noun;

		if (strcmp(argv[i], "--count") == 0 || strcmp(argv[i], "-c") == 0) {
			char *end;

			if (i + 1 == argc)
				return nsctl_err_missing(ctx, "N after --count");
			i++;
			errno = 0;
			m.count = strtoul(argv[i], &end, 10);
			if (errno != 0 || *end != '\0' || argv[i][0] < '0' || argv[i][0] > '9' ||
			    m.count == 0)
				return nsctl_err_word(ctx, &argv[i], "'%s' is not a positive count",
						      argv[i]);
			continue;
		}
		noun = nsctl_noun_find(argv[i]);
		if (noun == NULL || noun->groups == 0)
			return nsctl_err_word(ctx, &argv[i], "'%s' is not an object to monitor",
					      argv[i]);
		if (!nsctl_noun_available(argv[i]))
			return nsctl_err_word(ctx, &argv[i], "'%s' is not available yet in this nsdp",
					      argv[i]);
		groups |= noun->groups;
	}
	if (groups == 0) {
		/* Every object this nsctl serves. */
		static const char *const served[] = { "driver", "port", "ifd", "ifl", "iff", "ifa",
			"table", "route", "nexthop", "neigh", "demux", "stats" };
		size_t k;

		for (k = 0; k < sizeof(served) / sizeof(served[0]); k++)
			if (nsctl_noun_available(served[k]))
				groups |= nsctl_noun_find(served[k])->groups;
	}

	/* No SA_RESTART: a signal must interrupt the wait for the next message. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsdp_put_u32(&req->b, NSDP_A_MONITOR_GROUPS, groups);
	rc = nsctl_req_send(ctx, req, NULL, NULL);
	if (rc != 0)
		return rc;
	conn_set_timeout(&ctx->conn, 0);
	ctx->on_notify = monitor_print;
	ctx->notify_arg = &m;
	rc = nsctl_receive_loop(ctx, monitor_done, &m);
	ctx->on_notify = NULL;
	return rc;
}

static const struct nsctl_cmd monitor_cmds[] = {
	{ "monitor", NULL, monitor,
	  "monitor [--count N] [OBJECT...]\n"
	  "Print notifications of changes to the OBJECTs (default: every object nsdp\n"
	  "serves) as they happen, until interrupted, or after N notifications with\n"
	  "--count N. If nsdp had to drop notifications for this client, a warning\n"
	  "says so: list the objects again to resynchronise." },
};
NSCTL_REGISTER(monitor_cmds)
