#!/usr/bin/env python3
"""agg_expect.py - writes the .expect files of agg_exact, agg_exact_keyed and
agg_json from the values their workloads feed (driver.sh's hammer, the
.sh files' own lines), by bpftrace 0.17's rules for each aggregation and its
printing: the numbers are reasoned out here, not copied from ebpfq's output.
Run it from tests/runtime after changing a workload; review the diff.
"""
import json
import re
import struct
from functools import cmp_to_key

BAR = 52


def run(n, values):
    """what n calls going round values feed"""
    return [values[i % len(values)] for i in range(n)]


HAMMER = run(120000, [-1000, -7, 0, 1, 5, 64]) + run(120000, [-3, 2, 3, 100, 4096, 1048576])
SPREADER = run(2000, [-5, -2])          # agg_exact_keyed.sh, agg_json.sh
HAMMER_KEY_3 = run(1000, [7])           # agg_exact_keyed.sh


# ---- numbers -------------------------------------------------------------------

def div0(a, b):
    """C's division of signed integers: toward zero"""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def average(v):
    return div0(sum(v), len(v))


def f32(x):
    return struct.unpack('f', struct.pack('f', x))[0]


def bar_width(count, most):
    """bpftrace: int(count / (float)most * 52), in float"""
    return int(f32(f32(f32(float(count)) / f32(float(most))) * BAR))


# ---- buckets --------------------------------------------------------------------

def hist_counts(values):
    """hist(): bucket 0 below 0, 1 for 0, 2 + floor(log2 v) from 1 up"""
    counts = [0] * 65
    for v in values:
        counts[0 if v < 0 else 1 if v == 0 else 1 + v.bit_length()] += 1
    return counts


