/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifcfg_priv.h: the control side of the interface tree (paper 107-944):
 * the records of ifdrivers, ifds, ifls, iffs and ifas, the configuration
 * API the control handlers (ctrl_ifcfg.c) and the tests call, and the
 * helpers the tree's files share.
 *
 * Invariants:
 *   - every object is reachable from its parent, and deleting an object
 *     first deletes everything configured on it (children, then its own
 *     side effects: demux entries, interface routes, next hops turn DEAD);
 *   - each add or change either completes with all its side effects or
 *     fails leaving no trace (every step has an undo that cannot fail);
 *   - names are unique: ifds by name ("tap0", "tap0:1"), ifls by name
 *     ("tap0.100", "tap0.7.3"); ifl L2 paths (the chain's tags and PPPoE
 *     session) are unique per ifd, which makes L2_IDs unique among siblings;
 *   - ifl_index is non-zero, allocated increasing, and reused only after
 *     the 32-bit space wrapped and then only for indices no next hop holds.
 *
 * Glossary: path = the L2 key prefix of an ifl (tags of every ifl of its
 * chain, outermost first, then the PPPoE session); L2_ID = the part of the
 * path the ifl adds itself.
 *
 * Every function here: config lock held ([C]), control thread.
 */
#ifndef NSDP_IFCFG_PRIV_H
#define NSDP_IFCFG_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "dataplane/l2demux.h"
#include "ifcfg.h"

#define IFNAME_MAX 48            /* names with their NUL */
#define IFD_MTU_DEFAULT 1500
#define IFD_MTU_MIN 68
#define IFD_MTU_MAX 9600

/* A place an error points at (the control handler maps it to an attribute). */
enum ifcfg_arg {
	IFCFG_ARG_NONE,
	IFCFG_ARG_NAME,
	IFCFG_ARG_PORT,
	IFCFG_ARG_L2ID,
	IFCFG_ARG_PEER,
	IFCFG_ARG_FLAGS,
	IFCFG_ARG_MAC,
	IFCFG_ARG_MTU,
	IFCFG_ARG_ENCAP,
	IFCFG_ARG_ADMIN,
	IFCFG_ARG_FAMILY,
	IFCFG_ARG_TABLE,
	IFCFG_ARG_FILTER,
	IFCFG_ARG_LOCAL,
	IFCFG_ARG_DEST,
};

struct ifcfg_err {
	enum ifcfg_arg arg;
	char msg[224];
};

