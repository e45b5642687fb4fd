/*
 * dyn.c - dlopen() of the network libraries (see dyn.h for why).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "deskmail/dyn.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

dm_err
dyn_load(const char *soname, const struct dyn_sym *syms)
{
	dm_err err = DM_OK;
	void *h;
	size_t i;

	pthread_mutex_lock(&lock);
	if (syms[0].slot != NULL && *syms[0].slot != NULL)
		goto out;		/* loaded before */
	if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dm_fail(DM_ESOFTWARE, "cannot load %s: %s", soname,
		    dlerror());
		goto out;
	}
	for (i = 0; syms[i].name != NULL; i++) {
		if ((*syms[i].slot = dlsym(h, syms[i].name)) == NULL) {
			err = dm_fail(DM_ESOFTWARE, "%s has no %s", soname,
			    syms[i].name);
			memset(syms[0].slot, 0, sizeof(void *));
			break;
		}
	}
out:
	pthread_mutex_unlock(&lock);
	return err;
}
