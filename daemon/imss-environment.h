/*
 * The environment of the gateway (SPEC §8), as an explicit rule over what
 * the daemon knows: the configuration, whether a Control Manager license
 * profile was applied, and when the license server last gave a valid answer
 * or last failed. Pure functions: no store, no clock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	IMSS_ENVIRONMENT_AUTO, /* configured only: derive it */
	IMSS_ENVIRONMENT_CONNECTED,
	IMSS_ENVIRONMENT_CM_MANAGED,
	IMSS_ENVIRONMENT_STANDALONE,
} ImssEnvironment;

/* how long without a valid answer a failing gateway still counts as
 * connected: one automatic-check cycle and a day */
#define IMSS_ENVIRONMENT_GRACE_SECONDS ((gint64)31 * 86400)

typedef struct {
	ImssEnvironment configured;
	gboolean profile_applied; /* a CM deployment was applied (a refused one does not count) */
	gint64 last_answer;	  /* the last valid answer of the license server, 0: never */
	gint64 last_failure;	  /* the last failed contact, 0: never */
} ImssEnvironmentFacts;

/* "auto", "connected", "cm-managed", "standalone" */
const gchar *
imss_environment_to_string(ImssEnvironment environment);
gboolean
imss_environment_from_string(const gchar *str, ImssEnvironment *environment);

/* The environment in effect at @now:
 * - a configured environment other than auto is taken as it is;
 * - auto: cm-managed once a CM license profile was applied (SPEC §8);
 *   standalone while the last contact with the license server failed and
 *   no valid answer came for IMSS_ENVIRONMENT_GRACE_SECONDS (or ever);
 *   connected otherwise — one failed contact (an HTTP 500, an outage of a
 *   day) does not make a connected gateway standalone. */
ImssEnvironment
imss_environment_derive(const ImssEnvironmentFacts *facts, gint64 now);

/* Whether the daemon contacts the license server: never when CM-managed
 * (configured or derived) or configured standalone; a gateway that auto
 * derived as standalone keeps trying, so that it notices the network is
 * back. */
gboolean
imss_environment_may_contact_server(const ImssEnvironmentFacts *facts, gint64 now);

G_END_DECLS
