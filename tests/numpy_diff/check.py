#!/usr/bin/env python3
"""Differential test: run generated Arr programs and compare with NumPy.

    python3 tests/numpy_diff/check.py --arr target/release/arr [--seed S] [--count N]
                                      [--keep DIR] [--list-failures-only] [-v]
    python3 tests/numpy_diff/check.py --self-test

gen.py draws the cases (see there).  All cases go into one program first; if
that program fails (Arr stops at the first error, and checks the whole script
before running any of it), the cases without complete output are split into
smaller programs and run again, down to one case per program, so one
unsupported feature does not hide the other results.

A case passes when Arr prints the same dtype, the same shape and the same
values: ints and bools exactly, floats within a relative tolerance of 1e-12
(1e-5 for f32 results, and for cases where an f32 intermediate came from a
transcendental function, pow, a reduction or a scan) plus an absolute slack
of 8 * rtol * (largest finite magnitude
seen while NumPy evaluated the case, inputs and intermediates included), which
absorbs summation-order differences in reductions; nan matches nan, infinities
must match exactly.  A float must print as a float (`3.0`, not `3`).

The last line is always `numpy_diff: N passed, M failed`; the exit status is 1
if any case failed, 0 otherwise, 2 for a bad command line.
"""
import argparse
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree


# ----------------------------------------------------------------------------
# parsing Arr's printed output (LANGUAGE.md section 12)

class ParseError(Exception):
    pass


TOKEN = re.compile(r'\s*(\[|\]|,|\.\.\.|[^\s\[\],]+)')
INT_RE = re.compile(r'^[+-]?\d+$')
FLOAT_RE = re.compile(r'^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$')
MARK_RE = re.compile(r'^\s*"?case"?\s+(\d+)\s*$')
DTYPE_LINE_RE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(\(.*\))\s*$')


def parse_scalar(tok):
    """bool -> bool, integer text -> int, float text -> float."""
    if tok == 'true':
        return True
    if tok == 'false':
        return False
    if tok in ('nan', '-nan', '+nan'):
        return math.nan
    if tok in ('inf', '+inf'):
        return math.inf
    if tok == '-inf':
        return -math.inf
    if INT_RE.match(tok):
        return int(tok)
    if FLOAT_RE.match(tok):
        return float(tok)
    raise ParseError('cannot read %r as a number or bool' % tok)


def tokenize(text):
    pos, toks = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ParseError('cannot tokenize at %r' % text[pos:pos + 20])
        toks.append(m.group(1))
        pos = m.end()
    return toks


def parse_value(text):
    """Arr's printed array or scalar -> nested Python lists of bool/int/float."""
    toks = tokenize(text)
    if not toks:
        raise ParseError('empty value')
    pos = 0

    def value():
        nonlocal pos
        if pos >= len(toks):
            raise ParseError('unexpected end of value')
        t = toks[pos]
        if t == '[':
            pos += 1
            items = []
            if pos < len(toks) and toks[pos] == ']':
                pos += 1
                return items
            while True:
                items.append(value())
                if pos >= len(toks):
                    raise ParseError('unclosed [')
                if toks[pos] == ',':
                    pos += 1
                    if pos < len(toks) and toks[pos] == ']':
                        pos += 1
                        return items
                    continue
                if toks[pos] == ']':
                    pos += 1
                    return items
                raise ParseError('expected , or ] but found %r' % toks[pos])
        if t == '...':
            raise ParseError('summarised output (...)')
        if t in (']', ','):
            raise ParseError('unexpected %r' % t)
        pos += 1
        return parse_scalar(t)

    v = value()
    if pos != len(toks):
        raise ParseError('trailing text after value: %r' % ' '.join(toks[pos:pos + 5]))
    return v


