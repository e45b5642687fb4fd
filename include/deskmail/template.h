/*
 * template.h - the notices deskmail sends are files in templates/ (an
 * admin's template_dir overrides any of them): "Subject:" line, blank
 * line, body with {{variables}}; NAME.txt always, NAME.html optionally.
 */
#ifndef DESKMAIL_TEMPLATE_H
#define DESKMAIL_TEMPLATE_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

/*
 * A set of variables: names to values (copied).  What tvars_get()
 * returned is memory of v until tvars_free(): setting that name again
 * may write over it, and never frees it.
 */
struct tvar {
	const char	*name;
	const char	*value;
	unsigned	 hash;		/* of name: most comparisons end here */
	size_t		 room;		/* bytes value may grow to in place */
};

struct tvars {
	struct tvar	*vars;
	size_t		 n, cap;
	unsigned	*slots;		/* by hash: index + 1 into vars, 0 free;
					   2 * cap of them */
	struct tvars_block *blocks;	/* where names and values are */
	char		*free_at;	/* the newest block's unused part */
	size_t		 free_len;
};

void	tvars_init(struct tvars *v);
void	tvars_set(struct tvars *v, const char *name, const char *value);
/* Set every variable of src in dst too. */
void	tvars_copy(struct tvars *dst, const struct tvars *src);
const char *tvars_get(const struct tvars *v, const char *name);
void	tvars_free(struct tvars *v);

struct rendered {
	char	*subject;	/* one line, UTF-8 */
	char	*text;		/* the plain text body */
	char	*html;		/* the HTML alternative, or NULL */
};

/*
 * Render template name with vars.  A variable the template names but vars
 * lacks is an error (DM_ECONFIG), as is a missing NAME.txt.  out is freed
 * with rendered_free().
 */
dm_err	template_render(const struct dm_config *cfg, const char *name,
	    const struct tvars *vars, struct rendered *out);
void	rendered_free(struct rendered *r);

/*
 * Check every template deskmail sends: present in every language (the
 * error lists each missing one as LANG/FILE), a Subject line, only
 * variables deskmail knows (the error names the file and line), and each
 * language's words file.
 */
dm_err	template_check_all(const struct dm_config *cfg);

/*
 * A link page: NAME.html (its Subject is the title) inside layout.html,
 * every value HTML-escaped.  *html is freed by the caller.
 */
dm_err	template_render_page(const struct dm_config *cfg, const char *name,
	    struct tvars *vars, char **html);

/*
 * A whole HTML document from NAME.html alone (no layout.html; its Subject
 * line is not used): every value HTML-escaped, except the {{{raw}}} ones,
 * HTML that deskmail built (report.body; the status page's fragments, each
 * rendered by this function).  *html is freed by the caller.
 */
dm_err	template_render_document(const struct dm_config *cfg,
	    const char *name, const struct tvars *vars, char **html);

/* A static file beside the templates (page.css), read whole. */
dm_err	template_file(const struct dm_config *cfg, const char *file,
	    char **data, size_t *len);

/* Forget the templates read so far (they are read once per process). */
void	template_cache_clear(void);

/*
 * Nonzero for a template staff read (new_ticket, report...): one shared
 * file, not one per language (lang.h); the rest are looked for in the
 * language of the variable "lang" (absent: [deskmail] language).
 */
int	template_shared(const char *name);

/* The names of all templates deskmail sends, NULL-terminated. */
extern const char *const template_names[];
extern const char *const page_names[];
extern const char *const fragment_names[];

#endif
