#!/usr/bin/python3
'''org.imss.License(7) documents every method, signal and property of the
introspection XML, each with its text (not only its name).

    test-api-manpage.py MANPAGE XML...
'''
import re
import sys
import xml.etree.ElementTree as ET

page = open(sys.argv[1], encoding='utf-8').read().replace('\\-', '-').replace('\\(aq', "'")
missing = []
count = 0
for xml in sys.argv[2:]:
    for iface in ET.parse(xml).getroot().iter('interface'):
        name = iface.get('name')
        for kind in ('method', 'signal', 'property'):
            for member in iface.iter(kind):
                count += 1
                # gdbus-codegen's names: Iface.Method, Iface::Signal, Iface:Property
                sep = {'method': '.', 'signal': '::', 'property': ':'}[kind]
                full = f'{name}{sep}{member.get("name")}'
                if not re.search(r'(?m)^(\.SS\s+)?' + re.escape(full) + r'\s*$', page):
                    missing.append(f'{kind} {full}')
if missing:
    print('not in the page:\n  ' + '\n  '.join(missing))
    sys.exit(1)
print(f'{count} members documented')
