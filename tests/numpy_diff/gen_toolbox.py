"""Case categories for the toolbox of LANGUAGE.md §11a (blocks, stencils, statistics,
shape and indexing builtins), drawn by gen.py for seeds that start with "toolbox"
(`check.py --seed toolbox0`), so the draws of the other seeds stay as they were.

Every case is an Arr expression and the NumPy expression that must give the same value:
map_overlap of a stencil against the stencil on np.pad's padded array, map_blocks against
the function applied to NumPy's blocks (np.split at the same boundaries), histograms,
exact percentiles along an axis or over everything, and the pad modes.
"""
import numpy as np

import gen
from gen import E, Raw, Reject, partition, pa


def explicit_chunks(rng, shape, min_len=1):
    """An explicit grid ([[3, 3, 1], [2, 2]]) with every block at least min_len long."""
    grid = []
    for n in shape:
        for _ in range(20):
            p = partition(rng, n)
            if min(p) >= min(min_len, n):
                break
        else:
            p = [n]
        grid.append(p)
    return grid


def grid_src(grid):
    return '[' + ', '.join('[' + ', '.join(map(str, g)) + ']' for g in grid) + ']'


def chunked_input(ctx, shape, kind, dt, min_len=1):
    """A named input cut into an explicit grid; returns (E, grid)."""
    x = ctx.input(shape, kind, dt)
    grid = explicit_chunks(ctx.rng, shape, min_len)
    e = E('rechunk(%s, %s)' % (x.arr, grid_src(grid)), x.np, x.val, atom=True)
    return ctx.bind(e), grid


BOUNDARY_NP = {'reflect': 'symmetric', 'periodic': 'wrap', 'nearest': 'edge'}


def cat_stencil(ctx):
    """map_overlap(stencil) == stencil on the whole array padded by np.pad."""
    rng = ctx.rng
    nd = rng.choice([1, 1, 2])
    shape = [rng.randint(3, 12) for _ in range(nd)]
    dt = rng.choice(['f64', 'f64', 'i64'])
    depth = rng.choice([1, 1, 2])
    x, grid = chunked_input(ctx, shape, 'gen' if dt == 'f64' else 'int', dt, min_len=depth)
    if any(min(g) < depth for g in grid):
        raise Reject('block smaller than depth')
    b = rng.choice(['reflect', 'periodic', 'nearest', 'const'])
    if b == 'const':
        c = rng.choice([0, 1, -2])
        barr, bnp = str(c), "mode='constant', constant_values=%d" % c
    else:
        barr, bnp = '"%s"' % b, "mode='%s'" % BOUNDARY_NP[b]
    # A stencil from rolls: the wrapped edges of each extended block are trimmed away.
    terms_a, terms_n = [], []
    for k in range(nd):
        for s in range(1, depth + 1):
            w = rng.choice([1, 2, 3])
            for sh in (s, -s):
                terms_a.append('%d * roll(b, %d, axis=%d)' % (w, sh, k))
                terms_n.append('%d * np.roll(p, %d, axis=%d)' % (w, sh, k))
    mid = rng.choice([1, 4])
    fa = '|b| %d * b + %s' % (mid, ' + '.join(terms_a))
    fn = '%d * p + %s' % (mid, ' + '.join(terms_n))
    cut = ', '.join(['%d:-%d' % (depth, depth)] * nd)
    arr = 'map_overlap(%s, %s, depth=%d, boundary=%s)' % (fa, x.arr, depth, barr)
    npx = '(lambda p: (%s)[%s])(np.pad(%s, %d, %s))' % (fn, cut, x.np, depth, bnp)
    ctx.tags.add('map_overlap')
    ctx.tags.add('boundary=' + b)
    return ctx.node(arr, npx, atom=True)


