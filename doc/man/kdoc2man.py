#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build the section 3 and 7 manual pages from the public headers.

    kdoc2man.py --version V --map libaugustus.map --errors error.c \\
                --outdir DIR HEADER...

Every function of the symbol map gets DIR/<name>.3 from the kernel-doc
comment above its declaration: synopsis (with the documented types it
takes), description, arguments, return value, and the errors its Return:
paragraph names, each explained by the text aug_strerror() gives it (read
from error.c, so a code the library cannot explain fails the build).
DIR/libaugustus.7 gathers the overview of augustus.h, each header's notes
and a list of every function. A symbol without a comment, or a comment
without a declaration, is an error: the pages cannot fall behind the API.
"""
import argparse
import errno
import os
import re
import sys

HEAD_RE = re.compile(r'^(?:(struct|enum|union|typedef)\s+)?(\w+)(\(\))?\s+-\s+(.*)$')
TAG_RE = re.compile(r'^(@[\w.]+(?:\s*,\s*@[\w.]+)*)\s*:\s*(.*)$')
ERRNO_RE = re.compile(r'-(E[A-Z0-9]+)\b')


class DocError(Exception):
    pass


class Item:
    def __init__(self, kind, name, summary, paras, decl, header):
        self.kind = kind          # 'function', 'struct', 'enum', 'typedef', 'union'
        self.name = name
        self.summary = summary
        self.paras = paras        # [('text', str) | ('tags', [(tag, str)]) | ('list', [str])]
        self.decl = decl
        self.header = header
        self.returns = None
        for kind_, val in paras:
            if kind_ == 'return':
                self.returns = val
        self.paras = [p for p in paras if p[0] != 'return']


def comment_lines(body):
    out = []
    for line in body.split('\n'):
        line = re.sub(r'^\s*\*( |$)', '', line.rstrip())
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def join(lines):
    return ' '.join(l.strip() for l in lines if l.strip())


def parse_paragraph(lines):
    """One blank-line separated block of a comment."""
    if lines[0].startswith('Return:'):
        return ('return', join([lines[0][len('Return:'):]] + lines[1:]))
    if TAG_RE.match(lines[0]):
        tags = []
        for line in lines:
            m = TAG_RE.match(line)
            if m:
                tags.append([m.group(1), [m.group(2)]])
            else:
                tags[-1][1].append(line)
        return ('tags', [(t, join(text)) for t, text in tags])
    if lines[0].lstrip().startswith('- '):
        items = []
        for line in lines:
            if line.lstrip().startswith('- '):
                items.append([line.lstrip()[2:]])
            else:
                items[-1].append(line)
        return ('list', [join(i) for i in items])
    return ('text', join(lines))


def parse_comment(body):
    lines = comment_lines(body)
    m = HEAD_RE.match(lines[0].strip()) if lines else None
    if not m:
        return None
    kind = m.group(1) or ('function' if m.group(3) else None)
    if not kind:
        return None
    # The summary runs on until a tag or a blank line.
    summary = [m.group(4)]
    i = 1
    while i < len(lines) and lines[i].strip() and not TAG_RE.match(lines[i]):
        summary.append(lines[i])
        i += 1
    paras, cur = [], []
    for line in lines[i:] + ['']:
        if line.strip():
            cur.append(line)
        elif cur:
            paras.append(parse_paragraph(cur))
            cur = []
    return kind, m.group(2), join(summary), paras


def declaration(text, pos):
    """The C declaration that starts at text[pos]: up to its ';' at brace
    and parenthesis depth 0."""
    depth = 0
    for i in range(pos, len(text)):
        c = text[i]
        if c in '({':
            depth += 1
        elif c in ')}':
            depth -= 1
        elif c == ';' and depth == 0:
            return text[pos:i + 1]
    raise DocError('unterminated declaration at offset %d' % pos)


def parse_header(path):
    text = open(path, encoding='utf-8').read()
    header = os.path.basename(path)
    items, notes = [], []
    for m in re.finditer(r'/\*(\*?)(.*?)\*/', text, re.S):
        if m.group(1) != '*':
            # A prose comment standing alone (a blank line after it, not
            # attached to a declaration) is one of the header's notes.
            lines = comment_lines(m.group(2))
            standalone = text[m.end():m.end() + 2] == '\n\n'
            if standalone and len(lines) > 2 and not lines[0].startswith('SPDX'):
                notes.append(join(lines))
            continue
        parsed = parse_comment(m.group(2))
        if not parsed:
            continue
        kind, name, summary, paras = parsed
        pos = m.end()
        while text[pos].isspace():
            pos += 1
        decl = '\n'.join(l.rstrip() for l in declaration(text, pos).split('\n'))
        if name not in decl:
            raise DocError('%s: the comment of %s is not followed by its declaration'
                           % (header, name))
        items.append(Item(kind, name, summary, paras, decl, header))
    return items, notes


def read_map(path):
    names = re.findall(r'^\s*(aug_\w+);', open(path).read(), re.M)
    if not names:
        raise DocError('%s: no symbols' % path)
    return names


def read_errors(path):
    """errno value -> the text aug_strerror() gives it, from error.c."""
    text = open(path).read()
    out, pending = {}, []
    for m in re.finditer(r'case (E[A-Z0-9]+):|return "((?:[^"\\]|\\.)*)";', text):
        if m.group(1):
            pending.append(m.group(1))
        else:
            for e in pending:
                out[getattr(errno, e)] = m.group(2)
            pending = []
    if errno.EINVAL not in out:
        raise DocError('%s: no aug_strerror() table found' % path)
    return out


# --- troff ---------------------------------------------------------------

def esc(s):
    s = s.replace('\\', '\\e')
    return s.replace('-', '\\-')


def inline(s):
    """Prose to troff: @arg in italics, function() and AUG_ names in bold."""
    s = esc(s)
    s = re.sub(r'@(\w+(?:(?:\.|\\e?\\->|\\->)\w+)*)', r'\\fI\1\\fP', s)
    s = re.sub(r'\b(aug_\w+|\w+)\(\)', r'\\fB\1\\fP()', s)
    s = re.sub(r'\b(AUG_[A-Z0-9_]+)\b', r'\\fB\1\\fP', s)
    return s


def text_line(s):
    # A line starting with . or ' would be a request.
    return '\\&' + s if s[:1] in ('.', "'") else s


def code_block(code):
    out = ['.nf']
    for line in code.split('\n'):
        line = esc(line.expandtabs(8))
        out.append(text_line(line) if line else '')
    out.append('.fi')
    return out


def paragraphs(paras):
    out = []
    for kind, val in paras:
        if kind == 'text':
            out += ['.PP', text_line(inline(val))]
        elif kind == 'list':
            for v in val:
                out += ['.IP \\(bu 2', text_line(inline(v))]
        elif kind == 'tags':
            for tag, v in val:
                out += ['.TP', inline(tag), text_line(inline(v))]
    return out


def th(name, section, version):
    return ['.\\" Generated from the header comments by doc/man/kdoc2man.py.',
            '.TH %s %d "" "augustus %s" "libaugustus"' % (esc(name).upper(), section, version)]


def referenced_types(item, types, out=None):
    """Documented types that @item's declaration names, and those their
    definitions name, opaque ones aside; each before its users."""
    out = [] if out is None else out
    # The declaration, and the types its arguments' texts name ("an enum
    # aug_exit_reason" for an unsigned int).
    named = item.decl + ' '.join(v for kind, tags in item.paras if kind == 'tags'
                                 for _, v in tags)
    for m in re.finditer(r'\b(?:struct|enum|union)\s+(aug_\w+)|\b(aug_\w+_fn)\b', named):
        t = types.get(m.group(1) or m.group(2))
        if t and t is not item and t not in out and (t.kind == 'typedef' or '{' in t.decl):
            referenced_types(t, types, out)
            if t not in out:
                out.append(t)
    return out


def errors_of(item, errors):
    """(errno, when) for each code the Return: text names; @when is the
    clause that follows the code ("if @vm is NULL") or, for a bare code,
    the text aug_strerror() gives it."""
    out = {}
    for clause in re.split(r';\s*', item.returns or ''):
        codes = ERRNO_RE.findall(clause)
        if not codes:
            continue
        when = re.sub(r'^\s*(?:-E[A-Z0-9]+\s*(?:,|or)?\s*)+', '', clause).strip().rstrip('.')
        if not clause.lstrip().startswith('-E'):
            when = ''   # "a negative errno such as -ENOENT": no condition of its own
        for code in codes:
            value = getattr(errno, code, None)
            if value not in errors:
                raise DocError('%s: %s is not explained by aug_strerror() (error.c)'
                               % (item.name, code))
            text = when or errors[value]
            if code in out and text not in out[code]:
                out[code].append(text)
            elif code not in out:
                out[code] = [text]
    return [(code, '; '.join(texts)) for code, texts in out.items()]


def function_page(item, types, siblings, errors, version):
    out = th(item.name, 3, version)
    out += ['.SH NAME', '%s \\- %s' % (esc(item.name), inline(item.summary))]
    out += ['.SH SYNOPSIS', '.nf', '.B #include <augustus/augustus.h>', '.fi', '.PP']
    refs = referenced_types(item, types)
    for t in refs:
        out += code_block(t.decl) + ['.PP']
    out += code_block(item.decl)
    out += ['.PP', 'Link with \\fI\\-laugustus\\fP (\\fBpkg\\-config \\-\\-libs augustus\\fP).']
    out += ['.SH DESCRIPTION']
    body = paragraphs(item.paras)
    out += body if body else ['.PP', text_line(inline(item.summary)) + '.']
    for t in refs:
        out += ['.SS %s' % esc(('struct ' if t.kind == 'struct' else
                                 'enum ' if t.kind == 'enum' else '') + t.name),
                '.PP', text_line(inline(t.summary)) + '.']
        out += paragraphs(t.paras)
        if t.returns:
            out += ['.PP', 'It returns ' + inline(t.returns)]
    out += ['.SH RETURN VALUE', '.PP']
    if item.returns:
        out.append(text_line(inline(item.returns)))
    elif item.decl.lstrip().startswith('void '):
        out.append('None.')
    else:
        raise DocError('%s: no Return: paragraph' % item.name)
    errs = errors_of(item, errors)
    if errs:
        out += ['.SH ERRORS']
        for code, when in errs:
            out += ['.TP', '.B \\-%s' % code, text_line(inline(when[0].upper() + when[1:]) + '.')]
        out += ['.PP', '\\fBaug_strerror\\fP(3) explains each code.']
    see = ['\\fBlibaugustus\\fP(7)'] + ['\\fB%s\\fP(3)' % esc(s) for s in siblings
                                        if s != item.name]
    out += ['.SH SEE ALSO', ',\n'.join(see)]
    return '\n'.join(out) + '\n'


def umbrella_overview(path):
    """The leading comment of augustus.h as troff: its paragraphs and its
    ' - ' lists."""
    text = open(path, encoding='utf-8').read()
    m = re.search(r'/\*\n(.*?)\*/', text, re.S)
    if not m:
        return None
    lines = comment_lines(m.group(1))
    out, cur = [], []
    for line in lines + ['']:
        if line.strip():
            cur.append(line)
            continue
        if not cur:
            continue
        # a lead-in, then ' - ' items
        items, lead = [], []
        for l in cur:
            if l.lstrip().startswith('- '):
                items.append([l.lstrip()[2:]])
            elif items:
                items[-1].append(l)
            else:
                lead.append(l)
        if lead:
            out += ['.PP', text_line(inline(join(lead)))]
        for i in items:
            out += ['.IP \\(bu 2', text_line(inline(join(i)))]
        cur = []
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--version', required=True)
    ap.add_argument('--map', required=True)
    ap.add_argument('--errors', required=True)
    ap.add_argument('--outdir', required=True)
    ap.add_argument('headers', nargs='+')
    args = ap.parse_args()
    try:
        symbols = read_map(args.map)
        errors = read_errors(args.errors)
        headers, types, funcs = [], {}, {}
        for h in sorted(args.headers, key=os.path.basename):
            items, notes = parse_header(h)
            name = os.path.basename(h)
            overview = []
            if name == 'augustus.h':
                overview, notes = umbrella_overview(h), []
                if not overview:
                    raise DocError('augustus.h has no overview comment')
            headers.append((name, items, notes, overview))
            for i in items:
                (funcs if i.kind == 'function' else types)[i.name] = i
        missing = [s for s in symbols if s not in funcs]
        if missing:
            raise DocError('exported but not documented in a header: ' + ', '.join(missing))
        extra = [f for f in funcs if f not in symbols]
        if extra:
            raise DocError('documented but not exported (libaugustus.map): ' + ', '.join(extra))
        os.makedirs(args.outdir, exist_ok=True)
        for s in symbols:
            item = funcs[s]
            # See also: the functions of the same object (aug_<object>_*),
            # or of the same header when it has no other.
            obj = s.split('_')[1]
            siblings = [i.name for i in funcs.values()
                        if i.header == item.header and i.name.split('_')[1] == obj]
            if len(siblings) < 2:
                siblings = [i.name for i in funcs.values() if i.header == item.header]
            with open(os.path.join(args.outdir, s + '.3'), 'w') as f:
                f.write(function_page(item, types, siblings, errors, args.version))
        with open(os.path.join(args.outdir, 'libaugustus.7'), 'w') as f:
            f.write(overview_page(headers, set(symbols), args.version))
    except (DocError, OSError) as e:
        sys.stderr.write('kdoc2man: %s\n' % e)
        return 1
    return 0


def overview_page(headers, functions, version):
    """libaugustus(7): augustus.h's overview, each header's notes, and every
    function with its summary. @headers: (name, items, notes, overview)."""
    out = th('libaugustus', 7, version)
    out += ['.SH NAME', 'libaugustus \\- build and run lightweight virtual machines on Linux KVM',
            '.SH SYNOPSIS', '.nf', '.B #include <augustus/augustus.h>', '.fi', '.PP',
            'Link with \\fI\\-laugustus\\fP (\\fBpkg\\-config \\-\\-libs augustus\\fP).',
            '.SH DESCRIPTION']
    out += [h for h in headers if h[0] == 'augustus.h'][0][3]
    for name, items, notes, _ in headers:
        funcs = [i for i in items if i.kind == 'function' and i.name in functions]
        if not funcs:
            continue
        out += ['.SS <augustus/%s>' % esc(name)]
        for n in notes:
            out += ['.PP', text_line(inline(n))]
        for f in funcs:
            out += ['.TP', '\\fB%s\\fP(3)' % esc(f.name), text_line(inline(f.summary))]
    out += ['.SH SEE ALSO', '\\fBaugustus\\fP(1), \\fBkvm_demo\\fP(1)']
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    sys.exit(main())
