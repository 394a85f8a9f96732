#!/usr/bin/python3
'''The API of libimss-license-1 stays compatible: the symbols the shared
library exports (nm -D) and the API its GIR describes are compared with the
lists checked in under tests/abi/. An added symbol or GIR entry is fine
(add it to the list); a removed or changed one fails.

  test-abi.py LIBRARY GIR            check
  test-abi.py LIBRARY GIR --update   rewrite the lists (after a deliberate,
                                     compatible addition)
'''

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ABI_DIR = Path(__file__).resolve().parent / 'abi'
CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'


def exported_symbols(library):
    out = subprocess.run(['nm', '-D', '--defined-only', library], check=True,
                         capture_output=True, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDBRVW' and not parts[2].startswith('IMSS_LICENSE_'):
            symbols.add(parts[2])
    return symbols


def type_of(node):
    t = node.find(CORE + 'type')
    if t is not None:
        return t.get(C + 'type') or t.get('name')
    a = node.find(CORE + 'array')
    if a is not None:
        return (a.get(C + 'type') or 'array') + '[]'
    return '...' if node.find(CORE + 'varargs') is not None else '?'


def callable_line(prefix, node):
    params = []
    ps = node.find(CORE + 'parameters')
    if ps is not None:
        for p in ps:
            if p.tag in (CORE + 'parameter', CORE + 'instance-parameter'):
                params.append(f'{p.get("direction", "in")} {type_of(p)}'
                              f' {p.get("transfer-ownership", "none")}'
                              f'{" nullable" if p.get("nullable") == "1" else ""}')
    ret = node.find(CORE + 'return-value')
    rets = f'{type_of(ret)} {ret.get("transfer-ownership", "none")}' if ret is not None else 'void'
    return f'{prefix}{node.get("name")}({", ".join(params)}) -> {rets}'


def gir_api(gir):
    ns = ET.parse(gir).getroot().find(CORE + 'namespace')
    lines = set()
    for node in ns:
        kind = node.tag.replace(CORE, '')
        name = node.get('name')
        if kind in ('function',):
            lines.add(callable_line('function ', node))
        elif kind == 'constant':
            lines.add(f'constant {name} = {node.get("value")}')
        elif kind in ('enumeration', 'bitfield'):
            for m in node.findall(CORE + 'member'):
                lines.add(f'{kind} {name}.{m.get("name")} = {m.get("value")}')
            for f in node.findall(CORE + 'function'):
                lines.add(callable_line(f'{kind} {name}.', f))
        elif kind in ('class', 'record', 'interface'):
            if kind == 'record' and node.get(GLIB + 'is-gtype-struct-for'):
                continue
            lines.add(f'{kind} {name} : {node.get("parent", "-")}')
            for sub in ('constructor', 'method', 'function', 'virtual-method'):
                for f in node.findall(CORE + sub):
                    lines.add(callable_line(f'{sub} {name}.', f))
            for p in node.findall(CORE + 'property'):
                lines.add(f'property {name}:{p.get("name")} {type_of(p)}'
                          f' writable={p.get("writable", "0")}')
            for s in node.findall(GLIB + 'signal'):
                lines.add(callable_line(f'signal {name}::', s))
    return lines


def check(what, current, path, update):
    if update:
        path.write_text(''.join(line + '\n' for line in sorted(current)))
        return True
    expected = {line for line in path.read_text().splitlines() if line and line[0] != '#'}
    removed = sorted(expected - current)
    added = sorted(current - expected)
    for line in added:
        print(f'{what}: added (fine; add it to {path.name}): {line}')
    for line in removed:
        print(f'{what}: REMOVED OR CHANGED: {line}')
    return not removed


def main():
    library, gir = sys.argv[1], sys.argv[2]
    update = '--update' in sys.argv[3:]
    symbols = exported_symbols(library)
    leaks = sorted(s for s in symbols if not s.startswith('imss_'))
    for s in leaks:
        print(f'symbols: exported although not public API: {s}')
    ok = not leaks
    ok &= check('symbols', symbols, ABI_DIR / 'libimss-license-1.symbols', update)
    ok &= check('gir', gir_api(gir), ABI_DIR / 'Imss-1.api', update)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
