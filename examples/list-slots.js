#!/usr/bin/gjs
// libimss-license-1 from GJS: lists the license slots of imss-licensed,
// then prints every state change of a slot.
//
//   gjs list-slots.js           list, then follow the changes until Ctrl-C
//   gjs list-slots.js --once    list, then exit after the first change

imports.gi.versions.Imss = '1';
const {GLib, Imss} = imports.gi;

function stateName(state) {
    return Imss.LicenseState.to_string(state);
}

const once = ARGV.includes('--once');
const client = Imss.Client.new_sync(Imss.ClientFlags.NONE, null);
const slots = client.get_slots();
for (let i = 0; i < slots.get_n_items(); i++) {
    const slot = slots.get_item(i);
    const days = slot.get_days_left();
    print(`${slot.get_id().padEnd(18)} ${stateName(slot.get_state()).padEnd(14)} ` +
          `${(slot.get_expiry() || '-').padEnd(11)} ` +
          `${days === Imss.SLOT_DAYS_LEFT_UNKNOWN ? '-' : days}`);
}

const loop = new GLib.MainLoop(null, false);
client.connect('state-changed', (_client, slot, oldState, newState) => {
    print(`state-changed ${slot.get_id()} ${stateName(oldState)} -> ${stateName(newState)}`);
    if (once)
        loop.quit();
});
print('waiting for state changes');
loop.run();
