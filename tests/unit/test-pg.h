/*
 * PostgreSQL for the unit tests: the server of $IMSS_PG_CNC (tests/run-tests.sh
 * starts a throwaway one). A missing server is a failure, not a skip.
 */
#pragma once

#include <glib.h>

/* Empties this test program's own database on the server of $IMSS_PG_CNC
 * (created at the first call, dropped at exit; every table of every schema
 * version) and returns its connection and auth strings; FALSE (the test
 * failed) when IMSS_PG_CNC is not set. */
gboolean
imss_test_pg_reset(gchar **cnc, gchar **auth);
