/*
 * The lifecycle states of a license slot and their names on the bus: one
 * table for the daemon, the clients and the library's GType
 * (ImssLicenseState is declared in libimss-license-1's public header).
 */
#pragma once

#include "imss-license-1/imss-enums.h"

G_BEGIN_DECLS

/* g_enum_register_static(), or the type already registered under @name: a
 * program that links common/ and libimss-license-1 holds two copies of
 * the shared enums, and the second one to ask finds the first's type. */
GType
imss_enum_register_once(const gchar *name, const GEnumValue *values);

G_END_DECLS
