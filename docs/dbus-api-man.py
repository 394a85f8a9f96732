#!/usr/bin/env python3
'''org.imss.License(7): the D-Bus API, from the introspection XML.

gdbus-codegen --generate-rst writes one reStructuredText file per interface
from the XML's documentation comments; this puts them under a man page's
header (their headings one level down), escapes what reStructuredText would
read as markup (the masked codes' asterisks), and runs rst2man, which fails
on any warning: the page is made from the very XML the daemon is built from.

    dbus-api-man.py GDBUS_CODEGEN RST2MAN OUTPUT XML...
'''
import os
import re
import subprocess
import sys
import tempfile

HEAD = '''==================
 org.imss.License
==================

----------------------------------------------------------
the D-Bus interfaces of the license service imss-licensed
----------------------------------------------------------

:Manual section: 7
:Manual group: imss-license

SYNOPSIS
========

The system bus name **org.imss.License**; the object **/org/imss/License**
(interface org.imss.License, and org.freedesktop.DBus.ObjectManager) and its
six children **/org/imss/License/slot/**\\ *ID* (interface
org.imss.License.Slot). The same text is in the introspection XML installed
in /usr/share/dbus-1/interfaces/. Errors are named
org.imss.License.Error.\\ *Name*; every change is authorised with polkit
(imss-licensed(8)).

'''

TAIL = '''

SEE ALSO
========

imss-licensed(8), imss-licensectl(1), imss-licensed.conf(5), busctl(1), gdbus(1)
'''


def demote(text):
    '''the generated headings (interface: "=" over and under, part: "-" over
    and under) one level down, under the page's own sections'''
    lines, out, i = text.split('\n'), [], 0
    while i < len(lines):
        if (i + 2 < len(lines) and re.fullmatch(r'=+', lines[i]) and re.fullmatch(r'=+', lines[i + 2])):
            out += [lines[i + 1], '=' * len(lines[i + 1])]
            i += 3
        elif (i + 2 < len(lines) and re.fullmatch(r'-+', lines[i]) and re.fullmatch(r'-+', lines[i + 2])):
            out += [lines[i + 1], '-' * len(lines[i + 1])]
            i += 3
        else:
            out.append(lines[i])
            i += 1
    text = '\n'.join(out)
    # a masked activation code is text, not emphasis
    return re.sub(r'(?<!`)\b(IM-\*{4}(?:-\*{5}){4}-ABCDE)', r'``\1``', text)


def join_params(xml):
    '''"@arg: text" with its indented continuation lines on one line:
    gdbus-codegen 2.74 keeps only the first line of an argument's text'''
    out = []
    for line in xml.split('\n'):
        m = re.match(r'^(\s*)(\S.*)$', line)
        if (m and out and re.match(r'^\s*@\w+:', out[-1])
                and len(m.group(1)) > len(re.match(r'^(\s*)', out[-1]).group(1))
                and not line.strip().startswith('@')):
            out[-1] += ' ' + m.group(2)
        else:
            out.append(line)
    return '\n'.join(out)


def main(codegen, rst2man, output, xmls):
    with tempfile.TemporaryDirectory() as tmp:
        joined = []
        for xml in xmls:
            path = os.path.join(tmp, os.path.basename(xml))
            with open(xml, encoding='utf-8') as f, open(path, 'w', encoding='utf-8') as g:
                g.write(join_params(f.read()))
            joined.append(path)
        subprocess.run([codegen, '--generate-rst', os.path.join(tmp, 'api')] + joined, check=True)
        parts = []
        for xml in xmls:
            iface = os.path.basename(xml)[:-len('.xml')]
            with open(os.path.join(tmp, f'api-{iface}.rst'), encoding='utf-8') as f:
                parts.append(demote(f.read()))
        rst = os.path.join(tmp, 'org.imss.License.rst')
        with open(rst, 'w', encoding='utf-8') as f:
            f.write(HEAD + '\n\n'.join(parts) + TAIL)
        subprocess.run([rst2man, '--halt=warning', '--exit-status=warning', rst, output], check=True)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
