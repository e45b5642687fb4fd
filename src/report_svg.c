/*
 * report_svg.c - bar and line charts as inline SVG for the HTML report:
 * no script, no external font or image, styled by the page's CSS classes.
 *
 * Every data point is a <rect> or <circle> that carries what it shows as
 * attributes (data-series, data-label, data-period, data-value), so a
 * test or a screen scraper reads the numbers from the DOM rather than
 * from pixels; each also has a <title> (a tooltip, and what assistive
 * technology reads).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "deskmail/report.h"

#define W	720		/* view box width; its height follows the labels */
#define LEFT	56		/* plot area */
#define RIGHT	56
#define TOP	36
#define PLOT	180		/* plot area height */
#define BASE	(TOP + PLOT)	/* the x axis */
#define CHAR_W	6.5		/* about how wide a label's character is */
#define GRID	5		/* grid lines above the axis */
#define KEY_X	(LEFT + 110)	/* the legend, right of the unit */

/* A round number at or above v: 1, 2 or 5 times a power of ten. */
static double
nice_max(double v)
{
	double p = 1;

	if (!(v > 0))
		return 1;
	/* p: the power of ten at or below v (no libm needed) */
	while (p * 10 <= v)
		p *= 10;
	while (p > v)
		p /= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static double
scale_of(const struct svg_series *s)
{
	return s->scale > 0 ? s->scale : 1;
}

static double
y_of(double v, double ymax)
{
	if (v < 0)
		v = 0;
	if (v > ymax)
		v = ymax;
	return BASE - v / ymax * PLOT;
}

/*
 * Labels wider than the room each has are written at 45 degrees; the
 * height of the chart makes room for them.  Returns that height.
 */
static int
layout(const char *const *labels, size_t n, double room, int *rotate)
{
	size_t i, longest = 0;

	for (i = 0; i < n; i++)
		if (strlen(labels[i]) > longest)
			longest = strlen(labels[i]);
	*rotate = (double)longest * CHAR_W > room;
	return BASE + 30 + (*rotate ? (int)((double)longest * CHAR_W * 0.71) :
	    0);
}

static double
axis_max(const struct svg_chart *c, const struct svg_series *s,
    size_t nseries, size_t n)
{
	double m = 0;
	size_t i, k;

	if (c->ymax > 0)
		return c->ymax;
	for (k = 0; k < nseries; k++)
		for (i = 0; i < n; i++)
			if (!isnan(s[k].values[i]) && s[k].values[i] *
			    scale_of(&s[k]) > m)
				m = s[k].values[i] * scale_of(&s[k]);
	for (i = 0; i < c->nrefs; i++)
		if (c->refs[i].value > m)
			m = c->refs[i].value;
	return nice_max(m);
}

static void
number(struct buf *b, double v)
{
	char s[32];

	snprintf(s, sizeof(s), "%.6g", v);
	buf_adds(b, s);
}

/* The frame: <svg>, title, grid, axes and the legend. */
static void
frame(struct buf *b, const struct svg_chart *c, const struct svg_series *s,
    size_t nseries, double ymax, int height)
{
	size_t i;

	buf_addf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-labelledby=\"", W, height);
	buf_adds_html(b, c->id);
	buf_adds(b, "-t\" id=\"");
	buf_adds_html(b, c->id);
	buf_adds(b, "\"><title id=\"");
	buf_adds_html(b, c->id);
	buf_adds(b, "-t\">");
	buf_adds_html(b, c->title);
	buf_adds(b, "</title>\n");
	for (i = 0; i <= GRID; i++) {
		double v = ymax * (double)i / GRID, y = y_of(v, ymax);

		buf_addf(b, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/><text class=\"axis\" x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\">", LEFT, W - RIGHT, y, y, LEFT - 6,
		    y + 4);
		number(b, v);
		buf_adds(b, "</text>");
		if (c->right_max > 0) {
			buf_addf(b, "<text class=\"axis\" x=\"%d\" y=\"%.1f\">",
			    W - RIGHT + 6, y + 4);
			number(b, c->right_max * (double)i / GRID);
			buf_adds(b, "</text>");
		}
		buf_addc(b, '\n');
	}
	buf_addf(b, "<text class=\"axis unit\" x=\"%d\" y=\"%d\">", 8, TOP - 18);
	buf_adds_html(b, c->unit);
	buf_adds(b, "</text>\n");
	for (i = 0; i < nseries; i++) {
		int x = KEY_X + 150 * (int)i;

		buf_addf(b, "<rect class=\"key s%zu\" x=\"%d\" y=\"%d\" "
		    "width=\"12\" height=\"12\"/><text class=\"legend\" x=\"%d\" "
		    "y=\"%d\">", i, x, 6, x + 16, 16);
		buf_adds_html(b, s[i].name);
		buf_adds(b, "</text>\n");
	}
}

