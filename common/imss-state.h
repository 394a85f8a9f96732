/*
 * The lifecycle states of a license slot and their names on the bus: one
 * table for the daemon, the clients and the library's GType
 * (ImssLicenseState is declared in libimss-license-1's public header).
 */
#pragma once

#include "imss-license-1/imss-enums.h"
