/* SPDX-License-Identifier: BSD-3-Clause */
/* pkt_meta.c: registration of the nsdp_pkt_meta mbuf dynamic field. */
#include <errno.h>

#include <rte_errno.h>

#include "pkt_meta.h"

int nsdp_pkt_meta_offset = -1;

int
pkt_meta_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "nsdp_pkt_meta",
		.size = sizeof(struct nsdp_pkt_meta),
		.align = __alignof__(struct nsdp_pkt_meta),
	};
	int off;

	if (nsdp_pkt_meta_offset >= 0)
		return 0;
	off = rte_mbuf_dynfield_register(&desc);
	if (off < 0)
		return -rte_errno;
	nsdp_pkt_meta_offset = off;
	return 0;
}
