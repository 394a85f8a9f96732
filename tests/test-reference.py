#!/usr/bin/python3
'''The reference of libimss-license-1 (gi-docgen): a page for every class,
constructor, method, function, enumeration and error domain of the GIR,
with the documentation text of the source in it (not an empty stub).

usage: test-reference.py DOC_DIR Imss-1.gir'''

import html
import re
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'


def expected_pages(gir):
    '''(page file name, C identifier, first words of its doc) for the GIR.'''
    ns = ET.parse(gir).getroot().find(CORE + 'namespace')
    pages = []

    def doc(node):
        '''its own description, else its return value's (a _finish
        function often documents only what it returns)'''
        for d in (node.find(CORE + 'doc'), node.find(f'{CORE}return-value/{CORE}doc')):
            if d is not None and (d.text or '').strip():
                return d.text.strip()
        return ''

    for cls in ns.findall(CORE + 'class'):
        name = cls.get('name')
        pages.append((f'class.{name}.html', cls.get(C + 'type'), doc(cls)))
        for kind, tag in (('ctor', 'constructor'), ('method', 'method'),
                          ('type_func', 'function')):
            for fn in cls.findall(CORE + tag):
                if fn.get('introspectable') == '0':
                    continue
                pages.append((f'{kind}.{name}.{fn.get("name")}.html',
                              fn.get(C + 'identifier'), doc(fn)))
    # a namespace function of an enumeration's prefix moves into it
    # ("moved-to"): its page is the enumeration's type function
    for fn in ns.findall(CORE + 'function'):
        if fn.get('introspectable') != '0' and not fn.get('moved-to'):
            pages.append((f'func.{fn.get("name")}.html', fn.get(C + 'identifier'), doc(fn)))
    for tag, kind in (('enumeration', 'enum'), ('bitfield', 'flags')):
        for e in ns.findall(CORE + tag):
            prefix = 'error' if e.get('{http://www.gtk.org/introspection/glib/1.0}error-domain') \
                else kind
            name = e.get('name')
            pages.append((f'{prefix}.{name}.html', e.get(C + 'type'), doc(e)))
            for fn in e.findall(CORE + 'function'):
                pages.append((f'type_func.{name}.{fn.get("name")}.html',
                              fn.get(C + 'identifier'), doc(fn)))
    return pages


def words(text):
    return re.findall(r'\w+', text.lower())


class ReferenceTest(unittest.TestCase):
    maxDiff = None

    def test_every_symbol_has_a_page(self):
        pages = expected_pages(GIR)
        self.assertGreater(len(pages), 60, 'the GIR lists too little')
        missing, undocumented = [], []
        for page, ident, text in pages:
            path = DOC / page
            if not path.exists():
                missing.append(f'{page} ({ident})')
                continue
            if not text:
                undocumented.append(f'{ident}: no doc comment in the source')
                continue
            # the first words of the source's text, markup and punctuation
            # aside (gi-docgen renders %NULL, quotes and links its own way)
            body = words(html.unescape(re.sub(r'<[^>]+>', ' ', path.read_text(encoding='utf-8'))))
            first = words(text)[:4]
            if ' '.join(first) not in ' '.join(body):
                undocumented.append(f'{page}: “{" ".join(first)}” not in the page')
        self.assertEqual(missing, [], 'symbols of the GIR without a page')
        self.assertEqual(undocumented, [], 'pages without their documentation')

    def test_index(self):
        index = (DOC / 'index.html').read_text(encoding='utf-8')
        for cls in ('Client', 'Slot', 'Notice'):
            self.assertIn(f'class.{cls}.html', index)


if __name__ == '__main__':
    DOC = Path(sys.argv.pop(1))
    GIR = Path(sys.argv.pop(1))
    unittest.main(verbosity=2)
