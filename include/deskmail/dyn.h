/*
 * dyn.h - shared libraries loaded on first use.
 *
 * GnuTLS (for IMAP) and libcurl (for SMTP) with their dependency trees
 * cost more to map and relocate than `deskmail ingest` spends on a whole
 * message, and an MTA starts one ingest per message.  So the commands
 * that talk to the network load them when they first need them.
 */
#ifndef DESKMAIL_DYN_H
#define DESKMAIL_DYN_H

#include "deskmail/err.h"

struct dyn_sym {
	const char	*name;
	void		**slot;		/* where the function's address goes */
};

/*
 * Load soname (once; later calls return at once) and fill every slot of
 * syms (terminated by a NULL name).  DM_ESOFTWARE names what is missing.
 */
dm_err	dyn_load(const char *soname, const struct dyn_sym *syms);

#endif