def cat_blocks(ctx):
    """map_blocks of a lambda (possibly block-dependent) against np.split's blocks."""
    rng = ctx.rng
    n = rng.randint(4, 30)
    x, grid = chunked_input(ctx, [n], 'gen', 'f64')
    splits = list(np.cumsum(grid[0])[:-1])
    which = rng.choice(['affine', 'center', 'cumsum', 'two'])
    if which == 'affine':
        fa, fn = '|b| b * 3 - 1', 'lambda b: b * 3 - 1'
    elif which == 'center':
        fa, fn = '|b| b - b.mean()', 'lambda b: b - b.mean()'
    elif which == 'cumsum':
        fa, fn = '|b| cumsum(b)', 'lambda b: np.cumsum(b)'
    else:
        y, _ = chunked_input(ctx, [n], 'gen', 'f64')
        arr = 'map_blocks(|a, b| a * b + 1, %s, %s)' % (x.arr, y.arr)
        npx = '%s * %s + 1' % (x.np, y.np)
        ctx.tags.add('map_blocks:two')
        return ctx.node(arr, npx, atom=True)
    arr = 'map_blocks(%s, %s)' % (fa, x.arr)
    npx = 'np.concatenate([(%s)(c) for c in np.split(%s, %r)])' % (fn, x.np, [int(s) for s in splits])
    ctx.tags.add('map_blocks:' + which)
    return ctx.node(arr, npx, atom=True)


