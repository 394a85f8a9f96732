#!/usr/bin/env python3
'''po.LANG.js for the Cockpit page, from po/LANG.po: the translations of the
strings the page's scripts mark with _("...") (Cockpit's gettext reads
cockpit.locale({...}) from the package's po.LANG.js, which cockpit-bridge
serves as po.js to a browser that asks for LANG).

    po2cockpit.py LANG.po OUTPUT.js SCRIPT.js...
'''
import json
import re
import sys


def unquote(s):
    return json.loads(s)


def read_po(path):
    '''msgid -> msgstr of the translated, non-fuzzy entries'''
    entries, cur, field, fuzzy = {}, {}, None, False

    def flush():
        nonlocal cur, fuzzy
        if cur.get('msgid') and cur.get('msgstr') and not fuzzy and 'msgctxt' not in cur:
            entries[cur['msgid']] = cur['msgstr']
        cur, fuzzy = {}, False

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                flush()
                field = None
            elif line.startswith('#,') and 'fuzzy' in line:
                fuzzy = True
            elif line.startswith('#'):
                continue
            else:
                m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?)\s+(".*")$', line)
                if m:
                    field = m.group(1).replace('[0]', '')
                    cur[field] = unquote(m.group(2))
                elif line.startswith('"') and field:
                    cur[field] += unquote(line)
        flush()
    return entries


def used_msgids(scripts):
    ids = set()
    for path in scripts:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for m in re.finditer(r'\b_\(\s*("(?:[^"\\]|\\.)*")\s*\)', text):
            ids.add(unquote(m.group(1)))
    return ids


def main(po, out, scripts):
    lang = re.sub(r'\.po$', '', po.split('/')[-1])
    translations = read_po(po)
    ids = used_msgids(scripts)
    missing = sorted(i for i in ids if i not in translations)
    for msgid in missing:
        print(f'{po}: no translation of the page\'s "{msgid}"', file=sys.stderr)
    table = {msgid: [None, translations[msgid]] for msgid in sorted(ids) if msgid in translations}
    body = json.dumps(table, ensure_ascii=False, indent=1)[1:-1].strip()
    with open(out, 'w', encoding='utf-8') as f:
        f.write('cockpit.locale({\n "": {\n  "plural-forms": (n) => 0,\n'
                f'  "language": "{lang}",\n  "language-direction": "ltr"\n }},\n {body}\n}});\n')
    return 1 if missing and '--strict' in sys.argv else 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--strict']
    sys.exit(main(args[0], args[1], args[2:]))
