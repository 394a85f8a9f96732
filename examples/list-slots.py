#!/usr/bin/python3
'''libimss-license-1 from Python (PyGObject): lists the license slots of
imss-licensed, then prints every state change of a slot.

  list-slots.py           list, then follow the changes until Ctrl-C
  list-slots.py --once    list, then exit after the first change
'''

import sys

import gi
gi.require_version('Imss', '1')
from gi.repository import GLib, Imss  # noqa: E402


def state_name(state):
    return Imss.LicenseState(state).value_nick


def main():
    once = '--once' in sys.argv[1:]
    client = Imss.Client.new_sync(Imss.ClientFlags.NONE, None)
    slots = client.get_slots()
    for i in range(slots.get_n_items()):
        slot = slots.get_item(i)
        days = slot.get_days_left()
        days = '-' if days == Imss.SLOT_DAYS_LEFT_UNKNOWN else str(days)
        print(f'{slot.get_id():<18} {state_name(slot.get_state()):<14} '
              f'{slot.get_expiry() or "-":<11} {days}', flush=True)

    loop = GLib.MainLoop()

    def on_state_changed(_client, slot, old, new):
        print(f'state-changed {slot.get_id()} {state_name(old)} -> {state_name(new)}',
              flush=True)
        if once:
            loop.quit()

    client.connect('state-changed', on_state_changed)
    print('waiting for state changes', flush=True)
    loop.run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
