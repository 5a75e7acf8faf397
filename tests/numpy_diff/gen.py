#!/usr/bin/env python3
"""Generate random Arr programs together with the values NumPy gives for them.

Every case is a small expression over one to three input arrays.  Each case is
built twice, as Arr source and as NumPy source, from the same random choices;
the NumPy side is evaluated here and its result is the expected value.  Cases
whose NumPy evaluation warns, raises, overflows an integer, yields a dtype Arr
does not have (f16, u64, ...), an empty array or more than 1000 elements are
thrown away and drawn again, so every case kept is well defined.

Case i depends only on (seed, i), not on --count, so a case number is a stable
name for a failure.  Each case is self-contained (its inputs are bound under
names ending in _i), so any subset of cases is itself a valid program.

    python3 gen.py --seed 1 --count 300 --out DIR    # writes DIR/cases.arr, DIR/cases.json
    python3 gen.py --validate                        # re-evaluates the JSON from scratch
    python3 gen.py --stats                           # which features the cases cover
"""
import argparse
import collections
import json
import math
import os
import random
import sys
import warnings

import numpy as np

if int(np.__version__.split('.')[0]) < 2:
    sys.exit('gen.py needs NumPy >= 2 (weak Python scalars, NEP 50); found %s' % np.__version__)

NP2ARR = {'bool': 'bool', 'uint8': 'u8', 'int32': 'i32', 'int64': 'i64',
          'float32': 'f32', 'float64': 'f64'}
ARR2NP = {'bool': 'np.bool_', 'u8': 'np.uint8', 'i32': 'np.int32', 'i64': 'np.int64',
          'f32': 'np.float32', 'f64': 'np.float64'}
FLOAT_DT = ('f64', 'f32')
INT_DT = ('i64', 'i32', 'u8')
SIGNED_DT = ('i64', 'i32')
MAX_RESULT = 1000
MAX_TRIES = 200


# functions whose f32 results are correctly rounded, hence the same everywhere
EXACT_F32 = {'abs', 'sign', 'sqrt', 'floor', 'ceil', 'trunc', 'minimum', 'maximum', 'clip',
             'where', 'isnan', 'isinf', 'isfinite', 'nan_to_num', 'astype', 'reshape',
             'transpose', 'swapaxes', 'moveaxis', 'squeeze', 'expand_dims', 'ravel',
             'broadcast_to', 'stack', 'concatenate', 'hstack', 'vstack', 'flip', 'triu', 'tril',
             'diagonal', 'rechunk', 'zeros_like', 'ones_like', 'full_like'}


class Reject(Exception):
    """The random draw gave a case that is not well defined; draw again."""


# ----------------------------------------------------------------------------
# expressions and source rendering

class E:
    """One expression, as Arr source, NumPy source and the NumPy value."""

    def __init__(self, arr, np_, val, atom=False, lit=False):
        self.arr, self.np, self.val, self.atom, self.lit = arr, np_, val, atom, lit

    @property
    def dt(self):
        if self.lit:
            return 'lit_float' if isinstance(self.val, float) else 'lit_int'
        return NP2ARR[self.val.dtype.name]

    @property
    def shape(self):
        return tuple(np.shape(self.val))

    @property
    def nd(self):
        return len(self.shape)


def pa(e):
    return e.arr if e.atom else '(' + e.arr + ')'


def pn(e):
    return e.np if e.atom else '(' + e.np + ')'


class DT:
    """A dtype argument; `string` renders it as "f32" on the Arr side."""

    def __init__(self, name, string=False):
        self.name, self.string = name, string


class Raw:
    """Literal source text, possibly different on each side."""

    def __init__(self, arr, np_=None):
        self.arr, self.np = arr, (arr if np_ is None else np_)


def src(v):
    """A Python value (or E, DT, Raw) as (arr source, numpy source)."""
    if isinstance(v, E):
        return v.arr, v.np
    if isinstance(v, Raw):
        return v.arr, v.np
    if isinstance(v, DT):
        return ('"%s"' % v.name if v.string else v.name), ARR2NP[v.name]
    if isinstance(v, bool):
        return ('true', 'True') if v else ('false', 'False')
    if isinstance(v, int):
        return str(v), str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return 'nan', 'np.nan'
        if math.isinf(v):
            return ('inf', 'np.inf') if v > 0 else ('-inf', '-np.inf')
        return repr(v), repr(v)
    if isinstance(v, tuple):
        items = [src(x) for x in v]
        if len(items) == 1:
            return '(%s,)' % items[0][0], '(%s,)' % items[0][1]
        return ('(' + ', '.join(a for a, _ in items) + ')',
                '(' + ', '.join(b for _, b in items) + ')')
    if isinstance(v, list):
        items = [src(x) for x in v]
        return ('[' + ', '.join(a for a, _ in items) + ']',
                '[' + ', '.join(b for _, b in items) + ']')
    raise TypeError(repr(v))


def arglist(pos, kw):
    a, n = [], []
    for v in pos:
        x, y = src(v)
        a.append(x)
        n.append(y)
    for k, v in kw:
        if v is None:
            continue
        x, y = src(v)
        a.append('%s=%s' % (k, x))
        n.append('%s=%s' % (k, y))
    return ', '.join(a), ', '.join(n)


def fmt_lit(x):
    """(arr, np, atom) for a scalar literal."""
    a, n = src(x)
    neg = a.startswith('-')
    return a, n, not neg


# ----------------------------------------------------------------------------
# the per-case context

class Ctx:
    def __init__(self, rng, cid):
        self.rng = rng
        self.cid = cid
        self.env = {'np': np}
        self.setup_arr = []
        self.setup_np = []
        self.nnames = 0
        self.scale = 0.0
        self.allow_fp = False
        self.unknown_shape = False
        self.tags = set()
        # set when an f32 value came from an operation whose last bit depends on the
        # implementation (transcendental functions, pow, reductions, scans...); the
        # case then gets the f32 tolerance even if its result is f64
        self.f32_inexact = False

    # -- evaluation
    def ev(self, np_src):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            if self.allow_fp:
                errs = dict(all='ignore')
            else:
                errs = dict(all='raise', under='ignore')
            with np.errstate(**errs):
                v = eval(np_src, self.env)
        v = np.asarray(v)
        if v.dtype.name not in NP2ARR:
            raise Reject('dtype ' + v.dtype.name)
        if v.size == 0:
            raise Reject('empty')
        if v.size > 20000:
            raise Reject('too big')
        self.track(v)
        return v

    def track(self, v):
        if isinstance(v, (bool, np.bool_)):
            return
        if isinstance(v, (int, float)):
            if math.isfinite(v):
                self.scale = max(self.scale, abs(float(v)))
            return
        if v.dtype.kind in 'fiu' and v.size:
            f = v.astype(np.float64)
            f = np.abs(f[np.isfinite(f)])
            if f.size:
                self.scale = max(self.scale, float(f.max()))

    def node(self, arr, np_, atom=False):
        return E(arr, np_, self.ev(np_), atom=atom)

    def inexact(self, e, flag=True):
        if flag and not e.lit and e.val.dtype == np.float32:
            self.f32_inexact = True
        return e

    def lit(self, x):
        a, n, atom = fmt_lit(x)
        self.track(x)
        return E(a, n, x, atom=atom, lit=True)

    def call(self, name, x, pos=(), kw=(), npname=None, method=None):
        """name(x, *pos, **kw) on the Arr side (or x.name(...) in method form)."""
        rng = self.rng
        npname = npname or ('np.' + name)
        if method is None:
            method = isinstance(x, E) and not x.lit and rng.random() < 0.3
        a_rest, n_rest = arglist(pos, kw)
        xa, xn = src(x)
        if method:
            arr = '%s.%s(%s)' % (pa(x), name, a_rest)
            self.tags.add('method')
        else:
            arr = '%s(%s)' % (name, xa + (', ' + a_rest if a_rest else ''))
        np_ = '%s(%s)' % (npname, xn + (', ' + n_rest if n_rest else ''))
        self.tags.add(name)
        return self.inexact(self.node(arr, np_, atom=True), name not in EXACT_F32)

    # -- naming
    def fresh(self):
        letter = 'abcdefghijklmnopqrstuvwxyz'[self.nnames]
        self.nnames += 1
        return '%s_%d' % (letter, self.cid)

    def bind(self, e):
        """Bind an expression to a fresh input name (part of the case's setup)."""
        name = self.fresh()
        self.setup_arr.append('%s = %s' % (name, e.arr))
        self.setup_np.append('%s = %s' % (name, e.np))
        self.env[name] = e.val
        return E(name, name, e.val, atom=True)

    # -- inputs
    def input(self, shape, kind='gen', dt='f64', cond=None, form=None):
        """A fresh named input array of the given shape, kind of values and dtype.

        kinds: gen (floats about -5..5), pos (floats > 0), unit (|x| < 1),
        near1 (0.5..1.6), int (-9..9), small (-3..3), nonneg (0..9), posint (1..9),
        nz (nonzero ints), bool.
        """
        shape = tuple(shape)
        for _ in range(60):
            e = build_input(self, shape, kind, dt, form)
            if e.shape != shape or NP2ARR[e.val.dtype.name] != dt:
                raise AssertionError('input builder bug: %s %s %s' % (e.np, e.shape, e.val.dtype))
            if cond is None or cond(e.val):
                return self.bind(e)
        raise Reject('no input satisfying condition')

    def nan_input(self, shape, dt='f64', frac=0.3, with_inf=False, kind='gen'):
        """An input where about `frac` of the values are nan (via where)."""
        x = self.input(shape, kind, dt)
        vals = np.unique(x.val.astype(np.float64))
        if len(vals) < 2:
            raise Reject('constant input')
        k = min(len(vals) - 2, max(0, int(len(vals) * (1 - frac))))
        t = threshold_between(vals[k], vals[k + 1])
        fill = nan
        if with_inf:
            fill = self.rng.choice([math.inf, -math.inf, nan])
        ta, tn = src(t)
        fa, fn = src(fill)
        e = self.node('where(%s > %s, %s, %s)' % (x.arr, ta, fa, x.arr),
                      'np.where(%s > %s, %s, %s)' % (x.np, tn, fn, x.np), atom=True)
        self.tags.add('where')
        if with_inf and self.rng.random() < 0.5:
            # also put some -inf / nan at the low end
            lo = threshold_between(vals[0], vals[1])
            fill2 = self.rng.choice([-math.inf, nan, math.inf])
            la, ln = src(lo)
            ga, gn = src(fill2)
            e = self.node('where(%s < %s, %s, %s)' % (x.arr, la, ga, e.arr),
                          'np.where(%s < %s, %s, %s)' % (x.np, ln, gn, e.np), atom=True)
        return self.bind(e)


nan = float('nan')


def threshold_between(a, b):
    a, b = float(a), float(b)
    for digits in range(1, 17):
        t = round((a + b) / 2, digits)
        if a < t < b and float(np.float32(t)) > a and float(np.float32(t)) < b:
            return t
    return (a + b) / 2


# ----------------------------------------------------------------------------
# input construction