/* Horizontal reference lines (target, industry) with their labels. */
static void
refs(struct buf *b, const struct svg_chart *c, double ymax)
{
	size_t i;

	for (i = 0; i < c->nrefs; i++) {
		double y = y_of(c->refs[i].value, ymax);

		buf_addf(b, "<line class=\"ref r%zu\" x1=\"%d\" x2=\"%d\" "
		    "y1=\"%.1f\" y2=\"%.1f\" data-series=\"", i, LEFT, W - RIGHT,
		    y, y);
		buf_adds_html(b, c->refs[i].name);
		buf_adds(b, "\" data-value=\"");
		buf_adds_html(b, c->refs[i].text);
		buf_addf(b, "\"/><text class=\"reflabel r%zu\" x=\"%d\" "
		    "y=\"%.1f\" text-anchor=\"end\">", i, W - RIGHT - 4, y - 4);
		buf_adds_html(b, c->refs[i].name);
		buf_addc(b, ' ');
		buf_adds_html(b, c->refs[i].text);
		buf_adds(b, "</text>\n");
	}
}

/* The data attributes and tooltip of one point. */
static void
point_attrs(struct buf *b, const struct svg_chart *c,
    const struct svg_series *s, const char *label, size_t i)
{
	buf_adds(b, " data-series=\"");
	buf_adds_html(b, s->name);
	buf_adds(b, "\" data-label=\"");
	buf_adds_html(b, label);
	if (c->label_attr != NULL) {
		buf_adds(b, "\" data-");
		buf_adds_html(b, c->label_attr);
		buf_adds(b, "=\"");
		buf_adds_html(b, label);
	}
	buf_adds(b, "\" data-value=\"");
	buf_adds_html(b, s->texts[i]);
	buf_adds(b, "\"><title>");
	buf_adds_html(b, s->name);
	buf_adds(b, " ");
	buf_adds_html(b, label);
	buf_adds(b, ": ");
	buf_adds_html(b, s->texts[i]);
	buf_adds(b, "</title>");
}

static void
x_label(struct buf *b, double x, const char *label, int rotate)
{
	double y = BASE + 16;

	if (rotate)
		buf_addf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\" transform=\"rotate(-45 %.1f %.1f)\">",
		    x, y, x, y);
	else
		buf_addf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">", x, y);
	buf_adds_html(b, label);
	buf_adds(b, "</text>\n");
}

void
svg_bars(struct buf *b, const struct svg_chart *c,
    const struct svg_series *s, size_t nseries, const char *const *labels,
    size_t n)
{
	double ymax = axis_max(c, s, nseries, n);
	double slot = n ? (double)(W - LEFT - RIGHT) / (double)n : 0;
	double bw = nseries ? slot * 0.7 / (double)nseries : 0;
	size_t i, k;
	int rotate, height = layout(labels, n, slot, &rotate);

	frame(b, c, s, nseries, ymax, height);
	for (i = 0; i < n; i++) {
		double x0 = LEFT + slot * (double)i + slot * 0.15;

		for (k = 0; k < nseries; k++) {
			double v = s[k].values[i], y;

			if (isnan(v))
				continue;
			y = y_of(v * scale_of(&s[k]), ymax);
			buf_addf(b, "<rect class=\"bar s%zu\" x=\"%.1f\" "
			    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", k,
			    x0 + bw * (double)k, y, bw, BASE - y);
			point_attrs(b, c, &s[k], labels[i], i);
			buf_addf(b, "</rect><text class=\"val\" x=\"%.1f\" "
			    "y=\"%.1f\" text-anchor=\"middle\">", x0 + bw *
			    ((double)k + 0.5), y - 4);
			buf_adds_html(b, s[k].texts[i]);
			buf_adds(b, "</text>\n");
		}
		x_label(b, LEFT + slot * ((double)i + 0.5), labels[i], rotate);
	}
	refs(b, c, ymax);
	buf_adds(b, "</svg>\n");
}

void
svg_lines(struct buf *b, const struct svg_chart *c,
    const struct svg_series *s, size_t nseries, const char *const *labels,
    size_t n)
{
	double ymax = axis_max(c, s, nseries, n);
	double step = n > 1 ? (double)(W - LEFT - RIGHT - 40) / (double)(n - 1) :
	    0;
	size_t i, k;
	int rotate, height = layout(labels, n, n > 1 ? step : W, &rotate);

	frame(b, c, s, nseries, ymax, height);
	refs(b, c, ymax);
	for (k = 0; k < nseries; k++) {
		int pen = 0;

		buf_addf(b, "<path class=\"line s%zu\" d=\"", k);
		for (i = 0; i < n; i++) {
			double x = n > 1 ? LEFT + 20 + step * (double)i :
			    (double)(W + LEFT - RIGHT) / 2;

			if (isnan(s[k].values[i])) {
				pen = 0;
				continue;
			}
			buf_addf(b, "%s%.1f %.1f ", pen ? "L" : "M", x,
			    y_of(s[k].values[i] * scale_of(&s[k]), ymax));
			pen = 1;
		}
		buf_adds(b, "\"/>\n");
	}
	for (i = 0; i < n; i++) {
		double x = n > 1 ? LEFT + 20 + step * (double)i :
		    (double)(W + LEFT - RIGHT) / 2;

		for (k = 0; k < nseries; k++) {
			if (isnan(s[k].values[i]))
				continue;
			buf_addf(b, "<circle class=\"dot s%zu\" cx=\"%.1f\" "
			    "cy=\"%.1f\" r=\"4\"", k, x, y_of(s[k].values[i] *
			    scale_of(&s[k]), ymax));
			point_attrs(b, c, &s[k], labels[i], i);
			buf_adds(b, "</circle>\n");
		}
		x_label(b, x, labels[i], rotate);
	}
	buf_adds(b, "</svg>\n");
}