/** Record an error; @return -@errnum. */
int ifcfg_err(struct ifcfg_err *e, int errnum, enum ifcfg_arg arg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* --- a small chained hash for the control side ------------------------- */

struct chash_node {
	struct chash_node *next;
	uint64_t hash;
};

struct chash {
	struct chash_node **b;
	size_t nb;                  /* buckets, a power of two */
	size_t n;                   /* entries */
};

uint64_t chash_bytes(const void *p, size_t n, uint64_t seed);
/** Insert @node with @hash; grows the table (may fail: -ENOMEM, nothing inserted). */
int chash_insert(struct chash *h, struct chash_node *node, uint64_t hash);
void chash_remove(struct chash *h, struct chash_node *node);
/** First node of @hash's bucket chain (iterate with ->next, compare ->hash). */
struct chash_node *chash_first(const struct chash *h, uint64_t hash);
void chash_free(struct chash *h);

#define container_of_ifcfg(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

/* --- objects ----------------------------------------------------------- */

enum ifd_type {
	IFD_TYPE_ETHERNET = 1,
	IFD_TYPE_LOOPBACK,
	IFD_TYPE_CHANNEL,            /* carries only child ifds (channelized hardware) */
};

enum ifd_encap {
	IFD_ENCAP_ETHERNET = 1,
	IFD_ENCAP_LOOPBACK,
	IFD_ENCAP_CHANNEL,
	IFD_ENCAP_MAX,
};

const char *ifd_type_name(unsigned type);
const char *ifd_encap_name(unsigned encap);
/** Encapsulation by name ("ethernet"), 0 if unknown. */
unsigned ifd_encap_by_name(const char *name);

struct ifdriver;
struct ifd;
struct ifl_priv;
struct iff;
struct ifa;
struct ifd_spec;
struct ifl_spec;

/*
 * What an encapsulation allows on an ifd: the arbiter of ifls and iffs
 * (paper 273-290: these change with the encapsulation).
 */
struct ifd_encap_ops {
	/* Check an ifl about to be added (L2_ID kind, flags); may force flags. */
	int (*ifl_check)(const struct ifd *ifd, const struct ifl_priv *parent,
			 struct ifl_spec *s, struct ifcfg_err *e);
	/* Check an iff of @family about to be added on @ifl. */
	int (*iff_check)(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);
};

/* A driver: compiled in; the arbiter of what may be added on it. */
struct ifdriver_ops {
	/* Check @s and bind @ifd to an instance (sets port, type, encap, MACs). */
	int (*ifd_add)(struct ifdriver *drv, struct ifd *ifd, const struct ifd_spec *s,
		       struct ifcfg_err *e);
	/* Undo ifd_add; @gone: the device was removed, do not touch it. */
	void (*ifd_del)(struct ifdriver *drv, struct ifd *ifd, bool gone);
	/* May @child be added on @parent (ifd on ifd, "%s:%u")? NULL = never. */
	int (*ifd_child_add)(struct ifd *parent, struct ifd *child, struct ifcfg_err *e);
	/* Whether @ifd may take @encap. */
	bool (*encap_ok)(const struct ifd *ifd, unsigned encap);
};

#define IFDRIVER_MAX 32
#define IFDRIVER_MAX_INSTANCES 64

struct ifdriver {
	char name[16];               /* [I] ifd name prefix: "tap", "lo" */
	char dpdk_name[32];          /* [I] ethdev driver ("net_tap"), "" for pseudo drivers */
	const char *descr;           /* [I] */
	bool pseudo;                 /* [I] no hardware */
	const struct ifdriver_ops *ops; /* [I] */
	void *priv;                  /* [I] driver's own */
	uint32_t n_ifd;              /* [C] */
	TAILQ_HEAD(, ifd) ifds;      /* [C] ifds added on the driver */
};

/** Register a driver (ifcfg_init registers ethdev drivers and lo). @return 0, -EEXIST, -ENOSPC. */
int ifdriver_register(const char *name, const char *dpdk_name, const char *descr, bool pseudo,
		      const struct ifdriver_ops *ops, void *priv, struct ifdriver **out);
struct ifdriver *ifdriver_find(const char *name);
/** Drivers in registration order: index 0.. ; NULL past the end. */
struct ifdriver *ifdriver_at(unsigned i);
/** ifd short name of an ethdev driver: net_tap -> "tap", net_virtio_user -> "virtio_user". */
void ifdriver_short_name(const char *dpdk_name, char *buf, size_t len);
/** Ports (instances) of a hardware driver, in port order; @return count written. */
unsigned ifdriver_instances(const struct ifdriver *drv, uint16_t *ports, unsigned max);

struct ifd_spec {
	const char *name;            /* "tap0" or "tap0:1" */
	bool has_port;
	uint16_t port;
};

struct ifd {
	char name[IFNAME_MAX];       /* [I] */
	uint32_t ifd_index;          /* [I] */
	uint32_t unit;               /* [I] */
	struct ifdriver *drv;        /* [I] */
	struct ifd *parent;          /* [I] ifd this one is a channel of, or NULL */
	uint16_t port;               /* [I] IFL_NO_PORT if none */
	uint8_t type;                /* [I] enum ifd_type */
	uint8_t encap;               /* [C] enum ifd_encap */
	const struct ifd_encap_ops *eops; /* [C] follows encap */
	uint8_t mac[6];              /* [C] data link address */
	uint8_t perm_mac[6];         /* [I] the hardware's */
	bool admin_up;               /* [C] */
	uint32_t mtu;                /* [C] */
	uint32_t caps;               /* [I] IFF_CAP_* the port offers */
	struct l2demux *demux;       /* [C] its L2 demux table (ports only) */
	uint32_t n_ifl;              /* [C] ifls in the whole subtree */
	TAILQ_ENTRY(ifd) link;       /* [C] in drv->ifds or parent->children */
	TAILQ_ENTRY(ifd) link_all;   /* [C] every ifd, in index order */
	TAILQ_HEAD(, ifd) children;  /* [C] channel ifds */
	TAILQ_HEAD(, ifl_priv) ifls; /* [C] ifls added on this ifd */
	struct chash_node name_node; /* [C] */
	struct chash_node index_node;/* [C] */
};

int ifd_add(const struct ifd_spec *s, struct ifd **out, struct ifcfg_err *e);
/** Delete @ifd and everything on it. @gone: its device was removed. */
void ifd_del(struct ifd *ifd, bool gone);

struct ifd_change {
	bool set_mac, set_mtu, set_admin, set_encap;
	uint8_t mac[6];
	uint32_t mtu;
	bool admin_up;
	uint8_t encap;
};
int ifd_change(struct ifd *ifd, const struct ifd_change *c, struct ifcfg_err *e);
struct ifd *ifd_find(const char *name);
struct ifd *ifd_by_index(uint32_t ifd_index);
/** The ifd with the smallest index > @after, NULL if none. */
struct ifd *ifd_next(uint32_t after);
bool ifd_link_up(const struct ifd *ifd);
uint32_t ifd_link_speed(const struct ifd *ifd);

/* L2_ID of an ifl. */
enum l2id_kind {
	L2ID_NONE = 0,
	L2ID_TAGS,                   /* 1..L2KEY_MAX_TAGS tags, outermost first */
	L2ID_PPPOE,                  /* PPPoE session on an Ethernet ifl */
};

struct l2id {
	uint8_t kind;
	uint8_t n_tags;
	uint16_t tpid[L2KEY_MAX_TAGS];
	uint16_t vid[L2KEY_MAX_TAGS];
	uint16_t session;
	uint8_t peer[6];
};

/** "vlan 100", "8100/100 88a8/10", "pppoe 0x0001 peer 02:..", "-" into @buf. */
void l2id_format(const struct l2id *id, char *buf, size_t len);

struct ifl_spec {
	const char *name;            /* "tap0.100": parent "tap0", unit 100 */
	struct l2id l2id;
	uint16_t flags;              /* IFL_F_* asked for */
};

struct ifl_priv {
	char name[IFNAME_MAX];       /* [I] */
	uint32_t ifl_index;          /* [I] */
	uint32_t unit;               /* [I] */
	struct ifd *ifd;             /* [I] the ifd at the root of the chain */
	struct ifl_priv *parent;     /* [I] NULL: on the ifd */
	struct l2id l2id;            /* [I] */
	struct l2key path;           /* [I] the chain's L2 prefix */
	uint8_t n_tags;              /* [I] tags in path */
	bool pppoe;                  /* [I] path ends with a PPPoE session */
	uint16_t flags;              /* [C] IFL_F_* */
	uint32_t stats_slot;         /* [I] counter slot (dataplane/ifl_stats.h) */
	struct iff *iff[IFF_FAM_MAX];/* [C] */
	uint32_t n_children;         /* [C] */
	TAILQ_ENTRY(ifl_priv) link;  /* [C] in parent's (ifd or ifl) list */
	TAILQ_HEAD(, ifl_priv) children; /* [C] */
	struct ifl *dp;              /* [C] the published dataplane copy */
	struct chash_node name_node; /* [C] */
	struct chash_node path_node; /* [C] */
};

int ifl_add(struct ifl_spec *s, struct ifl_priv **out, struct ifcfg_err *e);
void ifl_del(struct ifl_priv *ifl);

struct ifl_change {
	bool set_flags;
	uint16_t flags;
};
int ifl_change(struct ifl_priv *ifl, const struct ifl_change *c, struct ifcfg_err *e);
/** By name; a name without '.' means unit 0. */
struct ifl_priv *ifl_find(const char *name);
struct ifl_priv *ifl_priv_by_index(uint32_t ifl_index);
/** The ifl with the smallest index > @after, NULL if none. */
struct ifl_priv *ifl_next(uint32_t after);
/** Number of ifls configured. */
uint32_t ifl_count(void);
/** Publish a fresh dataplane copy of @ifl (after a change). @return 0 or -ENOMEM. */
int ifl_publish(struct ifl_priv *ifl);
/** The dataplane copy @ifl would publish, into @out. */
void ifl_dp_build(const struct ifl_priv *ifl, struct ifl *out);
/** Whether @ifl is multiaccess for addressing (not p2p, not loopback). */
static inline bool
ifl_multiaccess(const struct ifl_priv *ifl)
{
	return !(ifl->flags & (IFL_F_P2P | IFL_F_LOOPBACK));
}

/* Test hooks: the next ifl_index to try (to exercise wrap-around). */
void ifl_index_test_set_next(uint32_t next);

struct iff_spec {
	uint8_t family;              /* enum iff_family */
	bool has_table, has_mtu, has_in_filter, has_out_filter;
	uint16_t table;
	uint16_t mtu;
	uint32_t in_filter, out_filter;
};

#define IFF_DEMUX_MAX 2

struct iff {
	struct ifl_priv *ifl;        /* [I] */
	uint8_t family;              /* [I] */
	uint16_t rt_inst;            /* [C] */
	uint16_t mtu;                /* [C] */
	uint32_t in_filter;          /* [C] */
	uint32_t out_filter;         /* [C] */
	uint32_t caps;               /* [C] */
	uint8_t n_demux;             /* [C] demux entries installed */
	struct l2key demux[IFF_DEMUX_MAX]; /* [C] their prefixes */
	uint32_t n_ifa;              /* [C] */
	TAILQ_HEAD(, ifa) ifas;      /* [C] sorted by (local, dest) */
};

const char *iff_family_name(unsigned family);
/** Family by name ("inet"), -1 if unknown. */
int iff_family_by_name(const char *name);

int iff_add(struct ifl_priv *ifl, const struct iff_spec *s, struct iff **out, struct ifcfg_err *e);
int iff_change(struct iff *iff, const struct iff_spec *s, struct ifcfg_err *e);
void iff_del(struct iff *iff);
/** The largest family MTU @ifl can carry (ifd MTU less the chain's headers). */
uint32_t ifl_max_mtu(const struct ifl_priv *ifl);

struct ifa_spec {
	bool has_local, has_dest;
	uint8_t local[16];
	uint8_t dest[16];            /* host bits beyond dest_len are cleared */
	uint8_t dest_len;
};

struct ifa {
	struct iff *iff;             /* [I] */
	struct ifa_spec a;           /* [I] */
	TAILQ_ENTRY(ifa) link;       /* [C] */
};

int ifa_add(struct iff *iff, const struct ifa_spec *s, struct ifa **out, struct ifcfg_err *e);
/** @return 0 or -ENOENT. */
int ifa_del(struct iff *iff, const struct ifa_spec *s, struct ifcfg_err *e);
/** Remove every ifa of @iff with its routes. */
void ifa_del_all(struct iff *iff);
/** Order of ifas on an iff (the dump order). */
int ifa_cmp(const struct ifa_spec *a, const struct ifa_spec *b);

/* --- shared helpers ---------------------------------------------------- */

/** Free @p with @fn after a grace period (batched; see ifcfg_core.c). */
void ifcfg_retire(void (*fn)(void *), void *p);
/** Wait for a grace period and run every pending retirement. */
void ifcfg_retire_flush(void);

/* ifl_index -> (dataplane copy, control record). */
int ifindex_map_set(uint32_t idx, struct ifl *dp, struct ifl_priv *priv);
void ifindex_map_publish(uint32_t idx, struct ifl *dp);
void ifindex_map_clear(uint32_t idx);
struct ifl_priv *ifindex_map_priv(uint32_t idx);
/** Smallest index > @after with a control record, 0 if none. */
uint32_t ifindex_map_next(uint32_t after);

/* Names and paths. */
extern struct chash ifcfg_ifd_names, ifcfg_ifd_indices, ifcfg_ifl_names, ifcfg_ifl_paths;
uint64_t ifcfg_name_hash(const char *name);
uint64_t ifcfg_path_hash(uint32_t ifd_index, const struct l2key *path);

/* [C] users of each routing instance. */
extern uint32_t ifcfg_inst_users[];

/** The demux result handler and argument of an input kind (the dispatcher). */
l2demux_handler_t ifcfg_input_handler(void);
void *ifcfg_input_arg(enum ifcfg_input kind);

/* Notifications (set by the control side; NULL = none). */
struct ifcfg_notify_ops {
	void (*ifd)(const struct ifd *ifd, int op);
	void (*ifl)(const struct ifl_priv *ifl, int op);
	void (*iff)(const struct iff *iff, int op);
	void (*ifa)(const struct ifa *ifa, int op);
};
extern const struct ifcfg_notify_ops *ifcfg_notify;

#endif