def parse_shape(text):
    """'(4, 6)' -> [4, 6]; '(3,)' -> [3]; '()' -> []; '?' stays '?'."""
    t = text.strip()
    if not (t.startswith('(') and t.endswith(')')):
        raise ParseError('shape %r is not a tuple' % text)
    inner = t[1:-1].strip()
    if not inner:
        return []
    parts = [p.strip() for p in inner.split(',')]
    if parts[-1] == '':
        parts.pop()
    elif len(parts) == 1:
        raise ParseError('one-element tuple %r lacks the trailing comma' % text)
    out = []
    for p in parts:
        if p == '?':
            out.append('?')
        elif INT_RE.match(p):
            out.append(int(p))
        else:
            raise ParseError('bad dimension %r in shape %r' % (p, text))
    return out


def value_shape(v):
    """Shape of nested lists; raises if ragged."""
    if not isinstance(v, list):
        return []
    if not v:
        return [0]
    subs = [value_shape(x) for x in v]
    if any(s != subs[0] for s in subs):
        raise ParseError('ragged nested lists')
    return [len(v)] + subs[0]


def flatten(v):
    if isinstance(v, list):
        for x in v:
            yield from flatten(x)
    else:
        yield v


def split_blocks(stdout):
    """stdout -> {case id: [lines after the marker]} (in output order)."""
    blocks, cur = {}, None
    for line in stdout.splitlines():
        m = MARK_RE.match(line)
        if m:
            cur = int(m.group(1))
            blocks[cur] = []
        elif cur is not None:
            if line.strip():
                blocks[cur].append(line)
    return blocks


def block_complete(lines):
    return bool(lines) and len(lines) >= 2 and bool(DTYPE_LINE_RE.match(lines[-1]))


def decode_expected(v):
    if isinstance(v, list):
        return [decode_expected(x) for x in v]
    if isinstance(v, str):
        return float(v)
    return v


# ----------------------------------------------------------------------------
# comparing one case

def short(v, limit=100):
    s = fmt_value(v)
    return s if len(s) <= limit else s[:limit - 4] + ' ...'


def fmt_value(v):
    if isinstance(v, list):
        return '[' + ', '.join(fmt_value(x) for x in v) + ']'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        return repr(v)
    return str(v)


def fmt_shape(s):
    s = [str(x) for x in s]
    return '(' + ', '.join(s) + (',)' if len(s) == 1 else ')')


def index_of(k, shape):
    idx = []
    for d in reversed(shape):
        idx.append(k % d if d else 0)
        k //= d if d else 1
    return list(reversed(idx))


def compare(case, lines):
    """-> (ok, message, got summary)."""
    if not block_complete(lines):
        return False, 'incomplete output', ' / '.join(lines)[:200]
    dline = lines[-1]
    vtext = ' '.join(l.strip() for l in lines[:-1])
    m = DTYPE_LINE_RE.match(dline)
    got_dt = m.group(1)
    try:
        got_shape = parse_shape(m.group(2))
    except ParseError as e:
        return False, str(e), dline
    try:
        got = parse_value(vtext)
    except ParseError as e:
        return False, 'cannot parse value: %s' % e, vtext[:200]
    summary = '%s %s %s' % (got_dt, fmt_shape(got_shape), short(got))
    exp_dt, exp_shape = case['dtype'], case['shape']
    if got_dt != exp_dt:
        return False, 'dtype %s, expected %s' % (got_dt, exp_dt), summary
    if len(got_shape) != len(exp_shape) or any(
            g != '?' and g != e for g, e in zip(got_shape, exp_shape)):
        return False, 'shape %s, expected %s' % (fmt_shape(got_shape), fmt_shape(exp_shape)), summary
    if '?' in got_shape and not case.get('unknown_shape'):
        return False, 'shape %s has ? where none is expected' % fmt_shape(got_shape), summary
    try:
        vshape = value_shape(got)
    except ParseError as e:
        return False, str(e), summary
    if vshape != exp_shape:
        return False, 'printed value has shape %s, expected %s' % (
            fmt_shape(vshape), fmt_shape(exp_shape)), summary
    exp = decode_expected(case['expected'])
    rtol = case['rtol']
    atol = 8 * rtol * case.get('scale', 0.0)
    for k, (g, e) in enumerate(zip(flatten(got), flatten(exp))):
        why = element_mismatch(exp_dt, g, e, rtol, atol)
        if why:
            where = 'value' + ('[%s]' % ', '.join(map(str, index_of(k, exp_shape))) if exp_shape else '')
            return False, '%s: %s' % (where, why), summary
    return True, '', summary