def lhist_counts(values, lo, hi, step):
    n = (hi - lo) // step
    counts = [0] * (n + 2)
    for v in values:
        counts[0 if v < lo else n + 1 if v >= hi else (v - lo) // step + 1] += 1
    return counts


def power(p):
    unit = 4 if p >= 40 else p // 10
    return str(1 << (p - 10 * unit)) + ['', 'K', 'M', 'G', 'T'][unit]


def hist_label(i):
    return ['(..., 0)', '[0]', '[1]'][i] if i < 3 else '[%s, %s)' % (power(i - 2), power(i - 1))


def number(n):
    if n and n % 1048576 == 0:
        return '%dM' % (n // 1048576)
    if n and n % 1024 == 0:
        return '%dK' % (n // 1024)
    return str(n)


def lhist_label(i, lo, hi, step):
    n = (hi - lo) // step
    if i == 0:
        return '(..., %s)' % number(lo)
    if i == n + 1:
        return '[%s, ...)' % number(hi)
    return '[%s, %s)' % (number(lo + (i - 1) * step), number(lo + i * step))


def hist_range(i):
    """a hist row's min and max in JSON (None: left out)"""
    if i == 0:
        return None, -1
    if i < 3:
        return i - 1, i - 1
    return 1 << (i - 2), (1 << (i - 1)) - 1


def lhist_range(i, lo, hi, step):
    if i == 0:
        return None, lo - 1
    if i == (hi - lo) // step + 1:
        return hi, None
    return lo + (i - 1) * step, lo + i * step - 1


def shown(counts):
    """the rows printed: the first to the last non-empty bucket"""
    used = [i for i, c in enumerate(counts) if c]
    return range(used[0], used[-1] + 1)


# ---- maps -------------------------------------------------------------------------

class Agg:
    """one aggregation: kind, and lhist's range"""

    def __init__(self, kind, *lhist):
        self.kind, self.lhist = kind, lhist

    def counts(self, values):
        return hist_counts(values) if self.kind == 'hist' else lhist_counts(values, *self.lhist)

    def label(self, i):
        return hist_label(i) if self.kind == 'hist' else lhist_label(i, *self.lhist)

    def range(self, i):
        return hist_range(i) if self.kind == 'hist' else lhist_range(i, *self.lhist)

    def number(self, values):
        """what entries are sorted by (and the value of the plain ones)"""
        return {'count': len, 'sum': sum, 'avg': average, 'min': min, 'max': max,
                'stats': average, 'hist': len, 'lhist': len}[self.kind](values)


def key_cmp(a, b):
    """keys part by part, integers as unsigned 64-bit numbers"""
    for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        if isinstance(x, int):
            x, y = x % 2**64, y % 2**64
        if x != y:
            return -1 if x < y else 1
    return 0


def entries(agg, groups):
    """keys in the order printed: by value (count: unsigned; all the values
    here are in range either way), equal values by key"""
    def order(a, b):
        x, y = agg.number(groups[a]), agg.number(groups[b])
        return (x > y) - (x < y) or key_cmp(a, b)
    return sorted(groups, key=cmp_to_key(order))


def text(name, agg, groups):
    """a map as printed at exit; groups: {key: values}, key None when key-less"""
    out = []
    for i, k in enumerate(entries(agg, groups)):
        head = name + ('' if k is None else '[%s]' % (
            ', '.join(map(str, k)) if isinstance(k, tuple) else k)) + ': '
        v = groups[k]
        if agg.kind in ('hist', 'lhist'):
            out += [''] if i else []
            counts = agg.counts(v)
            most = max(counts)
            out.append(head)
            for b in shown(counts):
                w = bar_width(counts[b], most)
                out.append('%-16s%8d |%s|' % (agg.label(b), counts[b], '@' * w + ' ' * (BAR - w)))
        elif agg.kind == 'stats':
            out.append(head + 'count %d, average %d, total %d' % (len(v), average(v), sum(v)))
        else:
            out.append(head + str(agg.number(v)))
    return out + ([''] if agg.kind in ('hist', 'lhist', 'stats', 'avg') else [])


def json_key(k):
    t = ','.join(map(str, k)) if isinstance(k, tuple) else str(k)
    return t if re.match(r'^[A-Za-z0-9_@,.-]+$', t) else json.dumps(t, ensure_ascii=False)


def facts(name, agg, groups):
    """a map printed with -f json, as json_lines.jq describes it"""
    keyed = None not in groups
    at = lambda k: ' ' + json_key(k) if keyed else ''
    if agg.kind in ('hist', 'lhist'):
        out = []
        for k in entries(agg, groups):
            counts = agg.counts(groups[k])
            for row, b in enumerate(shown(counts)):
                lo, hi = agg.range(b)
                fields = ([] if lo is None else ['min=%d' % lo]) + \
                         ([] if hi is None else ['max=%d' % hi]) + ['count=%d' % counts[b]]
                out.append('hist %s%s[%d] %s' % (name, at(k), row, ' '.join(fields)))
        return out
    if agg.kind == 'stats':
        return ['stats %s%s count=%d average=%d total=%d' % (name, at(k), len(v), average(v), sum(v))
                for k, v in ((k, groups[k]) for k in entries(agg, groups))]
    kind = 'stats' if agg.kind == 'avg' else 'map'
    if not keyed:
        return ['%s %s=%d' % (kind, name, agg.number(groups[None]))]
    return ['%s %s %s' % (kind, name, ' '.join(
        '%s=%d' % (json_key(k), agg.number(groups[k])) for k in entries(agg, groups)))]


# ---- the cases ----------------------------------------------------------------------

def agg_exact():
    v = {None: HAMMER}
    out = ['status 0', 'Attaching 1 probe...', '', '']
    for name, agg in [('@a', Agg('avg')), ('@c', Agg('count')), ('@h', Agg('hist')),
                      ('@l', Agg('lhist', -100, 100, 25)), ('@lk', Agg('lhist', 0, 2048, 512)),
                      ('@ma', Agg('max')), ('@mi', Agg('min')), ('@s', Agg('sum')),
                      ('@st', Agg('stats'))]:
        out += text(name, agg, v)
    return out


def agg_exact_keyed():
    comm = {'hammer': HAMMER + HAMMER_KEY_3, 'spreader': SPREADER}
    comm_key = {('hammer', 1): HAMMER, ('hammer', 3): HAMMER_KEY_3, ('spreader', 2): SPREADER}
    key_comm = {(k, c): v for (c, k), v in comm_key.items()}
    key = {k: v for (c, k), v in comm_key.items()}
    out = ['status 0', 'Attaching 2 probes...', '', '']
    for name, agg, groups in [
            ('@a', Agg('avg'), comm), ('@a2', Agg('avg'), key), ('@c', Agg('count'), comm),
            ('@c2', Agg('count'), comm_key), ('@h', Agg('hist'), comm), ('@h2', Agg('hist'), comm_key),
            ('@l', Agg('lhist', -100, 100, 25), comm), ('@ma', Agg('max'), comm),
            ('@mi', Agg('min'), comm), ('@mi2', Agg('min'), key), ('@s', Agg('sum'), comm),
            ('@s2', Agg('sum'), key_comm), ('@st', Agg('stats'), comm)]:
        out += text(name, agg, groups)
    return out


# what aggwork -t passes (aggwork.c), as JSON decodes what ebpfq writes: a byte
# that is not UTF-8 is \u00XX, the character of that number
TEXT = 'q"b\\n\nt\tc\x01\x1fd\x7fe\u00e9x\u00ffy\u00c0z'


def jq_string(s):
    """a string as jq's tojson writes it: DEL escaped, other characters as they are"""
    return json.dumps(s, ensure_ascii=False, separators=(',', ':')).replace('\x7f', '\\u007f')


def agg_json():
    every = {None: HAMMER + SPREADER}
    comm = {'hammer': HAMMER, 'spreader': SPREADER}
    text_tuple = '[1,%s,-2]' % jq_string(TEXT)
    out = ['status 0', 'attached_probes probes=4',
           'printf ' + jq_string(TEXT + '|A\t\n'),        # the text probe's printf
           'map @tu ' + text_tuple,                         # and its print(@tu)
           'printf ' + jq_string('%d %d\n' % (len(HAMMER + SPREADER), max(HAMMER + SPREADER))),
           'map @s hammer=%d' % sum(HAMMER),                # print(@s, 1)
           'value [-1,"q\\"",7]', 'value "tab\\there"', 'map @ma=%d' % max(HAMMER + SPREADER),
           'value %d' % average(HAMMER), 'value null']          # print(@ak[1]), print(@ak[9])
    for name, agg, groups in [
            ('@a', Agg('avg'), every), ('@ak', Agg('avg'), {1: HAMMER, 2: SPREADER}),
            ('@c', Agg('count'), every), ('@h', Agg('hist'), every), ('@hk', Agg('hist'), comm),
            ('@l', Agg('lhist', -100, 100, 25), every), ('@ma', Agg('max'), every),
            ('@mi', Agg('min'), {('hammer', 1): HAMMER, ('spreader', 2): SPREADER}),
            ('@s', Agg('sum'), comm), ('@sk', Agg('stats'), comm), ('@st', Agg('stats'), every)]:
        out += facts(name, agg, groups)
    out += ['map @t %s=1' % jq_string(TEXT), 'map @tu ' + text_tuple]
    # the printf line as ebpfq wrote it: escapes of its own, é as it came
    out.append('{"type": "printf", "data": "q\\"b\\\\n\\nt\\tc\\u0001\\u001fd\x7fe\u00e9x'
               '\\u00ffy\\u00c0z|A\\t\\n"}')
    return [cat_v(line) for line in out]


def cat_v(line):
    """what cat -v shows of the line's UTF-8 bytes"""
    shown = ''
    for b in line.encode():
        meta, b = ('M-', b - 128) if b >= 128 else ('', b)
        shown += meta + ('^?' if b == 127 else '^' + chr(b + 64) if b < 32 and b != 9 else chr(b))
    return shown


def regex(line):
    """an extended regex matching the whole line and nothing else"""
    return '^' + re.sub(r'([][\\.^$*+?(){}|])', r'\\\1', line) + '$'


if __name__ == '__main__':
    for case, lines in [('agg_exact', agg_exact()), ('agg_exact_keyed', agg_exact_keyed()),
                        ('agg_json', agg_json())]:
        with open(case + '.expect', 'w') as f:
            f.writelines(regex(line) + '\n' for line in lines)
