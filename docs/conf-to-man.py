#!/usr/bin/env python3
'''imss-licensed.conf(5) from data/imss-licensed.conf.

The shipped configuration file documents every key in its comments (a unit
test checks that it names every key the daemon knows); this turns those
comments into the man page, so the two cannot drift apart.

    conf-to-man.py data/imss-licensed.conf OUTPUT

Layout of the file: a header comment (the page's DESCRIPTION), then sections
"[name]", each key preceded by its comment lines and shown with its default
("key=value", or "#key=example" when the default is computed); a comment
before a blank line at the top of a section introduces the section. Comment lines
indented by more than one space after "#" are kept as preformatted text.
'''
import re
import sys


def roff(text):
    text = text.replace('\\', '\\e').replace('-', '\\-')
    return re.sub(r'^([.\'])', r'\\&\1', text)


def paragraph(lines):
    '''roff of comment lines: running text, with indented lines verbatim'''
    out, verbatim = [], False
    for line in lines:
        indented = line.startswith(' ')
        if indented and not verbatim:
            out += ['.RS 2', '.nf']
        elif not indented and verbatim:
            out += ['.fi', '.RE']
        verbatim = indented
        out.append(roff(line.strip() if not indented else line[1:]) if line.strip() else '.PP')
    if verbatim:
        out += ['.fi', '.RE']
    return out


def main(src, dst):
    header, sections, comment = [], [], []
    with open(src, encoding='utf-8') as f:
        lines = f.read().splitlines()
    for line in lines:
        if line.startswith('#'):
            text = line[1:]
            text = text[1:] if text.startswith(' ') else text
            m = re.match(r'^([a-z-]+)=(.*)$', text)
            if m and sections:          # a commented key: its default is computed
                sections[-1][1].append((m.group(1), None, comment))
                comment = []
            else:
                comment.append(text)
        elif line.startswith('['):
            if not sections:
                header, comment = header + comment, []
            sections.append((line.strip('[]'), [], []))
            comment = []
        elif '=' in line:
            key, value = line.split('=', 1)
            sections[-1][1].append((key, value, comment))
            comment = []
        elif comment:                   # a blank line ends a paragraph
            if not sections:
                header += comment + ['']
            elif not sections[-1][1]:   # the section's introduction
                sections[-1][2].extend(comment + [''])
            comment = []
    out = ['.\\" Generated from data/imss-licensed.conf by docs/conf-to-man.py: edit that file.',
           '.TH IMSS\\-LICENSED.CONF 5 "2026" "imss-license" "File Formats"',
           '.SH NAME',
           'imss\\-licensed.conf \\- configuration of imss\\-licensed',
           '.SH SYNOPSIS',
           '.I /etc/imss\\-license/imss\\-licensed.conf',
           '.SH DESCRIPTION']
    out += paragraph([h for h in header])
    for name, keys, intro in sections:
        out += ['.SH [%s]' % roff(name).upper()]
        if intro:
            out += paragraph(intro[:-1] if intro[-1] == '' else intro)
        for key, value, text in keys:
            out += ['.PP']
            if value is None:
                out += ['.B %s' % roff(key)]
            else:
                out += ['.BR %s = %s' % (roff(key), roff(value) if value else '\\(dq\\(dq')]
            out += ['.RS 7'] + paragraph(text) + ['.RE']
    out += ['.SH SEE ALSO',
            '.BR imss\\-licensed (8),',
            '.BR imss\\-licensectl (1)']
    with open(dst, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