def element_mismatch(dt, g, e, rtol, atol):
    if dt == 'bool':
        if not isinstance(g, bool):
            return 'printed %s for a bool' % fmt_value(g)
        return None if g == e else 'got %s, expected %s' % (fmt_value(g), fmt_value(e))
    if dt in ('u8', 'i32', 'i64'):
        if isinstance(g, bool) or not isinstance(g, int):
            return 'printed %s for an integer' % fmt_value(g)
        return None if g == e else 'got %d, expected %d' % (g, e)
    # floats
    if isinstance(g, bool) or not isinstance(g, float):
        return 'printed %s for a float (section 12 prints floats like 3.0)' % fmt_value(g)
    e = float(e)
    if math.isnan(e) or math.isnan(g):
        return None if math.isnan(e) and math.isnan(g) else 'got %r, expected %r' % (g, e)
    if math.isinf(e) or math.isinf(g):
        return None if g == e else 'got %r, expected %r' % (g, e)
    if abs(g - e) <= rtol * max(abs(g), abs(e)) + atol:
        return None
    return 'got %r, expected %r (rel err %.3g)' % (g, e, abs(g - e) / max(abs(e), 1e-300))


# ----------------------------------------------------------------------------
# running Arr

class Runner:
    def __init__(self, arr_cmd, workdir, cases_by_id, timeout, jobs, seed, quiet, extra):
        self.arr_cmd, self.workdir, self.cases = arr_cmd, workdir, cases_by_id
        self.timeout, self.jobs, self.seed, self.quiet, self.extra = timeout, jobs, seed, quiet, extra
        self.nrun = 0

    def log(self, msg):
        if not self.quiet:
            print(msg, flush=True)

    def run(self, ids, tag):
        import gen
        path = os.path.join(self.workdir, 'prog_%s.arr' % tag)
        with open(path, 'w') as f:
            f.write(gen.program([self.cases[i] for i in ids], self.seed))
        cmd = self.arr_cmd + self.extra + [path]
        self.nrun += 1
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=self.timeout)
            rc, out, err, to = p.returncode, p.stdout, p.stderr, False
        except subprocess.TimeoutExpired as e:
            rc, out, err, to = None, e.stdout or b'', e.stderr or b'', True
        except OSError as e:
            raise SystemExit('check.py: cannot run %s: %s' % (' '.join(cmd), e))
        out = out.decode('utf-8', 'replace') if isinstance(out, bytes) else out
        err = err.decode('utf-8', 'replace') if isinstance(err, bytes) else err
        with open(path[:-4] + '.stdout', 'w') as f:
            f.write(out)
        with open(path[:-4] + '.stderr', 'w') as f:
            f.write(err)
        return rc, out, err, to

    def run_all(self, ids, batch):
        """-> ({id: lines}, {id: error message}) for every id."""
        outputs, errors = {}, {}
        if batch and batch < len(ids):
            queue = [ids[k:k + batch] for k in range(0, len(ids), batch)]
        else:
            queue = [ids]
        level = 0
        while queue:
            tags = ['L%d_%d' % (level, k) for k in range(len(queue))]
            if level > 0:
                self.log('bisect: %d programs with %d cases in all' % (
                    len(queue), sum(map(len, queue))))
            with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as ex:
                results = list(ex.map(lambda bt: self.run(*bt), zip(queue, tags)))
            nxt = []
            for batch_ids, (rc, out, err, to) in zip(queue, results):
                blocks = split_blocks(out)
                rest = []
                for i in batch_ids:
                    if block_complete(blocks.get(i)):
                        outputs[i] = blocks[i]
                    else:
                        rest.append(i)
                if not rest:
                    if rc != 0:
                        self.log('note: arr exited %s after printing every case: %s' % (
                            'on timeout' if to else rc, describe_failure(rc, err, to, self.timeout)))
                    continue
                if rc == 0 and not to:
                    for i in rest:
                        if i in blocks:
                            outputs[i] = blocks[i]
                        else:
                            errors[i] = 'no output for this case although arr exited 0'
                    continue
                if len(rest) == 1:
                    errors[rest[0]] = describe_failure(rc, err, to, self.timeout)
                    continue
                k = 4 if len(rest) > 16 else 2
                size = -(-len(rest) // k)
                nxt += [rest[j:j + size] for j in range(0, len(rest), size)]
            queue = nxt
            level += 1
        return outputs, errors


def describe_failure(rc, err, timed_out, timeout):
    if timed_out:
        return 'timed out after %ss' % timeout
    lines = [l for l in err.splitlines() if l.strip()]
    first = next((l for l in lines if l.lstrip().startswith('error')), None)
    if first is None:
        first = lines[0] if lines else ''
        if 'panicked' in err:
            first = next(l for l in lines if 'panicked' in l)
    return 'arr exited %s: %s' % (rc, first.strip()[:300])


# ----------------------------------------------------------------------------
# main

def parse_ids(spec, count):
    ids = set()
    for part in spec.split(','):
        part = part.strip()
        if '-' in part:
            a, b = part.split('-')
            ids.update(range(int(a), int(b) + 1))
        elif part:
            ids.add(int(part))
    return sorted(i for i in ids if 0 <= i < count)


def repro(case):
    import gen
    lines = ['# numpy: ' + s for s in case['np_setup']]
    lines.append('# numpy: r = ' + case['np'])
    lines.append('# expected: %s %s' % (case['dtype'], fmt_shape(case['shape'])))
    return '\n'.join(lines) + '\n' + gen.case_block(case)


def run_check(a):
    import gen
    arr_cmd = shlex.split(a.arr)
    if arr_cmd and os.sep in arr_cmd[0] and os.path.exists(arr_cmd[0]):
        arr_cmd[0] = os.path.abspath(arr_cmd[0])
    elif arr_cmd and not shutil.which(arr_cmd[0]):
        print('check.py: arr binary %r not found' % arr_cmd[0], file=sys.stderr)
        return 2
    quiet = a.list_failures_only
    cases, _ = gen.generate(a.seed, a.count)
    by_id = {c['id']: c for c in cases}
    ids = parse_ids(a.cases, a.count) if a.cases else [c['id'] for c in cases]
    if a.skip_tags:
        skip = set(a.skip_tags.split(','))
        ids = [i for i in ids if not skip.intersection(by_id[i]['tags'])]
    if a.keep:
        workdir = os.path.abspath(a.keep)
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir = tempfile.mkdtemp(prefix='numpy_diff_')
    try:
        gen.write([by_id[i] for i in ids], workdir, a.seed)
        runner = Runner(arr_cmd, workdir, by_id, a.timeout, a.jobs, a.seed, quiet,
                        shlex.split(a.arr_args or ''))
        if not quiet:
            print('numpy_diff: %d cases (seed %s) with %s' % (len(ids), a.seed, ' '.join(arr_cmd)),
                  flush=True)
        outputs, errors = runner.run_all(ids, a.batch)
        npass = nfail = 0
        fails = []
        for i in ids:
            c = by_id[i]
            if i in errors:
                ok, why, got = False, errors[i], ''
            else:
                ok, why, got = compare(c, outputs[i])
            if ok:
                npass += 1
                if a.verbose and not quiet:
                    print('ok   case %d [%s]: %s' % (i, c['cat'], c['arr']))
                continue
            nfail += 1
            fails.append(i)
            exp = '%s %s %s' % (c['dtype'], fmt_shape(c['shape']),
                                short(decode_expected(c['expected'])))
            if quiet:
                print('FAIL case %d [%s]: %s -- %s' % (i, c['cat'], c['arr'], why))
            else:
                print('FAIL case %d [%s]: %s -- %s | expected %s | got %s' % (
                    i, c['cat'], c['arr'], why, exp, got or '-'))
                if a.verbose:
                    for s in c['arr_setup']:
                        print('         %s' % s)
                    print('         numpy: %s' % c['np'])
        if a.keep and fails:
            fd = os.path.join(workdir, 'failures')
            os.makedirs(fd, exist_ok=True)
            for i in fails:
                with open(os.path.join(fd, 'case_%d.arr' % i), 'w') as f:
                    f.write(repro(by_id[i]))
        if not quiet:
            print('(%d arr runs; work files in %s)' % (
                runner.nrun, workdir if a.keep else 'a temporary folder, removed; use --keep DIR'))
        print('numpy_diff: %d passed, %d failed' % (npass, nfail), flush=True)
        return 1 if nfail else 0
    finally:
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arr', help='the arr binary (or a command line, split like a shell)')
    ap.add_argument('--seed', default='0')
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--keep', metavar='DIR', help='keep programs, outputs and repros in DIR')
    ap.add_argument('--list-failures-only', action='store_true',
                    help='print only one line per failing case and the summary')
    ap.add_argument('--cases', help='only these case ids, e.g. 3,17,40-50')
    ap.add_argument('--batch', type=int, default=0,
                    help='cases per program on the first run (0 = all in one program)')
    ap.add_argument('--timeout', type=float, default=120, help='seconds per arr run')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1,
                    help='arr runs in parallel while bisecting')
    ap.add_argument('--arr-args', default='', help='extra arguments for arr, e.g. "--threads 4"')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--skip-tags', default='',
                    help='leave out cases with any of these tags, e.g. mask,gather')
    ap.add_argument('--self-test', action='store_true', help='test the parser and the harness')
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.arr:
        ap.error('--arr is required (or --self-test)')
    return run_check(a)