def partition(rng, n):
    if n <= 1:
        return [n]
    k = rng.randint(2, min(n, 4))
    cuts = sorted(rng.sample(range(1, n), k - 1))
    sizes, prev = [], 0
    for c in cuts + [n]:
        sizes.append(c - prev)
        prev = c
    return sizes


def chunk_axis(rng, n):
    if rng.random() < 0.15:
        return -1
    if rng.random() < 0.7:
        return rng.randint(1, max(1, (n + 1) // 2))
    return rng.randint(1, max(1, n))


def chunk_spec(rng, shape):
    """Arr source for a chunks= argument on an array of this shape."""
    r = rng.random()
    if r < 0.25:
        return str(rng.randint(1, max(1, min(shape))))
    if r < 0.7:
        entries = [str(chunk_axis(rng, n)) for n in shape]
        if rng.random() < 0.2:
            return '(' + ', '.join(entries) + (',)' if len(entries) == 1 else ')')
        return '[' + ', '.join(entries) + ']'
    if r < 0.96:
        return '[' + ', '.join('[' + ', '.join(map(str, partition(rng, n))) + ']'
                               for n in shape) + ']'
    return '"auto"'


INT_RANGES = {
    'int': lambda rng: (rng.randint(-9, -1), rng.randint(1, 9)),
    'small': lambda rng: (-3, 3),
    'nonneg': lambda rng: (0, rng.randint(2, 9)),
    'posint': lambda rng: (1, rng.randint(3, 9)),
    'nz': lambda rng: (rng.randint(-6, -1), rng.randint(1, 6)),
    'bool': lambda rng: (0, rng.randint(1, 3)),
}
FLOAT_KINDS = ('gen', 'pos', 'unit', 'near1')


def pattern(ctx, N, lo, hi, chunks=None, dtype=None):
    """i64 values in [lo, hi], shuffled by a multiplier: (arange(N) * p % m + lo)."""
    rng = ctx.rng
    m = hi - lo + 1
    p = rng.choice([1, 1] + [q for q in (3, 5, 7, 11, 13) if math.gcd(q, m) == 1])
    kw_a, kw_n = '', ''
    if chunks:
        kw_a += ', chunks=' + chunks
    if dtype:
        kw_a += ', dtype=' + dtype
        kw_n += ', dtype=' + ARR2NP[dtype]
    a, n = 'arange(%d%s)' % (N, kw_a), 'np.arange(%d%s)' % (N, kw_n)
    ops = False
    if p != 1 and N > 1:
        a += ' * %d' % p
        n += ' * %d' % p
        ops = True
    if p != 1 or m < N:
        a += ' %% %d' % m
        n += ' %% %d' % m
        ops = True
    if lo:
        a += ' %s %d' % ('+' if lo > 0 else '-', abs(lo))
        n += ' %s %d' % ('+' if lo > 0 else '-', abs(lo))
        ops = True
    return a, n, not ops


def reshaped(a, n, atom, shape):
    if len(shape) == 1:
        return a, n, atom
    sh = '[' + ', '.join(map(str, shape)) + ']'
    if not atom:
        a, n = '(' + a + ')', '(' + n + ')'
    return a + '.reshape(%s)' % sh, n + '.reshape(%s)' % sh, True


def float_params(rng, kind, span):
    span = max(span, 1)
    if kind == 'gen':
        s = round(rng.choice([6, 8, 10]) / span, 2) or 0.01
        o = round(-s * span / 2 + rng.uniform(-1, 1), 2)
        if rng.random() < 0.3:
            s, o = -s, -o
    elif kind == 'pos':
        s = round(rng.choice([3, 5, 8]) / span, 2) or 0.01
        o = round(rng.uniform(0.05, 1.0), 2)
    elif kind == 'unit':
        s = round(1.8 / span, 3) or 0.001
        o = -0.9
    elif kind == 'near1':
        s = round(1.0 / span, 3) or 0.001
        o = 0.55
    else:
        raise ValueError(kind)
    return s, o


def scale_src(a, n, atom, s, o):
    if not atom:
        a, n = '(' + a + ')', '(' + n + ')'
    a += ' * %r' % s if s >= 0 else ' * (%r)' % s
    n += ' * %r' % s if s >= 0 else ' * (%r)' % s
    if o:
        a += ' %s %r' % ('+' if o > 0 else '-', abs(o))
        n += ' %s %r' % ('+' if o > 0 else '-', abs(o))
    return a, n, False


def linspace_params(rng, kind, N):
    step = 2.0 ** -rng.randint(0, 3)
    width = {'gen': 10, 'pos': 8, 'unit': 1.8, 'near1': 1.0}[kind]
    while step * (N - 1) > width:
        step /= 2
    if kind in ('gen', 'unit'):
        lo = -step * ((N - 1) // 2)
    elif kind == 'pos':
        lo = step * rng.randint(1, 4)
    else:
        lo = 0.5
    if kind == 'gen' and rng.random() < 0.3:
        lo += step * rng.randint(-2, 2) / 2
    return lo + 0.0, step


def literal_values(rng, kind, N):
    if kind == 'gen':
        return [round(rng.uniform(-5, 5), rng.choice([1, 2])) for _ in range(N)]
    if kind == 'pos':
        return [round(rng.uniform(0.1, 6), 2) for _ in range(N)]
    if kind == 'unit':
        return [round(rng.uniform(-0.95, 0.95), 2) for _ in range(N)]
    if kind == 'near1':
        return [round(rng.uniform(0.5, 1.6), 2) for _ in range(N)]
    if kind == 'bool':
        return [rng.random() < 0.5 for _ in range(N)]
    lo, hi = INT_RANGES[kind](rng)
    vals = [rng.randint(lo, hi) for _ in range(N)]
    if kind == 'nz':
        vals = [v or rng.choice([-1, 1]) for v in vals]
    return vals


def nested(vals, shape):
    if len(shape) == 0:
        return vals[0]
    if len(shape) == 1:
        return list(vals)
    step = len(vals) // shape[0]
    return [nested(vals[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def build_input(ctx, shape, kind, dt, form=None):
    rng = ctx.rng
    N = int(np.prod(shape))
    is_float = kind in FLOAT_KINDS
    forms = ['arange', 'arange', 'rechunk', 'plain', 'literal', 'creation']
    if is_float:
        forms += ['linspace', 'linspace', 'farange']
    if N > 30:
        forms = [f for f in forms if f != 'literal']
    form = form or rng.choice(forms)
    ctx.tags.add('input:' + form)
    if form == 'literal':
        vals = literal_values(rng, kind, N)
        lit = nested(vals, shape)
        la, ln = src(lit)
        kw = ''
        if rng.random() < 0.6:
            kw = ', chunks=' + chunk_spec(rng, shape)
        a, n, atom = 'array(%s%s)' % (la, kw), 'np.array(%s)' % ln, True
        ctx.tags.add('array')
    elif form in ('linspace', 'farange'):
        lo, step = linspace_params(rng, kind, N)
        hi = lo + step * (N - 1)
        ch = ', chunks=' + chunk_spec(rng, (N,)) if rng.random() < 0.8 else ''
        if form == 'linspace':
            a = 'linspace(%r, %r, %d%s)' % (lo, hi, N, ch)
            n = 'np.linspace(%r, %r, %d)' % (lo, hi, N)
        else:
            a = 'arange(%r, %r, %r%s)' % (lo, lo + step * N, step, ch)
            n = 'np.arange(%r, %r, %r)' % (lo, lo + step * N, step)
        ctx.tags.add(form)
        a, n, atom = reshaped(a, n, True, shape)
    else:
        if is_float:
            m = rng.randint(3, max(3, min(N, 30)))
            lo, hi = 0, m - 1
        else:
            lo, hi = INT_RANGES[kind](rng)
        pdt = None
        if not is_float and kind != 'bool' and dt in ('i32', 'i64') and rng.random() < 0.2:
            pdt = dt
        if form == 'arange':
            ch = chunk_spec(rng, (N,)) if rng.random() < 0.9 else None
            a, n, atom = pattern(ctx, N, lo, hi, ch, pdt)
            a, n, atom = reshaped(a, n, atom, shape)
        else:
            a, n, atom = pattern(ctx, N, lo, hi, None, pdt)
            a, n, atom = reshaped(a, n, atom, shape)
            if form == 'rechunk':
                a = 'rechunk(%s, %s)' % (a, chunk_spec(rng, shape))
                n = paren(n, atom)
                atom = True
                ctx.tags.add('rechunk')
        if kind == 'nz':
            # shift the non-negative half up by one: v + (v >= 0)
            a = '%s + astype(%s >= 0, i64)' % (paren(a, atom), paren(a, atom))
            n = '%s + (%s >= 0).astype(np.int64)' % (paren(n, atom), paren(n, atom))
            atom = False
        if is_float:
            s, o = float_params(rng, kind, hi - lo)
            if dt == 'f32' and rng.random() < 0.4:
                # do the scaling in f32 arithmetic
                a, n = 'astype(%s, f32)' % a, '(%s).astype(np.float32)' % n
                atom = True
                dt_done = True
            else:
                dt_done = False
            a, n, atom = scale_src(a, n, atom, s, o)
            if dt_done:
                return ctx.node(a, n, atom)
        if form == 'creation':
            sh = src(list(shape))
            cs = chunk_spec(rng, shape)
            if is_float:
                # ones(shape, chunks=..) * pattern
                a = 'ones(%s, chunks=%s) * %s' % (sh[0], cs, paren(a, atom))
                n = 'np.ones(%s) * %s' % (sh[1], paren(n, atom))
                ctx.tags.add('ones')
            elif kind == 'bool':
                pass
            else:
                a = 'zeros(%s, chunks=%s, dtype=i64) + %s' % (sh[0], cs, paren(a, atom))
                n = 'np.zeros(%s, dtype=np.int64) + %s' % (sh[1], paren(n, atom))
                ctx.tags.add('zeros')
            atom = False
    # the dtype
    e = ctx.node(a, n, atom)
    cur = NP2ARR[e.val.dtype.name]
    if kind == 'bool' and cur != 'bool':
        if rng.random() < 0.5:
            k = rng.randint(0, hi)
            e = ctx.node('%s == %d' % (pa(e), k), '%s == %d' % (pn(e), k))
            ctx.tags.add('==')
        else:
            e = ctx.node('astype(%s, bool)' % e.arr, '%s.astype(np.bool_)' % pn(e), atom=True)
        cur = 'bool'
    if cur != dt:
        if dt == 'u8' and e.val.min() < 0:
            raise AssertionError('negative u8 input')
        string = rng.random() < 0.15
        e = ctx.node('astype(%s, %s)' % (e.arr, src(DT(dt, string))[0]),
                     '%s.astype(%s)' % (pn(e), ARR2NP[dt]), atom=True)
        ctx.tags.add('astype')
    return e


def paren(s, atom):
    return s if atom else '(' + s + ')'


# ----------------------------------------------------------------------------
# random shapes and helpers

def rand_shape(rng, nd=None, max_size=120, min_nd=1, max_nd=4):
    if nd is None:
        nd = rng.choices([1, 2, 3, 4], weights=[3, 4, 2.5, 0.8])[0]
        nd = min(max(nd, min_nd), max_nd)
    for _ in range(100):
        shape = []
        for _ in range(nd):
            if rng.random() < (0.04 if nd == 1 else 0.1):
                shape.append(1)
            else:
                shape.append(rng.randint(2, {1: 24, 2: 10, 3: 6, 4: 4}[nd]))
        if int(np.prod(shape)) <= max_size:
            return tuple(shape)
    return tuple([2] * nd)


def bcast_shape(rng, shape):
    s = list(shape)
    if len(s) > 1 and rng.random() < 0.4:
        s = s[rng.randint(1, len(s) - 1):]
    s = [1 if rng.random() < 0.25 else d for d in s]
    return tuple(s)


def rand_dt(rng, weights=None):
    names = ['f64', 'f32', 'i64', 'i32', 'u8', 'bool']
    w = weights or [35, 20, 15, 15, 8, 7]
    return rng.choices(names, weights=w)[0]


def kind_for(dt, float_kind='gen', int_kind='int'):
    if dt in FLOAT_DT:
        return float_kind
    if dt == 'bool':
        return 'bool'
    if dt == 'u8':
        return {'int': 'nonneg', 'small': 'nonneg', 'nz': 'posint'}.get(int_kind, int_kind)
    return int_kind


def float_lit(rng, allow_neg=True):
    v = rng.choice([0.5, 2.0, 1.5, 0.37, 3.0, 2.5, 0.1, 10.0, 0.25, 1.75, 4.0])
    if allow_neg and rng.random() < 0.25:
        v = -v
    return v


def int_lit(rng, nonneg=False, nonzero=False):
    v = rng.choice([1, 2, 3, 5, 7, 4, 0, 9])
    if nonzero and v == 0:
        v = 2
    if not nonneg and rng.random() < 0.25:
        v = -v
    return v


def binop(ctx, op, x, y):
    """x op y with a check that integer results did not wrap around."""
    e = ctx.node('%s %s %s' % (pa(x), op, pa(y)), '%s %s %s' % (pn(x), op, pn(y)))
    ctx.tags.add(op)
    check_int_exact(ctx, e, op, x, y)
    return ctx.inexact(e, op in ('**', '//', '%'))


def check_int_exact(ctx, e, op, x, y):
    if e.val.dtype.kind not in 'iu' or op in ('&', '|', '^'):
        return
    fx = np.asarray(x.val, dtype=np.float64)
    fy = np.asarray(y.val, dtype=np.float64)
    with np.errstate(all='ignore'):
        ref = {'+': np.add, '-': np.subtract, '*': np.multiply, '//': np.floor_divide,
               '%': np.remainder, '**': np.power}[op](fx, fy)
    got = e.val.astype(np.float64)
    ok = np.isfinite(ref)
    if op in ('//', '%'):
        ok &= np.broadcast_to(fy != 0, ref.shape)
    if not np.array_equal(got[ok], ref[ok]) or np.abs(ref[ok]).max(initial=0) > 2 ** 52:
        raise Reject('integer overflow')
    lim = {'i32': 2 ** 31 - 1, 'u8': 255, 'i64': 2 ** 62}[e.dt]
    if np.abs(ref[ok]).max(initial=0) > lim or (e.dt == 'u8' and ref[ok].min(initial=0) < 0):
        raise Reject('integer overflow')


def nonzero(v):
    return bool(np.all(np.asarray(v) != 0))


def has_zero(v):
    return bool(np.any(np.asarray(v) == 0))


# ----------------------------------------------------------------------------
# case categories

def cat_arith(ctx):
    rng = ctx.rng
    op = rng.choices(['+', '-', '*', '/', '//', '%', '**', '&', '|', '^'],
                     weights=[10, 9, 10, 10, 7, 7, 7, 1.5, 1.5, 1.5])[0]
    if op == '**':
        return power(ctx)
    if op in '&|^':
        dts = rng.choice([('bool', 'bool'), ('i64', 'i64'), ('i32', 'i64'), ('u8', 'u8'),
                          ('i32', 'i32'), ('bool', 'lit')])
        shape = rand_shape(rng)
        x = ctx.input(shape, kind_for(dts[0]), dts[0])
        if dts[1] == 'lit':
            y = ctx.lit(rng.choice([True, False]))
        else:
            y = ctx.input(bcast_shape(rng, shape), kind_for(dts[1]), dts[1])
        if rng.random() < 0.5:
            x, y = y, x
        return binop(ctx, op, x, y)
    dl, dr = rand_dt(rng), rand_dt(rng)
    if dl == 'bool' and dr == 'bool':
        dr = rng.choice(['f64', 'i64', 'i32', 'f32'])
    form = rng.choices(['aa', 'al', 'la', 'outer'], weights=[4, 3, 2, 2])[0]
    divisor = op in ('/', '//', '%')
    zero_ok = False
    if divisor and rng.random() < 0.12:
        if op == '/' or dr in INT_DT or dr == 'bool':
            zero_ok = True
            ctx.allow_fp = True
            ctx.tags.add('div0')
    if op in ('//', '%') and dr in FLOAT_DT:
        zero_ok = False
    if zero_ok:
        dr = dr if dr != 'bool' else 'i64'
        rcond = has_zero
    elif divisor:
        rcond = nonzero
    else:
        rcond = None
    rkind_i = 'nz' if (divisor and not zero_ok) else 'int'
    if zero_ok and dr in SIGNED_DT:
        rkind_i = 'small'
    if form == 'outer':
        n1, n2 = rng.randint(2, 9), rng.randint(2, 9)
        if rng.random() < 0.5:
            x = ctx.input((n1,), kind_for(dl), dl)
            y = ctx.input((n2,), kind_for(dr, 'gen', rkind_i), dr, cond=rcond)
            if rng.random() < 0.5:
                xa = E('%s[:, newaxis]' % x.arr, '%s[:, np.newaxis]' % x.np, None, atom=True)
                xa.val = x.val[:, None]
                ya = y
            else:
                xa = x
                ya = E('%s[:, newaxis]' % y.arr, '%s[:, np.newaxis]' % y.np, None, atom=True)
                ya.val = y.val[:, None]
        else:
            k = rng.randint(1, 4)
            x = ctx.input((n1, k), kind_for(dl), dl)
            y = ctx.input((n2, k), kind_for(dr, 'gen', rkind_i), dr, cond=rcond)
            xa = E('%s[:, newaxis, :]' % x.arr, '%s[:, np.newaxis, :]' % x.np, None, atom=True)
            xa.val = x.val[:, None, :]
            if rng.random() < 0.5:
                ya = E('%s[newaxis, :, :]' % y.arr, '%s[np.newaxis, :, :]' % y.np, None, atom=True)
                ya.val = y.val[None, :, :]
            else:
                ya = E('%s[newaxis]' % y.arr, '%s[np.newaxis]' % y.np, None, atom=True)
                ya.val = y.val[None]
        ctx.tags.add('newaxis')
        return binop(ctx, op, xa, ya)
    shape = rand_shape(rng)
    if form == 'aa':
        s2 = bcast_shape(rng, shape) if rng.random() < 0.6 else shape
        if rng.random() < 0.5:
            shape, s2 = s2, shape
        x = ctx.input(shape, kind_for(dl), dl)
        y = ctx.input(s2, kind_for(dr, 'gen', rkind_i), dr, cond=rcond)
        if s2 != shape:
            ctx.tags.add('broadcast')
        return binop(ctx, op, x, y)
    # array with literal
    if form == 'al':
        x = ctx.input(shape, kind_for(dl), dl)
        nonneg = dl == 'u8'
        if rng.random() < 0.5 and dl != 'bool':
            v = int_lit(rng, nonneg=nonneg, nonzero=divisor)
        else:
            v = float_lit(rng) if not nonneg else abs(float_lit(rng))
        y = ctx.lit(v)
        ctx.tags.add('weak_literal')
        return binop(ctx, op, x, y)
    # literal op array
    y = ctx.input(shape, kind_for(dr, 'gen', rkind_i), dr, cond=rcond)
    if dr == 'u8':
        v = int_lit(rng, nonneg=True) if rng.random() < 0.6 else abs(float_lit(rng))
    else:
        v = int_lit(rng) if rng.random() < 0.5 else float_lit(rng)
    x = ctx.lit(v)
    ctx.tags.add('weak_literal')
    return binop(ctx, op, x, y)


def power(ctx):
    rng = ctx.rng
    shape = rand_shape(rng)
    form = rng.choice(['float_intexp', 'pos_floatexp', 'pos_arr', 'int_lit', 'int_arr',
                       'lit_base', 'lit_base_int'])
    if form == 'float_intexp':
        dt = rng.choice(FLOAT_DT)
        x = ctx.input(shape, 'gen', dt)
        y = ctx.lit(rng.choice([2, 3, 0, 1]))
    elif form == 'pos_floatexp':
        dt = rng.choice(FLOAT_DT + ('i64', 'i32'))
        x = ctx.input(shape, 'pos' if dt in FLOAT_DT else 'posint', dt)
        y = ctx.lit(rng.choice([0.5, 1.5, -0.5, 2.5, -1.0, 2.0, 3.0]))
    elif form == 'pos_arr':
        dx, dy = rng.choice(FLOAT_DT), rng.choice(FLOAT_DT + ('i32',))
        x = ctx.input(shape, 'pos', dx)
        y = ctx.input(bcast_shape(rng, shape), 'unit' if dy in FLOAT_DT else 'small', dy)
    elif form == 'int_lit':
        dt = rng.choice(INT_DT)
        x = ctx.input(shape, 'small' if dt != 'u8' else 'nonneg', dt)
        y = ctx.lit(rng.choice([0, 1, 2, 3]))
    elif form == 'int_arr':
        dx, dy = rng.choice(INT_DT), rng.choice(INT_DT)
        x = ctx.input(shape, 'small' if dx != 'u8' else 'nonneg', dx)
        y = ctx.input(bcast_shape(rng, shape), 'nonneg', dy, cond=lambda v: v.max() <= 3)
    elif form == 'lit_base':
        dt = rng.choice(FLOAT_DT)
        x = ctx.lit(rng.choice([2.0, 0.5, 1.5, 3.0]))
        y = ctx.input(shape, 'gen', dt)
    else:
        dt = rng.choice(INT_DT)
        x = ctx.lit(rng.choice([2, 3]))
        y = ctx.input(shape, 'nonneg', dt)
    return binop(ctx, '**', x, y)


def cat_compare(ctx):
    rng = ctx.rng
    sub = rng.choices(['cmp', 'where', 'logic', 'where_nan'], weights=[4, 5, 2, 2])[0]
    shape = rand_shape(rng)
    ops = ['==', '!=', '<', '<=', '>', '>=']
    if sub == 'cmp':
        op = rng.choice(ops)
        dl, dr = rand_dt(rng), rand_dt(rng)
        x = ctx.input(shape, kind_for(dl, 'gen', 'small'), dl)
        if rng.random() < 0.5:
            y = ctx.input(bcast_shape(rng, shape), kind_for(dr, 'gen', 'small'), dr)
        else:
            if dl in FLOAT_DT:
                # exact values so that == sometimes holds
                v = rng.choice(list(np.unique(x.val).astype(float)) + [0.5, -1.0, 2.0])
                v = float(v)
                if dl == 'f32':
                    v = float(np.float32(v))
            elif dl == 'bool':
                v = rng.choice([True, False])
            else:
                v = rng.randint(0 if dl == 'u8' else -3, 3)
            y = ctx.lit(v)
        if rng.random() < 0.5:
            x, y = y, x
        return binop(ctx, op, x, y)
    if sub == 'logic':
        a = ctx.input(shape, 'gen', rand_dt(rng, [1, 1, 0, 0, 0, 0]))
        b = ctx.input(bcast_shape(rng, shape), 'gen', 'f64')
        c1 = binop(ctx, rng.choice(ops[2:]), a, ctx.lit(round(rng.uniform(-2, 2), 1)))
        c2 = binop(ctx, rng.choice(ops[2:]), b, ctx.lit(round(rng.uniform(-2, 2), 1)))
        op = rng.choice(['&', '|', '^'])
        e = binop(ctx, op, c1, c2)
        if rng.random() < 0.3:
            e = ctx.node('~%s' % pa(e), '~%s' % pn(e))
            ctx.tags.add('~')
        return e
    if sub == 'where_nan':
        x = ctx.input(shape, 'gen', rng.choice(FLOAT_DT))
        t = ctx.lit(round(rng.uniform(-2, 2), 1))
        fill = ctx.lit(rng.choice([nan, math.inf, -math.inf, 0.0]))
        c = binop(ctx, rng.choice(ops[2:]), x, t)
        ctx.tags.add('where')
        return ctx.node('where(%s, %s, %s)' % (c.arr, fill.arr, x.arr),
                        'np.where(%s, %s, %s)' % (c.np, fill.np, x.np), atom=True)
    # where(c, a, b) with varied dtypes and broadcasting
    dc = rng.choice(FLOAT_DT + ('i64',))
    cx = ctx.input(shape, kind_for(dc, 'gen', 'small'), dc)
    c = binop(ctx, rng.choice(ops), cx, ctx.lit(0 if dc == 'i64' else 0.5))
    da, db = rand_dt(rng), rand_dt(rng)
    branches = []
    for d in (da, db):
        r = rng.random()
        if r < 0.6:
            branches.append(ctx.input(bcast_shape(rng, shape), kind_for(d), d))
        elif r < 0.8:
            branches.append(ctx.lit(float_lit(rng)))
        else:
            branches.append(ctx.lit(int_lit(rng, nonneg=True)))
    if rng.random() < 0.3:
        # broadcast the condition instead
        cx2 = ctx.input(bcast_shape(rng, shape), 'gen', 'f64')
        c = binop(ctx, '>', cx2, ctx.lit(0.0))
    ctx.tags.add('where')
    return ctx.node('where(%s, %s, %s)' % (c.arr, branches[0].arr, branches[1].arr),
                    'np.where(%s, %s, %s)' % (c.np, branches[0].np, branches[1].np), atom=True)


# name: (input kind for floats, kind for ints or None, float-only?)
UNARY = {
    'abs': ('gen', 'int'), 'sign': ('gen', 'int'), 'sqrt': ('pos', 'posint'),
    'cbrt': ('gen', 'int'), 'exp': ('gen', 'small'), 'exp2': ('gen', 'int'),
    'expm1': ('gen', 'small'), 'log': ('pos', 'posint'), 'log2': ('pos', 'posint'),
    'log10': ('pos', 'posint'), 'log1p': ('pos', 'nonneg'), 'sin': ('gen', 'int'),
    'cos': ('gen', 'int'), 'tan': ('unit', None), 'arcsin': ('unit', None),
    'arccos': ('unit', None), 'arctan': ('gen', 'int'), 'sinh': ('gen', 'small'),
    'cosh': ('gen', 'small'), 'tanh': ('gen', 'int'), 'floor': ('gen', None),
    'ceil': ('gen', None), 'trunc': ('gen', None), 'round': ('gen', None),
    'neg': ('gen', 'int'), 'clip': ('gen', 'int'), 'isnan': ('nan', None),
    'isinf': ('nan', None), 'isfinite': ('nan', None), 'nan_to_num': ('nan', None),
    'invert': (None, 'int'),
}
UNARY_W = {'abs': 3, 'sign': 2, 'sqrt': 3, 'exp': 3, 'log': 3, 'log1p': 2, 'expm1': 2,
           'sin': 2, 'cos': 2, 'tan': 2, 'arctan': 2, 'tanh': 2, 'floor': 3, 'ceil': 2,
           'trunc': 2, 'round': 5, 'clip': 4, 'isnan': 2, 'isfinite': 2, 'isinf': 1,
           'neg': 2, 'cbrt': 1, 'exp2': 1, 'log2': 1, 'log10': 1, 'arcsin': 1,
           'arccos': 1, 'sinh': 1, 'cosh': 1, 'nan_to_num': 1, 'invert': 1}


def cat_unary(ctx):
    rng = ctx.rng
    names = list(UNARY_W)
    fn = rng.choices(names, weights=[UNARY_W[n] for n in names])[0]
    fkind, ikind = UNARY[fn]
    shape = rand_shape(rng)
    if fkind == 'nan':
        x = ctx.nan_input(shape, rng.choice(FLOAT_DT), frac=rng.uniform(0.1, 0.5),
                          with_inf=True)
    else:
        if fkind is None:
            dt = rng.choice(INT_DT + ('bool',))
        elif ikind is None or rng.random() < 0.7:
            dt = rng.choice(FLOAT_DT)
        else:
            dt = rng.choice(SIGNED_DT + (('u8',) if fn in ('abs', 'clip', 'sign') else ()))
        kind = fkind if dt in FLOAT_DT else ikind
        if dt == 'u8':
            kind = 'nonneg'
        if dt == 'bool':
            kind = 'bool'
        x = ctx.input(shape, kind, dt)
    if fn == 'neg':
        ctx.tags.add('unary-')
        return ctx.node('-%s' % pa(x), '-%s' % pn(x))
    if fn == 'invert':
        ctx.tags.add('~')
        return ctx.node('~%s' % pa(x), '~%s' % pn(x))
    if fn == 'round':
        d = rng.choices([None, 0, 1, 2, 3, -1], weights=[3, 1, 3, 2, 1, 1])[0]
        kw = [('decimals', d)] if d is not None else []
        return ctx.call('round', x, kw=kw)
    if fn == 'clip':
        if x.dt in FLOAT_DT:
            lo = round(rng.uniform(-3, 0), 1)
            hi = round(lo + rng.uniform(0.5, 4), 1)
        else:
            lo = rng.randint(0 if x.dt == 'u8' else -4, 2)
            hi = lo + rng.randint(0, 5)
        return ctx.call('clip', x, pos=[lo, hi])
    return ctx.call(fn, x)


def cat_binmath(ctx):
    rng = ctx.rng
    fn = rng.choice(['minimum', 'maximum', 'minimum', 'maximum', 'hypot', 'arctan2'])
    shape = rand_shape(rng)
    s2 = bcast_shape(rng, shape) if rng.random() < 0.5 else shape
    if rng.random() < 0.5:
        shape, s2 = s2, shape
    if fn in ('minimum', 'maximum'):
        dl, dr = rand_dt(rng, [3, 2, 2, 2, 1, 0]), rand_dt(rng, [3, 2, 2, 2, 1, 0])
        if rng.random() < 0.3 and dl in FLOAT_DT:
            x = ctx.nan_input(shape, dl, frac=0.3)
        else:
            x = ctx.input(shape, kind_for(dl), dl)
        if rng.random() < 0.3:
            if dl in FLOAT_DT:
                y = ctx.lit(float_lit(rng))
            else:
                y = ctx.lit(int_lit(rng, nonneg=dl == 'u8'))
        else:
            y = ctx.input(s2, kind_for(dr), dr)
    else:
        dl = rng.choice(FLOAT_DT + ('i32', 'i64'))
        dr = rng.choice(FLOAT_DT + ('i32', 'i64'))
        x = ctx.input(shape, kind_for(dl), dl)
        if rng.random() < 0.25:
            y = ctx.lit(float_lit(rng))
        else:
            y = ctx.input(s2, kind_for(dr), dr)
    if rng.random() < 0.3:
        x, y = y, x
    if x.lit:
        return ctx.call(fn, x, pos=[y], method=False)
    return ctx.call(fn, x, pos=[y])


def cat_dtype(ctx):
    rng = ctx.rng
    shape = rand_shape(rng)
    sub = rng.choice(['cast_lit', 'cast_lit', 'mixed', 'cast_float', 'cast_bool', 'creation_dtype'])
    if sub == 'cast_lit':
        src_dt = rng.choice(['f64', 'i64'])
        target = rng.choice(['f32', 'i32', 'u8', 'bool', 'f64', 'i64'])
        kind = 'nonneg' if target == 'u8' else ('gen' if src_dt == 'f64' else 'int')
        if target == 'u8' and src_dt == 'f64':
            kind = 'pos'
        x = ctx.input(shape, kind, src_dt)
        c = ctx.node('astype(%s, %s)' % (x.arr, src(DT(target, rng.random() < 0.2))[0]),
                     '%s.astype(%s)' % (x.np, ARR2NP[target]), atom=True)
        ctx.tags.add('astype')
        op = rng.choice(['+', '*', '-', '+', '*'])
        if target == 'bool':
            v = rng.choice([1, 2, 0.5, 2.0])
        elif target == 'u8':
            v = rng.choice([1, 2, 3, 0.5, 2.0])
            if op == '-':
                op = '+'
        else:
            v = rng.choice([1, 2, 3, -1, 0.5, 2.0, -1.5])
        ctx.tags.add('weak_literal')
        return binop(ctx, op, c, ctx.lit(v))
    if sub == 'mixed':
        dl, dr = rand_dt(rng, [2, 3, 2, 3, 2, 1]), rand_dt(rng, [2, 3, 2, 3, 2, 1])
        if dl == dr == 'bool':
            dr = 'u8'
        x = ctx.input(shape, kind_for(dl, 'gen', 'nonneg'), dl)
        y = ctx.input(bcast_shape(rng, shape), kind_for(dr, 'gen', 'nonneg'), dr)
        op = rng.choice(['+', '*', '/'])
        if op == '/':
            if not nonzero(y.val):
                op = '*'
        return binop(ctx, op, x, y)
    if sub == 'cast_float':
        # float -> int truncates toward zero
        target = rng.choice(['i32', 'i64', 'u8'])
        x = ctx.input(shape, 'pos' if target == 'u8' else 'gen', rng.choice(FLOAT_DT))
        ctx.tags.add('astype')
        return ctx.node('astype(%s, %s)' % (x.arr, target),
                        '%s.astype(%s)' % (x.np, ARR2NP[target]), atom=True)
    if sub == 'cast_bool':
        dt = rng.choice(['f64', 'f32', 'i64', 'i32', 'u8'])
        x = ctx.input(shape, kind_for(dt, 'gen', 'small'), dt)
        if dt in FLOAT_DT and rng.random() < 0.5:
            x = ctx.bind(ctx.node('round(%s)' % x.arr, 'np.round(%s)' % x.np, atom=True))
        target = rng.choice(['bool', 'f32', 'f64'])
        ctx.tags.add('astype')
        return ctx.node('astype(%s, %s)' % (x.arr, target),
                        '%s.astype(%s)' % (x.np, ARR2NP[target]), atom=True)
    return cat_creation(ctx)


def cat_creation(ctx):
    rng = ctx.rng
    shape = rand_shape(rng, max_size=60)
    sh = src(list(shape) if rng.random() < 0.8 else tuple(shape))
    if len(shape) == 1 and rng.random() < 0.4:
        sh = src(shape[0])
    cs = chunk_spec(rng, shape)
    dtkw = rng.choice([None, None, 'f32', 'i32', 'u8', 'bool', 'i64', 'f64'])
    fn = rng.choice(['zeros', 'ones', 'full', 'full', 'eye', 'like', 'arange', 'linspace'])
    use_chunks = rng.random() < 0.8
    kw_a = ', chunks=' + cs if use_chunks else ''
    kw_n = ''
    dt_a = ''
    if dtkw:
        dt_a = ', dtype=' + src(DT(dtkw, rng.random() < 0.2))[0]
        kw_a += dt_a
        kw_n += ', dtype=' + ARR2NP[dtkw]
    if fn in ('zeros', 'ones'):
        e = ctx.node('%s(%s%s)' % (fn, sh[0], kw_a), 'np.%s(%s%s)' % (fn, sh[1], kw_n), True)
    elif fn == 'full':
        if dtkw in ('u8', 'bool'):
            v = rng.randint(0, 9)
        elif dtkw in ('i32', 'i64'):
            v = rng.randint(-9, 9)
        else:
            v = rng.choice([float_lit(rng), int_lit(rng)])
        va, vn = src(v)
        e = ctx.node('full(%s, %s%s)' % (sh[0], va, kw_a),
                     'np.full(%s, %s%s)' % (sh[1], vn, kw_n), True)
    elif fn == 'eye':
        n = rng.randint(1, 9)
        ch = ', chunks=' + chunk_spec(rng, (n, n)) if use_chunks else ''
        e = ctx.node('eye(%d%s%s)' % (n, ch, dt_a), 'np.eye(%d%s)' % (n, kw_n), True)
    elif fn == 'like':
        dt = rand_dt(rng, [3, 2, 2, 2, 1, 1])
        x = ctx.input(shape, kind_for(dt), dt)
        which = rng.choice(['zeros_like', 'ones_like', 'full_like'])
        pos = []
        if which == 'full_like':
            pos = [rng.choice([2.5, -1.5]) if dt in FLOAT_DT else
                   (True if dt == 'bool' else rng.randint(0, 9))]
        kw = [('dtype', DT(dtkw))] if dtkw else []
        e = ctx.call(which, x, pos=pos, kw=kw, method=False)
    elif fn == 'arange':
        n = rng.randint(1, 40)
        start = rng.randint(-10, 5)
        step = rng.choice([1, 2, 3, -1, -2])
        stop = start + step * n
        ch = ', chunks=' + chunk_spec(rng, (n,)) if rng.random() < 0.8 else ''
        d = rng.choice([None, 'i32', 'f64', 'f32'])
        da = ', dtype=%s' % d if d else ''
        dn = ', dtype=%s' % ARR2NP[d] if d else ''
        if step == 1 and start == 0 and rng.random() < 0.5:
            e = ctx.node('arange(%d%s%s)' % (stop, ch, da), 'np.arange(%d%s)' % (stop, dn), True)
        else:
            e = ctx.node('arange(%d, %d, %d%s%s)' % (start, stop, step, ch, da),
                         'np.arange(%d, %d, %d%s)' % (start, stop, step, dn), True)
        ctx.tags.add('arange')
    else:
        n = rng.randint(1, 40)
        lo, step = linspace_params(rng, 'gen', n)
        hi = lo + step * (n - 1)
        if rng.random() < 0.5:
            lo, hi = hi, lo
        ch = ', chunks=' + chunk_spec(rng, (n,)) if rng.random() < 0.8 else ''
        d = rng.choice([None, None, 'f32'])
        da = ', dtype=%s' % d if d else ''
        dn = ', dtype=%s' % ARR2NP[d] if d else ''
        e = ctx.node('linspace(%r, %r, %d%s%s)' % (lo, hi, n, ch, da),
                     'np.linspace(%r, %r, %d%s)' % (lo, hi, n, dn), True)
        ctx.tags.add('linspace')
    ctx.tags.add(fn)
    if rng.random() < 0.4 and e.dt != 'bool':
        v = 1 if e.dt == 'u8' else rng.choice([1, 2, 0.5, -1.5])
        e = binop(ctx, rng.choice(['+', '*']), e, ctx.lit(v))
    return e


REDUCTIONS = ['sum', 'prod', 'mean', 'var', 'std', 'min', 'max', 'argmin', 'argmax',
              'any', 'all', 'count_nonzero', 'nansum', 'nanprod', 'nanmean', 'nanvar',
              'nanstd', 'nanmin', 'nanmax']
RED_W = [6, 3, 5, 3, 3, 4, 4, 3, 3, 2, 2, 2, 3, 1, 3, 2, 2, 2, 2]


def rand_axis(rng, nd, allow_tuple=True, allow_none=True):
    r = rng.random()
    if allow_none and r < 0.2:
        return None
    if allow_tuple and nd >= 2 and r > 0.7:
        k = rng.randint(1, nd)
        axes = rng.sample(range(nd), k)
        return tuple(a - nd if rng.random() < 0.3 else a for a in axes)
    a = rng.randrange(nd)
    return a - nd if rng.random() < 0.35 else a


def cat_reduce(ctx):
    rng = ctx.rng
    fn = rng.choices(REDUCTIONS, weights=RED_W)[0]
    shape = rand_shape(rng, max_size=30 if fn in ('prod', 'nanprod') else 120)
    nd = len(shape)
    if fn.startswith('nan'):
        if rng.random() < 0.85:
            dt = rng.choice(FLOAT_DT)
            kind = 'near1' if fn == 'nanprod' else 'gen'
            x = ctx.nan_input(shape, dt, frac=rng.uniform(0.05, 0.4), kind=kind)
        else:
            dt = rng.choice(INT_DT)
            x = ctx.input(shape, 'small' if dt != 'u8' else 'nonneg', dt)
    else:
        if fn in ('any', 'all', 'count_nonzero'):
            dt = rand_dt(rng, [2, 1, 1, 1, 1, 3])
            kind = kind_for(dt, 'gen', 'small')
        elif fn == 'prod':
            dt = rand_dt(rng, [3, 2, 2, 2, 1, 1])
            kind = kind_for(dt, 'near1', 'small')
        else:
            dt = rand_dt(rng, [4, 3, 2, 2, 1, 1])
            kind = kind_for(dt, 'gen', 'int')
        if dt in FLOAT_DT and rng.random() < 0.15:
            x = ctx.nan_input(shape, dt, frac=0.2, kind=kind,
                              with_inf=fn in ('min', 'max', 'argmin', 'argmax'))
            ctx.tags.add('nan_propagation')
        elif fn in ('any', 'all') and rng.random() < 0.5:
            x = ctx.input(shape, kind, dt)
            x = ctx.bind(binop(ctx, rng.choice(['>', '<']), x,
                               ctx.lit(0 if dt in INT_DT else 0.0)))
        else:
            x = ctx.input(shape, kind, dt)
    arg = fn in ('argmin', 'argmax')
    axis = rand_axis(rng, nd, allow_tuple=not arg)
    kw = []
    if axis is not None or rng.random() < 0.2:
        kw.append(('axis', axis if axis is not None else Raw('none', 'None')))
    if fn in ('var', 'std', 'nanvar', 'nanstd') and rng.random() < 0.6:
        kw.append(('ddof', rng.choice([0, 1, 1, 2])))
    if rng.random() < 0.35:
        kw.append(('keepdims', rng.random() < 0.8))
        ctx.tags.add('keepdims')
    npkw = list(kw)
    if x.dt == 'u8' and fn in ('sum', 'prod', 'nansum', 'nanprod'):
        # LANGUAGE.md: sums/products of u8 accumulate in i64 (NumPy itself gives u64)
        npkw = kw + [('dtype', Raw('', 'np.int64'))]
    ctx.tags.add('axis=' + ('none' if axis is None else 'tuple' if isinstance(axis, tuple)
                            else 'neg' if axis < 0 else 'int'))
    e = red_call(ctx, fn, x, kw, npkw)
    if fn in ('sum', 'prod', 'nansum', 'nanprod') and e.val.dtype.kind in 'iu':
        ref = getattr(np, fn)(x.val.astype(np.float64),
                              **{k: (None if isinstance(v, Raw) else v) for k, v in kw})
        if not np.array_equal(np.asarray(ref), e.val.astype(np.float64)) or \
                np.abs(ref).max() > 2 ** 52:
            raise Reject('integer overflow')
    return e


def red_call(ctx, fn, x, kw, npkw):
    rng = ctx.rng
    method = not x.lit and rng.random() < 0.35
    a_rest, _ = arglist([], kw)
    _, n_rest = arglist([], [(k, v) for k, v in npkw])
    # Raw('', ...) renders as 'dtype=' on the arr side; drop those from arr
    a_rest = ', '.join(p for p in a_rest.split(', ') if not p.endswith('=')) if a_rest else ''
    if method:
        arr = '%s.%s(%s)' % (pa(x), fn, a_rest)
        ctx.tags.add('method')
    else:
        arr = '%s(%s)' % (fn, x.arr + (', ' + a_rest if a_rest else ''))
    npn = '%s(%s)' % ('np.' + fn, x.np + (', ' + n_rest if n_rest else ''))
    ctx.tags.add(fn)
    return ctx.inexact(ctx.node(arr, npn, atom=True))


def cat_scan(ctx):
    rng = ctx.rng
    fn = rng.choice(['cumsum', 'cumsum', 'cumprod'])
    shape = rand_shape(rng, max_size=40 if fn == 'cumprod' else 120)
    dt = rand_dt(rng, [4, 3, 2, 2, 1, 1])
    kind = kind_for(dt, 'near1' if fn == 'cumprod' else 'gen', 'small' if fn == 'cumprod' else 'int')
    x = ctx.input(shape, kind, dt)
    nd = len(shape)
    axis = rand_axis(rng, nd, allow_tuple=False, allow_none=True)
    if axis is None and rng.random() < 0.5:
        axis = rng.randrange(nd)
    kw = [('axis', axis)] if axis is not None else []
    npkw = list(kw)
    if dt == 'u8':
        npkw = kw + [('dtype', Raw('', 'np.int64'))]
    ctx.tags.add('scan axis=' + ('none' if axis is None else 'neg' if axis < 0 else 'int'))
    e = red_call(ctx, fn, x, kw, npkw)
    if e.val.dtype.kind in 'iu':
        ref = getattr(np, fn)(x.val.astype(np.float64), axis=axis)
        if not np.array_equal(ref, e.val.astype(np.float64)) or np.abs(ref).max() > 2 ** 52:
            raise Reject('integer overflow')
    return e


def rand_slice(rng, n):
    """A slice or int index for an axis of length n, as source text."""
    def pos(i):  # render index i (0 <= i <= n) possibly as a negative number
        if 0 < i < n and rng.random() < 0.3:
            return str(i - n)
        return str(i)
    for _ in range(50):
        r = rng.random()
        if r < 0.15:
            i = rng.randrange(n)
            return pos(i) if i == 0 or rng.random() < 0.5 else str(i - n)
        if r < 0.3:
            return ':'
        step = rng.choice([None, None, 2, 3, -1, -2, -1])
        if step is None or step > 0:
            a = rng.choice([None, rng.randint(0, n - 1)])
            b = rng.choice([None, rng.randint(1, n)])
            if a is not None and b is not None and a >= b:
                continue
            txt = '%s:%s' % ('' if a is None else pos(a), '' if b is None else pos(b))
        else:
            a = rng.choice([None, rng.randint(0, n - 1)])
            b = rng.choice([None, rng.randint(0, n - 1)])
            if a is not None and b is not None and a <= b:
                continue
            txt = '%s:%s' % ('' if a is None else pos(a), '' if b is None else pos(b))
        if step is not None:
            txt += ':%d' % step
        if len(eval('list(range(%d))[%s]' % (n, txt))) == 0:
            continue
        return txt
    return ':'


def cat_index(ctx):
    rng = ctx.rng
    sub = rng.choices(['slice', 'gather', 'mask'], weights=[8, 1.5, 1.5])[0]
    dt = rand_dt(rng, [4, 2, 2, 1, 1, 1])
    shape = rand_shape(rng)
    x = ctx.input(shape, kind_for(dt), dt)
    nd = len(shape)
    if sub == 'gather':
        n = shape[0]
        k = rng.randint(1, 7)
        idx = [rng.randrange(n) for _ in range(k)]
        if rng.random() < 0.3:
            idx = [i - n if rng.random() < 0.5 else i for i in idx]
        ia, inp = src(idx)
        ctx.tags.add('gather')
        return ctx.node('%s[array(%s)]' % (x.arr, ia), '%s[np.array(%s)]' % (x.np, inp), True)
    if sub == 'mask':
        t = threshold_between(*np.sort(np.unique(x.val.astype(float)))[:2]) \
            if len(np.unique(x.val)) > 1 else None
        if dt == 'bool' or t is None:
            m = x
        else:
            vals = np.unique(x.val.astype(float))
            t = threshold_between(vals[len(vals) // 2 - 1], vals[len(vals) // 2]) \
                if len(vals) > 2 else t
            if dt in INT_DT:
                t = int(math.floor(t))
            m = binop(ctx, rng.choice(['>', '<=']), x, ctx.lit(t))
        ctx.tags.add('mask')
        ctx.unknown_shape = True
        return ctx.node('%s[%s]' % (x.arr, m.arr), '%s[%s]' % (x.np, m.np), True)
    items = [rand_slice(rng, n) for n in shape]
    # drop trailing full slices, or use an ellipsis
    if nd >= 2 and rng.random() < 0.3:
        if rng.random() < 0.5:
            k = rng.randint(1, nd - 1)
            items = ['...'] + items[nd - k:]
        else:
            k = rng.randint(1, nd - 1)
            items = items[:k] + ['...']
        ctx.tags.add('ellipsis')
    elif rng.random() < 0.3:
        while len(items) > 1 and items[-1] == ':':
            items.pop()
    # newaxis
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            items.insert(rng.randint(0, len(items)), 'newaxis')
        ctx.tags.add('newaxis')
    for it in items:
        if it.lstrip('-').isdigit():
            ctx.tags.add('int_index')
        elif '::-' in it or ':-' in it.split(':', 2)[-1] and it.count(':') == 2:
            ctx.tags.add('neg_step')
        elif it.count(':') == 2:
            ctx.tags.add('step')
    ia = ', '.join(items)
    inp = ', '.join('np.newaxis' if it == 'newaxis' else it for it in items)
    e = ctx.node('%s[%s]' % (pa(x), ia), '%s[%s]' % (pn(x), inp), True)
    ctx.tags.add('slice')
    if rng.random() < 0.25 and e.nd >= 1 and e.dt in FLOAT_DT:
        y = ctx.input(e.shape, 'gen', rng.choice(FLOAT_DT))
        e = binop(ctx, rng.choice(['+', '*', '-']), e, y)
        ctx.tags.add('slice_then_op')
    return e


def factor_shape(rng, size, nd):
    """A random shape with `nd` dims and this total size."""
    for _ in range(50):
        dims, rest = [], size
        for i in range(nd - 1):
            divs = [d for d in range(1, rest + 1) if rest % d == 0]
            d = rng.choice(divs)
            dims.append(d)
            rest //= d
        dims.append(rest)
        rng.shuffle(dims)
        if sum(1 for d in dims if d == 1) <= 1 or size == 1:
            return dims
    return dims


def cat_shape(ctx):
    rng = ctx.rng
    fn = rng.choices(
        ['transpose', 'T', 'swapaxes', 'moveaxis', 'reshape', 'ravel', 'squeeze', 'expand_dims',
         'flip', 'stack', 'concatenate', 'hstack', 'vstack', 'triu', 'tril', 'diagonal',
         'broadcast_to', 'rechunk'],
        weights=[3, 2, 2, 2, 4, 2, 2, 2, 3, 3, 3, 2, 2, 2, 2, 3, 2, 2])[0]
    dt = rand_dt(rng, [5, 2, 2, 1, 1, 1])
    kind = kind_for(dt)
    if fn in ('triu', 'tril'):
        shape = rand_shape(rng, nd=rng.choice([2, 2, 3]))
    elif fn == 'diagonal':
        shape = rand_shape(rng, min_nd=2)
    elif fn in ('transpose', 'swapaxes', 'moveaxis', 'T'):
        shape = rand_shape(rng, min_nd=2 if fn != 'T' else 1)
    elif fn == 'squeeze':
        shape = list(rand_shape(rng, max_nd=3))
        for _ in range(rng.randint(1, 2)):
            shape.insert(rng.randint(0, len(shape)), 1)
        shape = tuple(shape)
    else:
        shape = rand_shape(rng)
    nd = len(shape)
    x = ctx.input(shape, kind, dt)
    if fn == 'transpose':
        if rng.random() < 0.4:
            e = ctx.call('transpose', x)
        else:
            perm = list(range(nd))
            rng.shuffle(perm)
            e = ctx.call('transpose', x, pos=[tuple(perm) if rng.random() < 0.6 else perm])
    elif fn == 'T':
        e = ctx.node('%s.T' % pa(x), '%s.T' % pn(x), True)
        ctx.tags.add('.T')
    elif fn == 'swapaxes':
        i, j = rng.randrange(nd), rng.randrange(nd)
        i = i - nd if rng.random() < 0.3 else i
        e = ctx.call('swapaxes', x, pos=[i, j])
    elif fn == 'moveaxis':
        i, j = rng.randrange(nd), rng.randrange(nd)
        j = j - nd if rng.random() < 0.3 else j
        e = ctx.call('moveaxis', x, pos=[i, j])
    elif fn == 'reshape':
        size = int(np.prod(shape))
        dims = factor_shape(rng, size, rng.randint(1, 4))
        if rng.random() < 0.2:
            dims[rng.randrange(len(dims))] = -1
            ctx.tags.add('reshape-1')
        if len(dims) == 1 and rng.random() < 0.3:
            arg = dims[0]
        else:
            arg = dims if rng.random() < 0.7 else tuple(dims)
        e = ctx.call('reshape', x, pos=[arg])
    elif fn == 'ravel':
        e = ctx.call('ravel', x)
    elif fn == 'squeeze':
        ones = [i for i, d in enumerate(shape) if d == 1]
        if rng.random() < 0.5:
            e = ctx.call('squeeze', x)
        else:
            a = rng.choice(ones)
            e = ctx.call('squeeze', x, kw=[('axis', a - nd if rng.random() < 0.3 else a)])
    elif fn == 'expand_dims':
        a = rng.randint(-(nd + 1), nd)
        e = ctx.call('expand_dims', x, kw=[('axis', a)])
    elif fn == 'flip':
        r = rng.random()
        if r < 0.3:
            e = ctx.call('flip', x)
        elif r < 0.8 or nd < 2:
            e = ctx.call('flip', x, kw=[('axis', rng.randint(-nd, nd - 1))])
        else:
            e = ctx.call('flip', x, kw=[('axis', tuple(rng.sample(range(nd), 2)))])
    elif fn in ('stack', 'concatenate', 'hstack', 'vstack'):
        k = rng.randint(2, 3)
        arrs = [x]
        if fn == 'concatenate':
            ax = rng.randrange(nd)
        elif fn == 'hstack':
            ax = 0 if nd == 1 else 1
        elif fn == 'vstack':
            ax = 0
        for _ in range(k - 1):
            s = list(shape)
            if fn != 'stack' and not (fn == 'vstack' and nd == 1):
                s[ax] = rng.randint(1, 5)
            d2 = dt if rng.random() < 0.6 else rand_dt(rng, [3, 2, 2, 2, 1, 1])
            arrs.append(ctx.input(tuple(s), kind_for(d2), d2))
        kw = []
        if fn == 'stack':
            kw = [('axis', rng.randint(-(nd + 1), nd))] if rng.random() < 0.8 else []
        elif fn == 'concatenate':
            if ax != 0 or rng.random() < 0.5:
                kw = [('axis', ax - nd if rng.random() < 0.3 else ax)]
        e = ctx.call(fn, arrs, kw=kw, method=False)
    elif fn in ('triu', 'tril'):
        kk = rng.choice([None, 0, 1, -1, 2, -2])
        e = ctx.call(fn, x, kw=[('k', kk)] if kk is not None else [])
    elif fn == 'diagonal':
        kw = []
        off = rng.choice([None, 0, 1, -1, 2, -2])
        a1, a2 = 0, 1
        if nd > 2 and rng.random() < 0.6:
            a1, a2 = rng.sample(range(nd), 2)
            kw += [('axis1', a1), ('axis2', a2)]
        if off is not None:
            kw = [('offset', off)] + kw
        e = ctx.call('diagonal', x, kw=kw)
    elif fn == 'broadcast_to':
        base = list(bcast_shape(rng, shape))
        x = ctx.input(tuple(base), kind, dt)
        lead = [rng.randint(1, 4) for _ in range(rng.randint(0, 1))]
        target = lead + list(shape)
        if int(np.prod(target)) > MAX_RESULT:
            target = list(shape)
        e = ctx.call('broadcast_to', x, pos=[target if rng.random() < 0.7 else tuple(target)])
    else:
        cs = chunk_spec(rng, shape)
        if rng.random() < 0.3:
            e = ctx.node('%s.rechunk(%s)' % (pa(x), cs), x.np, True)
        else:
            e = ctx.node('rechunk(%s, %s)' % (x.arr, cs), x.np, True)
        ctx.tags.add('rechunk')
    if rng.random() < 0.3 and e.dt in FLOAT_DT + ('i64',) and e.nd >= 1:
        # combine with a differently chunked array of the result's shape
        d2 = rng.choice(FLOAT_DT + ('i64',))
        y = ctx.input(e.shape, kind_for(d2), d2)
        e = binop(ctx, rng.choice(['+', '*', '-']), e, y)
        ctx.tags.add('shape_then_op')
    return e


SAFE_UNARY = ['sin', 'cos', 'tanh', 'arctan', 'abs']


def rand_tree(ctx, shape, depth, root=False):
    rng = ctx.rng
    if depth <= 0 or (not root and rng.random() < 0.25):
        dt = rng.choice(['f64', 'f64', 'f32', 'i64'])
        return ctx.input(shape, kind_for(dt), dt)
    r = rng.random()
    if r < 0.45:
        op = rng.choice(['+', '-', '*', '*'])
        x = rand_tree(ctx, shape, depth - 1)
        y = rand_tree(ctx, bcast_shape(rng, shape), depth - 1)
        if rng.random() < 0.2:
            y = ctx.lit(float_lit(rng))
        return binop(ctx, op, x, y)
    if r < 0.6:
        x = rand_tree(ctx, shape, depth - 1)
        y = rand_tree(ctx, bcast_shape(rng, shape), depth - 1)
        return ctx.node('%s / (abs(%s) + 1)' % (pa(x), y.arr),
                        '%s / (np.abs(%s) + 1)' % (pn(x), y.np))
    if r < 0.75:
        x = rand_tree(ctx, shape, depth - 1)
        return ctx.call(rng.choice(SAFE_UNARY), x)
    if r < 0.85:
        x = rand_tree(ctx, shape, depth - 1)
        y = rand_tree(ctx, bcast_shape(rng, shape), depth - 1)
        return ctx.call(rng.choice(['minimum', 'maximum']), x, pos=[y])
    if r < 0.92 and len(shape) >= 2 and shape[0] == shape[1]:
        x = rand_tree(ctx, shape, depth - 1)
        return ctx.node('%s.T' % pa(x), '%s.T' % pn(x), True)
    # reduce a larger array along a new axis then continue
    extra = rng.randint(2, 4)
    x = rand_tree(ctx, shape + (extra,), depth - 1)
    fn = rng.choice(['sum', 'mean', 'max', 'min'])
    return red_call(ctx, fn, x, [('axis', -1)], [('axis', -1)])


def cat_combo(ctx):
    rng = ctx.rng
    shape = rand_shape(rng, max_size=60, max_nd=3)
    e = rand_tree(ctx, shape, rng.randint(2, 3), root=True)
    r = rng.random()
    if r < 0.4:
        fn = rng.choice(['sum', 'mean', 'max', 'std', 'argmax'])
        kw = [('axis', rng.randrange(e.nd))] if e.nd and rng.random() < 0.6 else []
        e = red_call(ctx, fn, e, kw, kw)
    elif r < 0.55:
        e = ctx.node('%s - %s' % (pa(e), red_call(ctx, 'mean', e, [], []).arr),
                     '%s - %s' % (pn(e), 'np.mean(%s)' % e.np))
        ctx.tags.add('minus_mean')
    elif r < 0.7 and e.nd >= 1:
        e = ctx.node('%s[::-1]' % pa(e), '%s[::-1]' % pn(e), True)
    ctx.tags.add('combo')
    return e


# ----------------------------------------------------------------------------
# linear algebra (LANGUAGE.md §11a): products, contractions and norms

EINSUM_SPECS = [
    # (subscripts, shapes as tuples of letters sized below)
    ('ij,jk->ik', ['ij', 'jk']), ('ij,jk', ['ij', 'jk']), ('ii->i', ['ii']), ('ii', ['ii']),
    ('ij->ji', ['ij']), ('bij,bjk->bik', ['bij', 'bjk']), ('i,i->', ['i', 'i']),
    ('ij,ij->i', ['ij', 'ij']), ('...ij,...jk->...ik', ['bij', 'bjk']),
    ('ijk,jl->ikl', ['ijk', 'jl']), ('i,j->ij', ['i', 'j']), ('ij,jk,kl->il', ['ij', 'jk', 'kl']),
    ('ij->', ['ij']), ('iij->j', ['iij']), ('ij,kj->ik', ['ij', 'kj']),
]


def cat_linalg(ctx):
    rng = ctx.rng
    fn = rng.choice(['matmul', 'matmul', 'matmul_nd', 'matmul_1d', 'dot', 'tensordot',
                     'einsum', 'einsum', 'trace', 'outer', 'kron', 'cov', 'corrcoef',
                     'norm_vec', 'norm_vec', 'norm_mat'])
    ints_ok = fn in ('matmul', 'matmul_nd', 'matmul_1d', 'dot', 'tensordot', 'trace',
                     'outer', 'kron')
    dt = rng.choice(['f64', 'f64', 'f64', 'f32'] + (['i64', 'i32'] if ints_ok else []))
    kind = kind_for(dt, 'gen', 'small')

    def inp(shape):
        return ctx.input(shape, kind, dt)

    def dim():
        return rng.randint(1, 9)

    ctx.tags.add('linalg:' + fn)
    if fn in ('matmul', 'matmul_nd', 'matmul_1d'):
        m, k, n = dim(), dim(), dim()
        if fn == 'matmul':
            sa, sb = (m, k), (k, n)
        elif fn == 'matmul_1d':
            sa, sb = rng.choice([((k,), (k, n)), ((m, k), (k,)), ((k,), (k,)),
                                 ((2, m, k), (k,)), ((k,), (3, k, n))])
        else:
            batch = rand_shape(rng, nd=rng.randint(1, 2), max_size=12)
            sa = tuple(batch) + (m, k)
            sb = bcast_shape(rng, batch) + (k, n)
        a, b = inp(sa), inp(sb)
        if rng.random() < 0.5:
            return ctx.inexact(ctx.node('%s @ %s' % (a.arr, b.arr), 'np.matmul(%s, %s)' % (a.np, b.np)))
        return ctx.inexact(ctx.node('matmul(%s, %s)' % (a.arr, b.arr),
                                    'np.matmul(%s, %s)' % (a.np, b.np), atom=True))
    if fn == 'dot':
        m, k, n = dim(), dim(), dim()
        sa, sb = rng.choice([((k,), (k,)), ((m, k), (k, n)), ((m, k), (k,)),
                             ((2, m, k), (3, k, n)), ((m, k), (2, k, n))])
        a, b = inp(sa), inp(sb)
        return ctx.inexact(ctx.node('dot(%s, %s)' % (a.arr, b.arr),
                                    'np.dot(%s, %s)' % (a.np, b.np), atom=True))
    if fn == 'tensordot':
        p, q, r, s = dim(), dim(), dim(), dim()
        form = rng.randint(0, 3)
        if form == 0:
            a, b = inp((p, q, r)), inp((q, r, s))
            ax_a, ax_n = '2', '2'
        elif form == 1:
            a, b = inp((p, q)), inp((q, r))
            ax_a, ax_n = '1', '1'
        elif form == 2:
            a, b = inp((q, p, r)), inp((s, r, q))
            ax_a, ax_n = '[[0, 2], [2, 1]]', '([0, 2], [2, 1])'
        else:
            a, b = inp((p, q)), inp((r, s))
            ax_a, ax_n = '0', '0'
        return ctx.inexact(ctx.node('tensordot(%s, %s, axes=%s)' % (a.arr, b.arr, ax_a),
                                    'np.tensordot(%s, %s, axes=%s)' % (a.np, b.np, ax_n),
                                    atom=True))
    if fn == 'einsum':
        spec, terms = rng.choice(EINSUM_SPECS)
        sizes = {c: dim() for c in 'bijkl'}
        ops = [inp(tuple(sizes[c] for c in t)) for t in terms]
        ctx.tags.add('einsum:' + spec)
        return ctx.inexact(ctx.node(
            'einsum("%s", %s)' % (spec, ', '.join(o.arr for o in ops)),
            'np.einsum("%s", %s)' % (spec, ', '.join(o.np for o in ops)), atom=True))
    if fn == 'trace':
        shape = rng.choice([(dim(), dim()), (dim(), dim(), dim())])
        x = inp(shape)
        off = rng.choice([0, 0, 1, -1])
        return ctx.inexact(ctx.node('trace(%s, offset=%d)' % (x.arr, off),
                                    'np.trace(%s, offset=%d)' % (x.np, off), atom=True))
    if fn == 'outer':
        a, b = inp((dim(),)), inp(rng.choice([(dim(),), (2, dim())]))
        return ctx.node('outer(%s, %s)' % (a.arr, b.arr), 'np.outer(%s, %s)' % (a.np, b.np),
                        atom=True)
    if fn == 'kron':
        a = inp(rng.choice([(dim(),), (dim(), dim())]))
        b = inp(rng.choice([(dim(),), (dim(), dim())]))
        return ctx.node('kron(%s, %s)' % (a.arr, b.arr), 'np.kron(%s, %s)' % (a.np, b.np),
                        atom=True)
    if fn in ('cov', 'corrcoef'):
        x = inp((rng.randint(2, 5), rng.randint(4, 12)))
        kw = []
        if rng.random() < 0.5:
            kw.append(('rowvar', rng.random() < 0.5))
        if fn == 'cov' and rng.random() < 0.4:
            kw.append(('ddof', rng.choice([0, 1, 2])))
        a_rest, n_rest = arglist([], kw)
        return ctx.inexact(ctx.node(
            '%s(%s%s)' % (fn, x.arr, ', ' + a_rest if a_rest else ''),
            'np.%s(%s%s)' % (fn, x.np, ', ' + n_rest if n_rest else ''), atom=True))
    if fn == 'norm_vec':
        shape = rand_shape(rng, max_nd=3, max_size=80)
        x = inp(shape)
        ordv = rng.choice([None, None, 1, 2, math.inf, -math.inf, 0, 3, 0.5])
        kw = [('ord', ordv)] if ordv is not None else []
        if len(shape) > 1 or rng.random() < 0.5:
            kw.append(('axis', rng.randrange(-len(shape), len(shape))))
        elif ordv is None and rng.random() < 0.5:
            pass
        if rng.random() < 0.3:
            kw.append(('keepdims', True))
        if ordv == 0.5:
            ctx.tags.add('norm:p')
    else:
        shape = rand_shape(rng, nd=rng.choice([2, 2, 3]), max_size=80)
        x = inp(shape)
        ordv = rng.choice([None, 'fro', 'nuc', 1, -1, 2, -2, math.inf, -math.inf])
        kw = [('ord', Raw('"%s"' % ordv) if isinstance(ordv, str) else ordv)] \
            if ordv is not None else []
        if len(shape) == 3 or rng.random() < 0.5:
            ax = rng.sample(range(len(shape)), 2)
            kw.append(('axis', tuple(ax)))
        if rng.random() < 0.3:
            kw.append(('keepdims', True))
    a_rest, n_rest = arglist([], kw)
    ctx.tags.add('linalg.norm')
    return ctx.inexact(ctx.node('linalg.norm(%s, %s)' % (x.arr, a_rest) if a_rest else
                                'linalg.norm(%s)' % x.arr,
                                'np.linalg.norm(%s%s)' % (x.np, ', ' + n_rest if n_rest else ''),
                                atom=True))


LINALG_SHARE = float(os.environ.get('NUMPY_DIFF_LINALG_SHARE', '0.1'))

CATEGORIES = [
    ('arith', cat_arith, 16), ('compare', cat_compare, 8), ('unary', cat_unary, 14),
    ('binmath', cat_binmath, 5), ('dtype', cat_dtype, 7), ('creation', cat_creation, 3),
    ('reduce', cat_reduce, 18), ('scan', cat_scan, 5), ('index', cat_index, 11),
    ('shape', cat_shape, 15), ('combo', cat_combo, 7),
]


# ----------------------------------------------------------------------------
# cases

def encode(v):
    """NumPy value -> JSON-able nested lists; nan/inf as strings."""
    def enc(x):
        if isinstance(x, list):
            return [enc(y) for y in x]
        if isinstance(x, float):
            if math.isnan(x):
                return 'nan'
            if math.isinf(x):
                return 'inf' if x > 0 else '-inf'
        return x
    return enc(np.asarray(v).tolist())


def decode(v):
    def dec(x):
        if isinstance(x, list):
            return [dec(y) for y in x]
        if isinstance(x, str):
            return float(x)
        return x
    return dec(v)


def make_case(seed, i):
    rejects = collections.Counter()
    for attempt in range(MAX_TRIES):
        rng = random.Random('%s:%d:%d' % (seed, i, attempt))
        ctx = Ctx(rng, i)
        cats = CATEGORIES
        if str(seed).startswith('toolbox'):
            # The toolbox of LANGUAGE.md §11a has its own seeds (gen_toolbox.py).
            import gen_toolbox
            cats = gen_toolbox.CATEGORIES
        name, fn, _ = rng.choices(cats, weights=[w for _, _, w in cats])[0]
        # About one case in ten of the main seeds is linear algebra, drawn on the side so
        # that the other categories' cases stay what they were.
        if cats is CATEGORIES and random.Random('linalg:%s:%d' % (seed, i)).random() < LINALG_SHARE:
            name, fn = 'linalg', cat_linalg
        try:
            e = fn(ctx)
            if e.lit:
                raise Reject('literal result')
            v = np.asarray(e.val)
            if v.size > MAX_RESULT:
                raise Reject('result too big')
        except Reject as ex:
            rejects[str(ex).split(' ')[0]] += 1
            continue
        except (FloatingPointError, RuntimeWarning, OverflowError, TypeError, ValueError,
                IndexError, np.exceptions.AxisError) as ex:
            rejects[type(ex).__name__] += 1
            continue
        dt = NP2ARR[v.dtype.name]
        rtol = 1e-5 if dt == 'f32' or ctx.f32_inexact else 1e-12
        return {
            'id': i, 'cat': name, 'arr': e.arr, 'np': e.np,
            'arr_setup': ctx.setup_arr, 'np_setup': ctx.setup_np,
            'expected': encode(v), 'dtype': dt, 'shape': list(v.shape),
            'rtol': rtol, 'scale': ctx.scale, 'unknown_shape': ctx.unknown_shape,
            'tags': sorted(ctx.tags), 'attempts': attempt + 1,
        }, rejects
    raise RuntimeError('case %d: no valid draw in %d tries: %s' % (i, MAX_TRIES, dict(rejects)))


def generate(seed=0, count=300):
    cases, rejects = [], collections.Counter()
    for i in range(count):
        c, r = make_case(seed, i)
        cases.append(c)
        rejects.update(r)
    return cases, rejects


def case_block(c):
    i = c['id']
    lines = ['# case %d [%s]' % (i, c['cat'])]
    lines += c['arr_setup']
    lines.append('r_%d = %s' % (i, c['arr']))
    lines.append('print("case", %d)' % i)
    lines.append('print(r_%d)' % i)
    lines.append('print(r_%d.dtype, r_%d.shape)' % (i, i))
    return '\n'.join(lines) + '\n'


def program(cases, seed=None):
    head = '# generated by tests/numpy_diff/gen.py%s; do not edit\n\n' % (
        '' if seed is None else ' --seed %s' % seed)
    return head + '\n'.join(case_block(c) for c in cases)


def write(cases, out, seed=None):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'cases.arr'), 'w') as f:
        f.write(program(cases, seed))
    with open(os.path.join(out, 'cases.json'), 'w') as f:
        # one case per line: readable with grep, still plain JSON
        f.write('{"seed": %s, "numpy": %s, "cases": [\n' % (json.dumps(seed),
                                                          json.dumps(np.__version__)))
        f.write(',\n'.join(json.dumps(c) for c in cases))
        f.write('\n]}\n')


def validate(cases):
    """Re-evaluate every case's NumPy source from scratch and compare with the JSON."""
    bad = 0
    for c in json.loads(json.dumps(cases)):
        env = {'np': np}
        with warnings.catch_warnings(), np.errstate(all='ignore'):
            warnings.simplefilter('ignore')
            for line in c['np_setup']:
                exec(line, env)
            v = np.asarray(eval(c['np'], env))
        exp = np.asarray(decode(c['expected']), dtype=v.dtype) if v.size else v
        ok = (NP2ARR.get(v.dtype.name) == c['dtype'] and list(v.shape) == c['shape']
              and np.array_equal(v, exp, equal_nan=v.dtype.kind == 'f')
              and v.size <= MAX_RESULT)
        # the Arr side must not mention NumPy
        ok = ok and 'np.' not in c['arr'] and not any('np.' in s for s in c['arr_setup'])
        ok = ok and 'True' not in c['arr'] and 'None' not in c['arr']
        if not ok:
            bad += 1
            print('INVALID case %d: %s' % (c['id'], c['np']), file=sys.stderr)
    return bad


class _ArrShim(np.ndarray):
    """An ndarray whose missing methods are Arr's functions (method form, section 8)."""

    def __getattr__(self, name):
        f = _ARR_FUNCS.get(name)
        if f is None:
            raise AttributeError(name)
        return lambda *a, **k: f(self, *a, **k)

    # ndarray's own methods would shadow these (u8 sums must accumulate in i64)
    def sum(self, *a, **k):
        return _ARR_FUNCS['sum'](self, *a, **k)

    def prod(self, *a, **k):
        return _ARR_FUNCS['prod'](self, *a, **k)

    def cumsum(self, *a, **k):
        return _ARR_FUNCS['cumsum'](self, *a, **k)

    def cumprod(self, *a, **k):
        return _ARR_FUNCS['cumprod'](self, *a, **k)


def _w(v):
    return np.asarray(v).view(_ArrShim) if isinstance(v, np.ndarray) else v


def _dt(d):
    return np.dtype(ARR2NP[d][3:] if d != 'bool' else 'bool') if isinstance(d, str) else d


def _nochunks(f):
    def g(*a, **k):
        k.pop('chunks', None)
        if 'dtype' in k:
            k['dtype'] = _dt(k['dtype'])
        return _w(f(*a, **k))
    return g


def _acc64(f):
    def g(x, *a, **k):
        x = np.asarray(x)
        if x.dtype == np.uint8:
            k['dtype'] = np.int64
        return _w(f(x, *a, **k))
    return g


def _arr_env():
    """Evaluate Arr source as Python with NumPy underneath (a check on the generator)."""
    env = {'true': True, 'false': False, 'none': None, 'nan': np.nan, 'inf': np.inf,
           'pi': np.pi, 'e': np.e, 'newaxis': None}
    for d in ARR2NP:
        env[d] = _dt(d)
    funcs = {}
    for name in ['abs', 'sign', 'sqrt', 'cbrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10',
                 'log1p', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'arctan2', 'sinh',
                 'cosh', 'tanh', 'floor', 'ceil', 'round', 'trunc', 'minimum', 'maximum', 'clip',
                 'where', 'isnan', 'isinf', 'isfinite', 'nan_to_num', 'hypot', 'mean', 'var',
                 'std', 'min', 'max', 'argmin', 'argmax', 'any', 'all', 'count_nonzero',
                 'nanmean', 'nanvar', 'nanstd', 'nanmin', 'nanmax', 'reshape', 'transpose',
                 'swapaxes', 'moveaxis', 'squeeze', 'expand_dims', 'ravel', 'broadcast_to',
                 'stack', 'concatenate', 'hstack', 'vstack', 'flip', 'triu', 'tril', 'diagonal']:
        funcs[name] = (lambda f: lambda *a, **k: _w(f(*a, **k)))(getattr(np, name))
    for name in ['sum', 'prod', 'nansum', 'nanprod', 'cumsum', 'cumprod']:
        funcs[name] = _acc64(getattr(np, name))
    for name in ['zeros', 'ones', 'full', 'eye', 'arange', 'linspace', 'array', 'zeros_like',
                 'ones_like', 'full_like']:
        funcs[name] = _nochunks(getattr(np, name))
    funcs['astype'] = lambda x, d: _w(np.asarray(x).astype(_dt(d)))
    funcs['rechunk'] = lambda x, c: x
    env.update(funcs)
    return env, funcs


_ARR_FUNCS = {}


def crosscheck(cases):
    """Run each case's Arr source through _arr_env and compare with the expected value."""
    env0, funcs = _arr_env()
    _ARR_FUNCS.update(funcs)
    bad = 0
    for c in cases:
        env = dict(env0)
        try:
            with warnings.catch_warnings(), np.errstate(all='ignore'):
                warnings.simplefilter('ignore')
                for line in c['arr_setup']:
                    exec(line, env)
                v = np.asarray(eval(c['arr'], env))
            exp = np.asarray(decode(c['expected']), dtype=v.dtype)
            ok = (NP2ARR.get(v.dtype.name) == c['dtype'] and list(v.shape) == c['shape']
                  and np.array_equal(v, exp, equal_nan=v.dtype.kind == 'f'))
            why = '%s %s' % (v.dtype, v.shape)
        except Exception as ex:  # noqa: BLE001 - report anything
            ok, why = False, '%s: %s' % (type(ex).__name__, ex)
        if not ok:
            bad += 1
            print('CROSSCHECK case %d: %s -> %s' % (c['id'], c['arr'], why), file=sys.stderr)
    return bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--seed', default='0')
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--out', default=None, help='folder for cases.arr and cases.json')
    ap.add_argument('--validate', action='store_true', help='re-evaluate the NumPy side')
    ap.add_argument('--stats', action='store_true', help='print coverage and reject counts')
    ap.add_argument('--show', type=int, nargs='*', help='print these cases as Arr and NumPy')
    a = ap.parse_args(argv)
    cases, rejects = generate(a.seed, a.count)
    if a.out:
        write(cases, a.out, a.seed)
        print('wrote %d cases to %s' % (len(cases), a.out))
    if a.show is not None:
        for c in cases:
            if not a.show or c['id'] in a.show:
                print(case_block(c) + '#   numpy: %s\n#   -> %s %s\n' % (
                    c['np'], c['dtype'], tuple(c['shape'])))
    if a.stats:
        cats = collections.Counter(c['cat'] for c in cases)
        tags = collections.Counter(t for c in cases for t in c['tags'])
        dts = collections.Counter(c['dtype'] for c in cases)
        print('categories:', dict(cats.most_common()))
        print('result dtypes:', dict(dts.most_common()))
        print('features:', ', '.join('%s:%d' % kv for kv in sorted(tags.items())))
        print('rejected draws:', dict(rejects.most_common()))
    if a.validate:
        bad = validate(cases)
        bad += crosscheck(cases)
        print('validate: %d cases, %d invalid' % (len(cases), bad))
        return 1 if bad else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
