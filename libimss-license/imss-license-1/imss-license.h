/*
 * libimss-license-1: the client library of imss-licensed, the license
 * service of an InterScan Messaging Security gateway, with GObject
 * introspection (namespace Imss, version 1).
 */
#pragma once

#define __IMSS_LICENSE_H_INSIDE__

#include "imss-client.h"
#include "imss-enums.h"
#include "imss-error.h"
#include "imss-notice.h"
#include "imss-slot.h"

#undef __IMSS_LICENSE_H_INSIDE__
