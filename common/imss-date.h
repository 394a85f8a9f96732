/*
 * The date codec of every program: license dates are civil dates (GDate)
 * written YYYY-MM-DD on the bus, in the store, in the license-server protocol
 * and on the command line, and they lie in one range.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The dates a license can carry: an activation code counts its expiry in 16
 * bits of days from 2000-01-01, so 2000-01-01 … 2179-06-06
 * (docs/activation-codes.md). The code codec, the license server's answer,
 * ApplyProfile and the tools check against this one range. */
#define IMSS_DATE_RANGE_DAYS 0xffffu

/* YYYY-MM-DD; "" for NULL or an invalid date. */
gchar *imss_date_format(const GDate *date) G_GNUC_WARN_UNUSED_RESULT;
/* Parses exactly ten characters YYYY-MM-DD (ASCII digits, a real date) into
 * @date; FALSE, with @date untouched, for anything else, NULL included. */
gboolean imss_date_parse(const gchar *str, GDate *date);
/* The first and the last date of the range; either may be NULL. */
void imss_date_range(GDate *first, GDate *last);
/* Whether @date is a valid date within the range. */
gboolean imss_date_in_range(const GDate *date);

G_END_DECLS
