#!/usr/bin/python3
'''Writes fuzz/corpus/catalog/: GNU .mo files for fuzz-catalog, the good
(msgfmt's own output from po/ja.po, both byte orders) and the broken (what
msgfmt never writes). Run from the source tree after changing the reader or
po/ja.po; the files are committed.

    /usr/bin/python3 fuzz/make-catalog-corpus.py
'''

import os
import struct
import subprocess
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / 'corpus' / 'catalog'
PO = Path(__file__).resolve().parent.parent / 'po' / 'ja.po'

HEADER = ('', 'Content-Type: text/plain; charset=UTF-8\n')
SUBJECT = 'The %1$s license expires in %2$d days'
PLURAL = '%1$s: license expires in %2$d day\0%1$s: license expires in %2$d days'


def mo(entries, endian='<', magic=0x950412de, revision=0, sort=True, count=None):
    '''A .mo file of (msgid, msgstr) pairs, without a hash table.'''
    entries = [(a.encode() if isinstance(a, str) else a, b.encode() if isinstance(b, str) else b)
               for a, b in entries]
    if sort:
        entries.sort(key=lambda e: e[0])
    n = len(entries)
    originals = 28
    translations = originals + 8 * n
    pool = bytearray()
    tables = [bytearray(), bytearray()]
    start = translations + 8 * n
    for which in (0, 1):
        for entry in entries:
            s = entry[which]
            tables[which] += struct.pack(endian + 'II', len(s), start + len(pool))
            pool += s + b'\0'
    header = struct.pack(endian + 'IIIIIII', magic, revision, n if count is None else count,
                         originals, translations, 0, 0)
    return header + tables[0] + tables[1] + pool


def msgfmt(endian):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'ja.mo'
        subprocess.run(['msgfmt', '--endianness=' + endian, '-o', str(out), str(PO)], check=True)
        return out.read_bytes()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    ja = msgfmt('little')
    files = {
        'ja-msgfmt-le.mo': ja,
        'ja-msgfmt-be.mo': msgfmt('big'),
        'ja-truncated.mo': ja[:len(ja) // 2],
        'empty': b'',
        'header-only.mo': mo([HEADER]),
        'big-endian.mo': mo([HEADER, ('Cloud Pre-Filter', 'クラウドプレフィルタ')], endian='>'),
        'revision-1.mo': mo([HEADER, ('Cloud Pre-Filter', 'x')], revision=1 << 16),
        'revision-2.mo': mo([HEADER, ('Cloud Pre-Filter', 'x')], revision=2 << 16),
        'bad-magic.mo': mo([HEADER], magic=0x12345678),
        'unsorted.mo': mo([('b', 'B'), ('a', 'A')], sort=False),
        'duplicate.mo': mo([('a', 'A'), ('a', 'B')], sort=False),
        'count-too-large.mo': mo([HEADER, ('a', 'A')], count=0x1fffffff),
        'charset-latin1.mo': mo([('', 'Content-Type: text/plain; charset=ISO-8859-1\n'),
                                 ('a', b'\xe9')]),
        'not-utf8.mo': mo([HEADER, ('Cloud Pre-Filter', b'\xff\xfe')]),
        'plural.mo': mo([HEADER, (PLURAL, 'あと%2$d日 %1$s\0unused')]),
        # translations that would crash g_strdup_printf: all dropped
        'format-type.mo': mo([HEADER, (SUBJECT, '%1$s %2$s')]),
        'format-percent-n.mo': mo([HEADER, (SUBJECT, '%1$s %2$d %n')]),
        'format-extra.mo': mo([HEADER, (SUBJECT, '%1$s %2$d %3$s')]),
        'format-star.mo': mo([HEADER, (SUBJECT, '%1$*2$s')]),
        'format-lone-percent.mo': mo([HEADER, ('Cloud Pre-Filter', '100%')]),
        'format-reordered.mo': mo([HEADER, (SUBJECT, 'あと%2$d日 %1$s')]),
        'no-nul.mo': mo([HEADER, ('a', 'A')])[:-1] + b'X',
    }
    # a string offset past the end
    bad = bytearray(mo([HEADER, ('a', 'A')]))
    struct.pack_into('<I', bad, 28 + 8 + 4, 0xfffffff0)
    files['offset-past-end.mo'] = bytes(bad)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    print(f'{len(files)} files in {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
