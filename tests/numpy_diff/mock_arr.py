#!/usr/bin/env python3
"""A stand-in for `arr FILE.arr`, used only by `check.py --self-test`.

It does not interpret Arr: it finds the `print("case", N)` markers in FILE.arr,
looks the cases up in the cases.json written next to it by check.py and prints
the expected values in the format of LANGUAGE.md section 12.  Environment
variables make it misbehave so the harness can be tested:

  MOCK_ARR_UNSUPPORTED=REGEX   any program line matching REGEX: "error: ..." on
                               stderr, exit 1, no output (a whole-script check)
  MOCK_ARR_RUNTIME_FAIL=3,17   stop with an error when reaching these cases
  MOCK_ARR_WRONG=4,9           print a wrong value for these cases
  MOCK_ARR_WRONG_DTYPE=5       print a wrong dtype for these cases
  MOCK_ARR_HANG=8              sleep forever at these cases
  MOCK_ARR_MULTILINE=1         print arrays one row per line
"""
import json
import os
import re
import sys
import time

import numpy as np


def ids_from(var):
    return {int(x) for x in os.environ.get(var, '').split(',') if x.strip()}


def fmt_scalar(x, dt):
    if dt == 'bool':
        return 'true' if x else 'false'
    if dt in ('u8', 'i32', 'i64'):
        return str(int(x))
    if isinstance(x, str):
        x = float(x)
    if dt == 'f32':
        return str(np.float32(x))
    return repr(float(x))


def fmt(v, dt, depth=0, multiline=False):
    if isinstance(v, list):
        sep = ',\n' + ' ' * (depth + 1) if multiline and depth == 0 and v and \
            isinstance(v[0], list) else ', '
        return '[' + sep.join(fmt(x, dt, depth + 1, multiline) for x in v) + ']'
    return fmt_scalar(v, dt)


def perturb(v):
    if isinstance(v, list):
        return [perturb(v[0])] + v[1:]
    if isinstance(v, bool):
        return not v
    if isinstance(v, str):
        return 0.0 if v != '0.0' else 1.0
    return v + 1


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if not args:
        print('usage: mock_arr.py FILE.arr', file=sys.stderr)
        return 2
    path = args[0]
    src = open(path).read()
    pat = os.environ.get('MOCK_ARR_UNSUPPORTED')
    if pat:
        for n, line in enumerate(src.splitlines(), 1):
            if not line.lstrip().startswith('#') and re.search(pat, line):
                print('error: unsupported (mock)\n --> %s:%d:1' % (path, n), file=sys.stderr)
                return 1
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), 'cases.json')) as f:
        cases = {c['id']: c for c in json.load(f)['cases']}
    fail, wrong, wrong_dt, hang = (ids_from('MOCK_ARR_RUNTIME_FAIL'), ids_from('MOCK_ARR_WRONG'),
                                   ids_from('MOCK_ARR_WRONG_DTYPE'), ids_from('MOCK_ARR_HANG'))
    multiline = os.environ.get('MOCK_ARR_MULTILINE') == '1'
    for m in re.finditer(r'print\("case", (\d+)\)', src):
        i = int(m.group(1))
        c = cases[i]
        if i in fail:
            sys.stdout.flush()
            print('error: runtime failure (mock) in case %d' % i, file=sys.stderr)
            return 1
        if i in hang:
            sys.stdout.flush()
            time.sleep(3600)
        v = c['expected']
        if i in wrong:
            v = perturb(v)
        dt = c['dtype']
        shape = ['?'] if c.get('unknown_shape') else c['shape']
        shape_s = '(' + ', '.join(map(str, shape)) + (',)' if len(shape) == 1 else ')')
        print('case', i)
        print(fmt(v, dt, multiline=multiline))
        print({'f64': 'f32'}.get(dt, 'f64') if i in wrong_dt else dt, shape_s)
    return 0


if __name__ == '__main__':
    sys.exit(main())