def cat_coarsen(ctx):
    rng = ctx.rng
    f = [rng.choice([1, 2, 3]) for _ in range(2)]
    shape = [f[0] * rng.randint(1, 5), f[1] * rng.randint(1, 5)]
    x, _ = chunked_input(ctx, shape, 'gen', 'f64')
    fn = rng.choice(['mean', 'sum', 'max', 'min'])
    arr = 'coarsen(%s, [%d, %d], func=%s)' % (x.arr, f[0], f[1], fn)
    npx = '%s.reshape(%d, %d, %d, %d).%s(axis=(1, 3))' % (
        x.np, shape[0] // f[0], f[0], shape[1] // f[1], f[1], fn)
    ctx.tags.add('coarsen')
    return ctx.node(arr, npx, atom=True)


def cat_hist(ctx):
    rng = ctx.rng
    which = rng.choice(['uniform', 'range', 'edges', 'weights', 'density', 'bincount',
                        'digitize', 'searchsorted', 'isin'])
    n = rng.randint(5, 60)
    if which == 'bincount':
        x, _ = chunked_input(ctx, [n], 'nonneg', 'i64')
        if rng.random() < 0.4:
            w, _ = chunked_input(ctx, [n], 'gen', 'f64')
            arr, npx = 'bincount(%s, weights=%s)' % (x.arr, w.arr), 'np.bincount(%s, weights=%s)' % (x.np, w.np)
        else:
            m = rng.randint(0, 12)
            arr, npx = 'bincount(%s, minlength=%d)' % (x.arr, m), 'np.bincount(%s, minlength=%d)' % (x.np, m)
        ctx.tags.add('bincount')
        return ctx.node(arr, npx, atom=True)
    dt = rng.choice(['f64', 'f64', 'i64'])
    x, _ = chunked_input(ctx, [n], 'gen' if dt == 'f64' else 'int', dt)
    part = rng.choice([0, 0, 1])
    if which == 'uniform':
        b = rng.randint(1, 12)
        arr, npx = 'histogram(%s, bins=%d)' % (x.arr, b), 'np.histogram(%s, bins=%d)' % (x.np, b)
    elif which == 'range':
        b = rng.randint(1, 12)
        lo = rng.choice([-3, -1.5, 0])
        hi = lo + rng.choice([1, 2.5, 6])
        arr = 'histogram(%s, bins=%d, range=[%r, %r])' % (x.arr, b, lo, hi)
        npx = 'np.histogram(%s, bins=%d, range=(%r, %r))' % (x.np, b, lo, hi)
    elif which in ('edges', 'digitize', 'searchsorted'):
        edges = sorted(set(round(rng.uniform(-6, 6), 1) for _ in range(rng.randint(2, 7))))
        if len(edges) < 2:
            raise Reject('edges')
        if which == 'edges':
            arr = 'histogram(%s, bins=%r)' % (x.arr, edges)
            npx = 'np.histogram(%s, bins=np.array(%r))' % (x.np, edges)
        elif which == 'digitize':
            right = rng.random() < 0.5
            if rng.random() < 0.3:
                edges = edges[::-1]
            r = 'true' if right else 'false'
            arr = 'digitize(%s, array(%r), right=%s)' % (x.arr, edges, r)
            npx = 'np.digitize(%s, np.array(%r), right=%s)' % (x.np, edges, right)
            part = None
        else:
            side = rng.choice(['left', 'right'])
            arr = 'searchsorted(array(%r), %s, side="%s")' % (edges, x.arr, side)
            npx = 'np.searchsorted(np.array(%r), %s, side="%s")' % (edges, x.np, side)
            part = None
    elif which == 'isin':
        vals = [rng.randint(-5, 5) for _ in range(rng.randint(1, 5))]
        arr = 'isin(%s, %r)' % (x.arr, vals)
        npx = 'np.isin(%s, %r)' % (x.np, vals)
        part = None
    else:
        w, _ = chunked_input(ctx, [n], 'pos', 'f64')
        b = rng.randint(1, 8)
        if which == 'weights':
            arr = 'histogram(%s, bins=%d, weights=%s)' % (x.arr, b, w.arr)
            npx = 'np.histogram(%s, bins=%d, weights=%s)' % (x.np, b, w.np)
        else:
            arr = 'histogram(%s, bins=%d, density=true)' % (x.arr, b)
            npx = 'np.histogram(%s, bins=%d, density=True)' % (x.np, b)
    if part is not None:
        arr, npx = '%s[%d]' % (arr, part), '%s[%d]' % (npx, part)
    ctx.tags.add('hist:' + which)
    return ctx.node(arr, npx, atom=True)


def cat_quantile(ctx):
    rng = ctx.rng
    fn = rng.choice(['percentile', 'quantile', 'median', 'nanpercentile', 'nanmedian',
                     'nanquantile'])
    nd = rng.choice([1, 2, 2, 3])
    shape = [rng.randint(1, 8) for _ in range(nd)]
    dt = rng.choice(['f64', 'f64', 'f32', 'i64'])
    if fn.startswith('nan') and dt != 'i64':
        x = ctx.nan_input(shape, dt, frac=rng.uniform(0.05, 0.3))
        grid = explicit_chunks(rng, shape)
        x = ctx.bind(E('rechunk(%s, %s)' % (x.arr, grid_src(grid)), x.np, x.val, atom=True))
    else:
        x, _ = chunked_input(ctx, shape, 'gen' if dt != 'i64' else 'int', dt)
    kw_a, kw_n = [], []
    if fn.endswith('median'):
        qa = qn = None
    else:
        scale = 100 if fn.endswith('percentile') else 1
        if rng.random() < 0.5:
            q = round(rng.uniform(0, scale), 2)
            qa, qn = repr(q), repr(q)
        else:
            qs = [round(rng.uniform(0, scale), 2) for _ in range(rng.randint(1, 4))]
            qa, qn = repr(qs), repr(qs)
    axis = gen.rand_axis(rng, nd, allow_tuple=False)
    if axis is not None:
        kw_a.append('axis=%d' % axis)
        kw_n.append('axis=%d' % axis)
    if rng.random() < 0.2:
        kw_a.append('keepdims=true')
        kw_n.append('keepdims=True')
    pos_a = [x.arr] + ([qa] if qa else [])
    pos_n = [x.np] + ([qn] if qn else [])
    arr = '%s(%s)' % (fn, ', '.join(pos_a + kw_a))
    npx = 'np.%s(%s)' % (fn, ', '.join(pos_n + kw_n))
    ctx.tags.add(fn)
    return ctx.node(arr, npx, atom=True)


def cat_reshape_ops(ctx):
    rng = ctx.rng
    which = rng.choice(['pad', 'pad', 'pad', 'roll', 'tile', 'repeat', 'take', 'diff',
                        'average', 'ptp', 'meshgrid', 'indices', 'argwhere'])
    nd = rng.choice([1, 2])
    shape = [rng.randint(1, 7) for _ in range(nd)]
    dt = rng.choice(['f64', 'i64', 'i32'])
    x, _ = chunked_input(ctx, shape, 'gen' if dt == 'f64' else 'int', dt)
    ax = rng.randrange(nd)
    if which == 'pad':
        mode = rng.choice(['constant', 'edge', 'reflect', 'symmetric', 'wrap'])
        widths = [(rng.randint(0, 8), rng.randint(0, 8)) for _ in range(nd)]
        wa = '[' + ', '.join('[%d, %d]' % w for w in widths) + ']'
        extra_a = extra_n = ''
        if mode == 'constant' and rng.random() < 0.5:
            extra_a = extra_n = ', constant_values=%d' % rng.randint(-3, 3)
        arr = 'pad(%s, %s, mode="%s"%s)' % (x.arr, wa, mode, extra_a)
        npx = 'np.pad(%s, %r, mode="%s"%s)' % (x.np, widths, mode, extra_n)
        ctx.tags.add('pad:' + mode)
    elif which == 'roll':
        s = rng.randint(-12, 12)
        if rng.random() < 0.4:
            arr, npx = 'roll(%s, %d)' % (x.arr, s), 'np.roll(%s, %d)' % (x.np, s)
        else:
            arr, npx = 'roll(%s, %d, axis=%d)' % (x.arr, s, ax), 'np.roll(%s, %d, axis=%d)' % (x.np, s, ax)
    elif which == 'tile':
        reps = [rng.randint(1, 3) for _ in range(rng.randint(1, 3))]
        arr, npx = 'tile(%s, %r)' % (x.arr, reps), 'np.tile(%s, %r)' % (x.np, reps)
    elif which == 'repeat':
        if rng.random() < 0.5:
            r = rng.randint(0, 3)
            arr, npx = 'repeat(%s, %d, axis=%d)' % (x.arr, r, ax), 'np.repeat(%s, %d, axis=%d)' % (x.np, r, ax)
        else:
            reps = [rng.randint(0, 3) for _ in range(shape[ax])]
            arr, npx = 'repeat(%s, %r, axis=%d)' % (x.arr, reps, ax), 'np.repeat(%s, %r, axis=%d)' % (x.np, reps, ax)
    elif which == 'take':
        idx = [rng.randint(-shape[ax], shape[ax] - 1) for _ in range(rng.randint(1, 6))]
        arr, npx = 'take(%s, %r, axis=%d)' % (x.arr, idx, ax), 'np.take(%s, %r, axis=%d)' % (x.np, idx, ax)
    elif which == 'diff':
        k = rng.randint(1, 2)
        arr, npx = 'diff(%s, n=%d, axis=%d)' % (x.arr, k, ax), 'np.diff(%s, n=%d, axis=%d)' % (x.np, k, ax)
    elif which == 'average':
        w, _ = chunked_input(ctx, [shape[ax]], 'pos', 'f64')
        arr = 'average(%s, axis=%d, weights=%s)' % (x.arr, ax, w.arr)
        npx = 'np.average(%s, axis=%d, weights=%s)' % (x.np, ax, w.np)
    elif which == 'ptp':
        arr, npx = 'ptp(%s, axis=%d)' % (x.arr, ax), 'np.ptp(%s, axis=%d)' % (x.np, ax)
    elif which == 'meshgrid':
        y, _ = chunked_input(ctx, [rng.randint(1, 5)], 'int', 'i64')
        xs, _ = chunked_input(ctx, [rng.randint(1, 5)], 'gen', 'f64')
        ij = rng.choice(['xy', 'ij'])
        part = rng.randint(0, 1)
        arr = 'meshgrid(%s, %s, indexing="%s")[%d]' % (xs.arr, y.arr, ij, part)
        npx = 'np.meshgrid(%s, %s, indexing="%s")[%d]' % (xs.np, y.np, ij, part)
    elif which == 'indices':
        arr, npx = 'indices(%r)' % (shape,), 'np.indices(%r)' % (tuple(shape),)
    else:
        arr, npx = 'argwhere(%s > 0)' % pa(x), 'np.argwhere(%s > 0)' % x.np
    ctx.tags.add(which)
    return ctx.node(arr, npx, atom=True)


CATEGORIES = [
    ('stencil', cat_stencil, 5), ('blocks', cat_blocks, 3), ('coarsen', cat_coarsen, 2),
    ('hist', cat_hist, 6), ('quantile', cat_quantile, 6), ('reshape_ops', cat_reshape_ops, 7),
]
