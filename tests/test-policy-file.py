#!/usr/bin/python3
'''The bus policy file as packaging tools read it (lintian's D-Bus checks):

- well-formed XML;
- every allow rule names send_destination="org.imss.License" (or is the
  root policy's own/destination rule): an allow without a destination would
  open other services' members (lintian: dbus-policy-excessively-broad);
- no markup inside comments: lintian scans the raw text, so an example rule
  written in a comment is reported as if it were a rule.

    test-policy-file.py data/org.imss.License.conf
'''
import re
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1]
text = open(path, encoding='utf-8').read()
failures = []
for comment in re.findall(r'<!--(.*?)-->', text, re.S):
    if '<' in comment or '>' in comment:
        failures.append(f'markup inside a comment: {comment.strip()[:70]}...')
root = ET.fromstring(text.encode())
for policy in root.iter('policy'):
    for rule in policy:
        if rule.tag != 'allow':
            continue
        if 'own' in rule.attrib:
            if rule.attrib['own'] != 'org.imss.License':
                failures.append(f'allow own of another name: {rule.attrib}')
            continue
        if rule.attrib.get('send_destination') != 'org.imss.License':
            failures.append(f'allow rule without send_destination="org.imss.License": {rule.attrib}')
        if policy.attrib.get('context') == 'default' and 'send_interface' not in rule.attrib:
            failures.append(f'default-context rule without send_interface: {rule.attrib}')
for f in failures:
    print('FAIL:', f)
print(f'{path}: {len(failures)} problem(s)')
sys.exit(1 if failures else 0)