# ----------------------------------------------------------------------------
# self-test

def self_test():
    fails = 0

    def expect(cond, what):
        nonlocal fails
        if not cond:
            fails += 1
            print('SELF-TEST FAIL: %s' % what)

    # scalars and arrays in section 12's format
    samples = [
        ('[[1.0, 2.5], [3.0, 4.0]]', [[1.0, 2.5], [3.0, 4.0]]),
        ('3', 3), ('-7', -7), ('3.0', 3.0), ('1e-06', 1e-06), ('1e-6', 1e-6), ('-1.5e+20', -1.5e20),
        ('true', True), ('false', False),
        ('[true, false, true]', [True, False, True]),
        ('[nan, inf, -inf, -0.0, 0.1]', None),
        ('[[[1, 2]], [[3, 4]]]', [[[1, 2]], [[3, 4]]]),
        ('[1.0,2.0 , 3.0]', [1.0, 2.0, 3.0]),
        ('[[1.0, 2.0],\n [3.0, 4.0]]', [[1.0, 2.0], [3.0, 4.0]]),
        ('[]', []),
        ('.5', 0.5), ('2.', 2.0),
    ]
    for text, want in samples:
        try:
            got = parse_value(text)
        except ParseError as e:
            expect(False, 'parse %r raised %s' % (text, e))
            continue
        if want is None:
            ok = (math.isnan(got[0]) and got[1] == math.inf and got[2] == -math.inf
                  and got[3] == 0.0 and math.copysign(1, got[3]) < 0 and got[4] == 0.1)
        else:
            ok = got == want and type(got) is type(want)
            if isinstance(got, list):
                ok = ok and [type(x) for x in flatten(got)] == [type(x) for x in flatten(want)]
        expect(ok, 'parse %r -> %r' % (text, got))
    for bad in ['[1, 2', '[1, 2]]', '[1, ..., 3]', 'abc', '[1 2]', '', '[[1, 2], [3]]x', 'NaN']:
        try:
            v = parse_value(bad)
            value_shape(v)
            expect(False, 'parse %r should fail, gave %r' % (bad, v))
        except ParseError:
            pass
    try:
        value_shape(parse_value('[[1, 2], [3]]'))
        expect(False, 'ragged value accepted')
    except ParseError:
        pass
    for text, want in [('()', []), ('(3,)', [3]), ('(4, 6)', [4, 6]), ('(?,)', ['?']),
                       ('(2, 3, 4)', [2, 3, 4]), ('(2,3)', [2, 3])]:
        expect(parse_shape(text) == want, 'shape %r -> %r' % (text, parse_shape(text)))
    for bad in ['(3)', '[3]', '4, 6', '(a,)']:
        try:
            parse_shape(bad)
            expect(False, 'shape %r should fail' % bad)
        except ParseError:
            pass

    # block splitting and comparison
    out = ('noise before\ncase 0\n[[1.0, 2.5], [3.0, 4.0]]\nf64 (2, 2)\ncase 1\n3\ni64 ()\n'
           'case 2\n[true, false]\nbool (2,)\ncase 3\n[1.0, 2.0\n')
    blocks = split_blocks(out)
    expect(sorted(blocks) == [0, 1, 2, 3], 'blocks %r' % blocks)
    expect(block_complete(blocks[0]) and block_complete(blocks[1]) and block_complete(blocks[2])
           and not block_complete(blocks[3]), 'completeness')
    c0 = {'dtype': 'f64', 'shape': [2, 2], 'expected': [[1.0, 2.5], [3.0, 4.0]], 'rtol': 1e-12,
          'scale': 4.0}
    expect(compare(c0, blocks[0])[0], 'case 0 should pass')
    expect(not compare(dict(c0, dtype='f32'), blocks[0])[0], 'dtype mismatch not caught')
    expect(not compare(dict(c0, shape=[4]), blocks[0])[0], 'shape mismatch not caught')
    expect(not compare(dict(c0, expected=[[1.0, 2.5], [3.0, 4.1]]), blocks[0])[0],
           'value mismatch not caught')
    near = 4.0 * (1 + 1e-14)
    expect(compare(dict(c0, expected=[[1.0, 2.5], [3.0, near]]), blocks[0])[0], 'tolerance')
    expect(compare({'dtype': 'i64', 'shape': [], 'expected': 3, 'rtol': 1e-12, 'scale': 3},
                   blocks[1])[0], 'scalar int')
    expect(not compare({'dtype': 'f64', 'shape': [], 'expected': 3.0, 'rtol': 1e-12, 'scale': 3},
                       ['3', 'f64 ()'])[0], 'float printed as int must fail')
    expect(compare({'dtype': 'f64', 'shape': [3], 'expected': ['nan', 'inf', 1.0], 'rtol': 1e-12,
                    'scale': 1}, ['[nan, inf, 1.0]', 'f64 (3,)'])[0], 'nan/inf')
    expect(not compare({'dtype': 'f64', 'shape': [2], 'expected': ['nan', 1.0], 'rtol': 1e-12,
                        'scale': 1}, ['[1.0, 1.0]', 'f64 (2,)'])[0], 'nan vs number')
    expect(not compare({'dtype': 'f64', 'shape': [1], 'expected': ['-inf'], 'rtol': 1e-12,
                        'scale': 1}, ['[inf]', 'f64 (1,)'])[0], '-inf vs inf')
    expect(compare({'dtype': 'f32', 'shape': [1], 'expected': [float.fromhex('0x1.99999ap-4')],
                    'rtol': 1e-5, 'scale': 1}, ['[0.1]', 'f32 (1,)'])[0], 'f32 shortest repr')
    expect(compare({'dtype': 'bool', 'shape': [2], 'expected': [True, False], 'rtol': 1e-12,
                    'scale': 0}, blocks[2])[0], 'bools')
    expect(not compare({'dtype': 'bool', 'shape': [2], 'expected': [True, False], 'rtol': 1e-12,
                        'scale': 0}, ['[1, 0]', 'bool (2,)'])[0], 'bools printed as ints')
    expect(compare({'dtype': 'f64', 'shape': [2], 'expected': [1.0, 2.0], 'rtol': 1e-12,
                    'scale': 2, 'unknown_shape': True}, ['[1.0, 2.0]', 'f64 (?,)'])[0],
           '? dimension')
    expect(not compare({'dtype': 'f64', 'shape': [2], 'expected': [1.0, 2.0], 'rtol': 1e-12,
                        'scale': 2}, ['[1.0, 2.0]', 'f64 (?,)'])[0], 'unexpected ?')
    expect(not compare(c0, blocks[3])[0], 'incomplete block must fail')

    # end to end, with mock_arr.py standing in for arr
    mock = os.path.join(HERE, 'mock_arr.py')
    env0 = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix='numpy_diff_selftest_')

    def e2e(count, env, extra=()):
        e = dict(env0)
        for k in list(e):
            if k.startswith('MOCK_ARR_'):
                del e[k]
        e.update(env)
        p = subprocess.run([sys.executable, os.path.abspath(__file__), '--arr',
                            '%s %s' % (shlex.quote(sys.executable), shlex.quote(mock)),
                            '--seed', 'selftest', '--count', str(count),
                            '--list-failures-only'] + list(extra),
                           capture_output=True, text=True, env=e)
        lines = p.stdout.strip().splitlines()
        failed = sorted(int(re.match(r'FAIL case (\d+)', l).group(1))
                        for l in lines if l.startswith('FAIL'))
        return p.returncode, failed, lines[-1] if lines else p.stderr

    try:
        import gen
        n = 80
        cases, _ = gen.generate('selftest', n)
        rc, failed, last = e2e(n, {})
        expect(rc == 0 and failed == [] and last == 'numpy_diff: %d passed, 0 failed' % n,
               'clean mock run: rc=%s failed=%s last=%r' % (rc, failed, last))
        rc, failed, last = e2e(n, {'MOCK_ARR_MULTILINE': '1'})
        expect(rc == 0 and failed == [], 'multi-line arrays: rc=%s failed=%s' % (rc, failed))
        # an unsupported feature anywhere stops the whole program (checked before running)
        pat = r'\bcumsum\b|\btriu\b|\bnanmean\b|\[array\('
        want = [c['id'] for c in cases
                if any(re.search(pat, s) for s in c['arr_setup'] + [c['arr']])]
        rc, failed, last = e2e(n, {'MOCK_ARR_UNSUPPORTED': pat})
        expect(rc == 1 and failed == want and last == 'numpy_diff: %d passed, %d failed' % (
            n - len(want), len(want)), 'bisection: want %s got %s (%r)' % (want, failed, last))
        expect(len(want) > 0, 'self-test pattern matched no case')
        # runtime errors part-way, wrong values, wrong dtypes
        rc, failed, last = e2e(n, {'MOCK_ARR_RUNTIME_FAIL': '5,40', 'MOCK_ARR_WRONG': '7,60',
                                   'MOCK_ARR_WRONG_DTYPE': '11'})
        expect(rc == 1 and failed == [5, 7, 11, 40, 60],
               'runtime/wrong: got %s (%r)' % (failed, last))
        rc, failed, last = e2e(n, {'MOCK_ARR_RUNTIME_FAIL': '3'}, ['--batch', '7', '--jobs', '3'])
        expect(rc == 1 and failed == [3], 'batched: got %s (%r)' % (failed, last))
        rc, failed, last = e2e(n, {'MOCK_ARR_HANG': '9'}, ['--timeout', '2', '--cases', '0-12'])
        expect(rc == 1 and failed == [9] and last == 'numpy_diff: 12 passed, 1 failed',
               'timeout: got %s (%r)' % (failed, last))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('self-test: %s' % ('ok' if not fails else '%d failures' % fails))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
