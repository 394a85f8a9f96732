#pragma once

#include "imss-code.h"
#include "imss-license-1/imss-slot.h"

G_BEGIN_DECLS

/* the slot @id, its properties read from @proxy (org.imss.License.Slot) */
ImssSlot *
imss_slot_new(ImssSlotId id, GDBusProxy *proxy);
/* the daemon's calendar date, which days left count from (invalid: unknown) */
void
imss_slot_set_today(ImssSlot *self, const GDate *today);
GDBusProxy *
imss_slot_get_proxy(ImssSlot *self);

G_END_DECLS
