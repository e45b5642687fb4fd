/*
 * survey.h - the surveys table: one answer per ticket to the two-question
 * survey (a 1-5 rating and a comment).
 */
#ifndef DESKMAIL_SURVEY_H
#define DESKMAIL_SURVEY_H

#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_survey {
	int	 rating;	/* 0: no answer yet */
	char	*comment;
	time_t	 answered;
	time_t	 updated;
};

/* The ticket's answer, or rating 0; free comment with survey_clear(). */
dm_err	survey_get(struct dm_store *st, int64_t ticket, struct dm_survey *s);
void	survey_clear(struct dm_survey *s);

/* Record (or, within the window the caller checked, change) the answer. */
dm_err	survey_put(struct dm_store *st, int64_t ticket, int rating,
	    const char *comment, time_t now);

#endif
