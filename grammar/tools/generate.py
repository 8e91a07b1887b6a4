#!/usr/bin/env python3
"""A small tree-sitter parser generator: src/grammar.json -> src/parser.c (language ABI 14)
and src/node-types.json.

Developer tool only; the build never runs it. It covers what grammar.js uses: strings,
patterns (a JavaScript regex subset), token/prec wrappers, seq/choice/repeat/repeat1/
optional, fields, the `word` token with keyword extraction, and `reserved.global` keywords
(which, unlike contextual keywords, are lexed as keywords everywhere, as WIT reserves them).

The parse table is LALR(1) (states merged by LR(0) core, lookaheads propagated to a fixed
point); an unresolved conflict is an error. Repetitions become left-recursive hidden rules
marked named so the runtime never rebalances them. Every parse state shares one lexer
state, which is sound here because the tokens never need context to be told apart.

Usage: python3 tools/generate.py [grammar_dir [out_dir]]
  reads grammar_dir/src/grammar.json, writes parser.c and node-types.json to out_dir
  (default grammar_dir/src)
"""
import json
import os
import sys
from collections import defaultdict, deque

MAX_CHAR = 0x10FFFF


# ----------------------------------------------------------------------------- regex
class RegexError(Exception):
    pass


def norm_ranges(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def complement(ranges):
    out, lo = [], 1  # NUL is what the lexer reads at end of input: never part of a token
    for a, b in norm_ranges(ranges):
        if a > lo:
            out.append((lo, a - 1))
        lo = max(lo, b + 1)
    if lo <= MAX_CHAR:
        out.append((lo, MAX_CHAR))
    return out


CLASS_ESCAPES = {
    'd': [(48, 57)],
    'w': [(48, 57), (65, 90), (95, 95), (97, 122)],
    's': [(9, 13), (32, 32), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
          (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)],
}
CHAR_ESCAPES = {'n': 10, 't': 9, 'r': 13, 'f': 12, 'v': 11, '0': 0}


class RegexParser:
    """Parses a JavaScript regex source into ('set'|'seq'|'alt'|'star'|'plus'|'opt') trees."""

    def __init__(self, src):
        self.s, self.i = src, 0

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else None

    def take(self):
        c = self.s[self.i]
        self.i += 1
        return c

    def parse(self):
        node = self.alt()
        if self.i != len(self.s):
            raise RegexError(f'unexpected {self.peek()!r} in /{self.s}/')
        return node

    def alt(self):
        branches = [self.seq()]
        while self.peek() == '|':
            self.take()
            branches.append(self.seq())
        return branches[0] if len(branches) == 1 else ('alt', branches)

    def seq(self):
        items = []
        while self.peek() not in (None, '|', ')'):
            items.append(self.quant())
        return ('seq', items)

    def quant(self):
        atom = self.atom()
        while True:
            c = self.peek()
            if c == '*':
                self.take(); atom = ('star', atom)
            elif c == '+':
                self.take(); atom = ('plus', atom)
            elif c == '?':
                self.take(); atom = ('opt', atom)
            elif c == '{' and self.s[self.i + 1:self.i + 2].isdigit():
                self.take()
                j = self.s.index('}', self.i)
                spec = self.s[self.i:j]
                self.i = j + 1
                lo, _, hi = spec.partition(',')
                lo = int(lo)
                hi = lo if _ == '' else (None if hi == '' else int(hi))
                items = [atom] * lo
                if hi is None:
                    items.append(('star', atom))
                else:
                    items += [('opt', atom)] * (hi - lo)
                atom = ('seq', items)
            else:
                return atom

    def escape(self, in_class):
        c = self.take()
        if c in CLASS_ESCAPES:
            return CLASS_ESCAPES[c]
        if c in 'DWS':
            return complement(CLASS_ESCAPES[c.lower()])
        if c in CHAR_ESCAPES:
            v = CHAR_ESCAPES[c]
            return [(v, v)]
        if c == 'u':
            if self.peek() == '{':
                j = self.s.index('}', self.i)
                v = int(self.s[self.i + 1:j], 16)
                self.i = j + 1
            else:
                v = int(self.s[self.i:self.i + 4], 16)
                self.i += 4
            return [(v, v)]
        if c == 'x':
            v = int(self.s[self.i:self.i + 2], 16)
            self.i += 2
            return [(v, v)]
        return [(ord(c), ord(c))]

    def atom(self):
        c = self.take()
        if c == '(':
            if self.s.startswith('?:', self.i):
                self.i += 2
            node = self.alt()
            if self.peek() != ')':
                raise RegexError(f'unclosed group in /{self.s}/')
            self.take()
            return node
        if c == '[':
            negate = self.peek() == '^'
            if negate:
                self.take()
            ranges = []
            while self.peek() != ']':
                ch = self.take()
                if ch == '\\':
                    r = self.escape(True)
                else:
                    r = [(ord(ch), ord(ch))]
                if self.peek() == '-' and self.s[self.i + 1:self.i + 2] not in (']', '') and len(r) == 1 and r[0][0] == r[0][1]:
                    self.take()
                    hi_ch = self.take()
                    hi = self.escape(True)[0][0] if hi_ch == '\\' else ord(hi_ch)
                    r = [(r[0][0], hi)]
                ranges += r
            self.take()
            return ('set', complement(ranges) if negate else norm_ranges(ranges))
        if c == '.':
            return ('set', complement([(10, 10)]))
        if c == '\\':
            return ('set', self.escape(False))
        if c in '*+?)':
            raise RegexError(f'unexpected {c!r} in /{self.s}/')
        return ('set', [(ord(c), ord(c))])


def literal(text):
    return ('seq', [('set', [(ord(ch), ord(ch))]) for ch in text])


# ------------------------------------------------------------------------------ NFA/DFA
class NFA:
    def __init__(self):
        self.trans = []   # state -> [(lo, hi, target)]
        self.eps = []     # state -> [target]
        self.accept = {}  # state -> terminal index

    def new(self):
        self.trans.append([])
        self.eps.append([])
        return len(self.trans) - 1

    def build(self, node, start):
        """Adds `node` after `start`; returns its end state."""
        kind = node[0]
        if kind == 'set':
            end = self.new()
            for lo, hi in node[1]:
                self.trans[start].append((lo, hi, end))
            return end
        if kind == 'seq':
            cur = start
            for item in node[1]:
                cur = self.build(item, cur)
            return cur
        if kind == 'alt':
            end = self.new()
            for branch in node[1]:
                s = self.new()
                self.eps[start].append(s)
                self.eps[self.build(branch, s)].append(end)
            return end
        if kind in ('star', 'plus', 'opt'):
            s, end = self.new(), self.new()
            self.eps[start].append(s)
            e = self.build(node[1], s)
            self.eps[e].append(end)
            if kind in ('star', 'plus'):
                self.eps[e].append(s)
            if kind in ('star', 'opt'):
                self.eps[start].append(end)
            return end
        raise RegexError(kind)

    def closure(self, states):
        seen = set(states)
        stack = list(states)
        while stack:
            for t in self.eps[stack.pop()]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return frozenset(seen)


def build_dfa(nfa, start, priority):
    """Subset construction. Returns (states, transitions, accepts) with state 0 the start."""
    first = nfa.closure([start])
    index = {first: 0}
    order = [first]
    trans, accepts = [], []
    i = 0
    while i < len(order):
        cur = order[i]
        i += 1
        edges = [e for s in cur for e in nfa.trans[s]]
        points = sorted({lo for lo, _, _ in edges} | {hi + 1 for _, hi, _ in edges})
        out = []
        for a, b in zip(points, points[1:]):
            targets = [t for lo, hi, t in edges if lo <= a and b - 1 <= hi]
            if not targets:
                continue
            target = nfa.closure(targets)
            if target not in index:
                index[target] = len(order)
                order.append(target)
            tid = index[target]
            if out and out[-1][2] == tid and out[-1][1] + 1 == a:
                out[-1] = (out[-1][0], b - 1, tid)
            else:
                out.append((a, b - 1, tid))
        trans.append(out)
        acc = [nfa.accept[s] for s in cur if s in nfa.accept]
        accepts.append(max(acc, key=priority) if acc else None)
    return trans, accepts


# ----------------------------------------------------------------------------- grammar
class Grammar:
    def __init__(self, data):
        self.data = data
        self.name = data['name']
        self.rules = data['rules']
        self.word = data.get('word')
        reserved = data.get('reserved', {}).get('global', [])
        self.reserved = {r['value'] for r in reserved if r['type'] == 'STRING'}
        # terminals: index 0 is `end`
        self.terms = [dict(name='end', kind='end', visible=False, named=True)]
        self.term_index = {}
        self.separators = []
        self.extras = []
        self.nonterms = []       # dicts: name, visible, named, aux
        self.nt_index = {}
        self.prods = []          # dicts: lhs, steps [(sym, field)], prec
        self.repeat_cache = {}
        self.inline = set(data.get('inline', []))

    # symbols are ('t', i) or ('n', i)
    @staticmethod
    def unwrap_token(rule):
        prec = 0
        while rule['type'] in ('PREC', 'PREC_LEFT', 'PREC_RIGHT', 'PREC_DYNAMIC', 'TOKEN', 'IMMEDIATE_TOKEN'):
            if rule['type'].startswith('PREC'):
                prec = rule['value']
            rule = rule['content']
        return rule, prec

    def is_lexical(self, rule):
        t = rule['type']
        if t == 'TOKEN' or t == 'IMMEDIATE_TOKEN':
            return True
        if t in ('PATTERN', 'STRING'):
            return True
        if t.startswith('PREC'):
            return self.is_lexical(rule['content'])
        return False

    def lex_tree(self, rule):
        t = rule['type']
        if t == 'STRING':
            return literal(rule['value'])
        if t == 'PATTERN':
            return RegexParser(rule['value']).parse()
        if t == 'SEQ':
            return ('seq', [self.lex_tree(m) for m in rule['members']])
        if t == 'CHOICE':
            return ('alt', [self.lex_tree(m) for m in rule['members']])
        if t == 'BLANK':
            return ('seq', [])
        if t == 'REPEAT':
            return ('star', self.lex_tree(rule['content']))
        if t == 'REPEAT1':
            return ('plus', self.lex_tree(rule['content']))
        if t.startswith('PREC') or t in ('TOKEN', 'IMMEDIATE_TOKEN'):
            return self.lex_tree(rule['content'])
        raise RegexError(f'{t} inside a token')

    def add_term(self, key, **info):
        if key not in self.term_index:
            self.term_index[key] = len(self.terms)
            self.terms.append(info)
        return self.term_index[key]

    def prepare(self):
        rule_names = list(self.rules)
        # external tokens come from src/scanner.c; they are terminals the DFA never lexes
        self.externals = []
        for ex in self.data.get('externals', []):
            if ex['type'] == 'STRING':
                i = self.add_term(('str', ex['value']), name=ex['value'], value=ex['value'], kind='anon',
                                  visible=True, named=False, tree=literal(ex['value']), prec=0,
                                  is_string=True, external=True)
            elif ex['type'] == 'SYMBOL':
                i = self.add_term(('rule', ex['name']), name=ex['name'], kind='named',
                                  visible=not ex['name'].startswith('_'), named=True, external=True)
            else:
                raise SystemExit(f'unsupported external token {ex}')
            self.externals.append(i)
        # lexical rules first, in rule order
        for name in rule_names:
            rule = self.rules[name]
            if self.is_lexical(rule):
                inner, prec = self.unwrap_token(rule)
                self.add_term(('rule', name), name=name, kind='named', visible=not name.startswith('_'),
                              named=True, tree=self.lex_tree(rule), prec=prec,
                              is_string=inner['type'] == 'STRING')
        for ex in self.data['extras']:
            if ex['type'] == 'SYMBOL':
                self.extras.append(self.term_index[('rule', ex['name'])])
            else:
                self.separators.append(self.lex_tree(ex))
        for name in rule_names:
            if not self.is_lexical(self.rules[name]) and name not in self.inline:
                self.nt_index[name] = len(self.nonterms)
                self.nonterms.append(dict(name=name, visible=not name.startswith('_'), named=True, aux=False))
        for name in rule_names:
            if name in self.nt_index:
                nt = self.nt_index[name]
                for steps, prec in self.expand(self.rules[name], name):
                    self.prods.append(dict(lhs=nt, steps=steps, prec=prec))
        # keywords
        word_re = None
        if self.word:
            word_term = self.terms[self.term_index[('rule', self.word)]]
            nfa = NFA()
            s = nfa.new()
            nfa.accept[nfa.build(word_term['tree'], s)] = 0
            word_re = (nfa, s)
        for i, t in enumerate(self.terms):
            t.setdefault('contextual_keyword', False)
            if t['kind'] == 'anon' and word_re and matches(word_re, t['value']):
                t['keyword'] = True
                t['contextual_keyword'] = t['value'] not in self.reserved
            else:
                t['keyword'] = False

    def expand(self, rule, owner):
        """All alternatives of `rule` as lists of (symbol, field) steps with a precedence."""
        t = rule['type']
        if t == 'BLANK':
            return [([], 0)]
        if t == 'STRING':
            i = self.add_term(('str', rule['value']), name=rule['value'], value=rule['value'], kind='anon',
                              visible=True, named=False, tree=literal(rule['value']), prec=0, is_string=True)
            return [([(('t', i), None)], 0)]
        if t == 'SYMBOL':
            name = rule['name']
            if ('rule', name) in self.term_index:
                return [([(('t', self.term_index[('rule', name)]), None)], 0)]
            if name in self.inline:
                return self.expand(self.rules[name], owner)
            if name not in self.nt_index:
                raise SystemExit(f'undefined rule `{name}` used in `{owner}`')
            return [([(('n', self.nt_index[name]), None)], 0)]
        if t == 'SEQ':
            alts = [([], 0)]
            for m in rule['members']:
                sub = self.expand(m, owner)
                alts = [(a + b, max(pa, pb, key=abs)) for a, pa in alts for b, pb in sub]
            return alts
        if t == 'CHOICE':
            out = []
            for m in rule['members']:
                out += self.expand(m, owner)
            return out
        if t in ('REPEAT', 'REPEAT1'):
            key = json.dumps(rule['content'], sort_keys=True)
            if key not in self.repeat_cache:
                nt = len(self.nonterms)
                count = sum(1 for n in self.nonterms if n['name'].startswith(owner + '_repeat')) + 1
                self.nonterms.append(dict(name=f'{owner}_repeat{count}', visible=False, named=True, aux=True))
                self.repeat_cache[key] = nt
                for steps, prec in self.expand(rule['content'], owner):
                    self.prods.append(dict(lhs=nt, steps=[(('n', nt), None)] + steps, prec=prec))
                    self.prods.append(dict(lhs=nt, steps=list(steps), prec=prec))
            nt = self.repeat_cache[key]
            step = [(('n', nt), None)]
            return [(step, 0)] if t == 'REPEAT1' else [([], 0), (step, 0)]
        if t == 'FIELD':
            return [([(s, f or rule['name']) for s, f in steps], p) for steps, p in self.expand(rule['content'], owner)]
        if t.startswith('PREC'):
            return [(steps, rule['value']) for steps, _ in self.expand(rule['content'], owner)]
        raise SystemExit(f'unsupported rule type {t} in `{owner}`')


def matches(compiled, text):
    nfa, start = compiled
    cur = nfa.closure([start])
    for ch in text:
        o = ord(ch)
        cur = nfa.closure([t for s in cur for lo, hi, t in nfa.trans[s] if lo <= o <= hi])
    return any(s in nfa.accept for s in cur)


# ---------------------------------------------------------------------------- LALR(1)
def build_tables(g):
    T = len(g.terms)
    prods = [dict(lhs=None, steps=[(('n', 0), None)], prec=0)]  # S' -> the first syntax rule
    prods += g.prods
    by_lhs = defaultdict(list)
    for i, p in enumerate(prods):
        if p['lhs'] is not None:
            by_lhs[p['lhs']].append(i)
    rhs = [[s for s, _ in p['steps']] for p in prods]

    N = len(g.nonterms)
    nullable = [False] * N
    first = [0] * N
    changed = True
    while changed:
        changed = False
        for i, p in enumerate(prods):
            if p['lhs'] is None:
                continue
            lhs = p['lhs']
            f = first[lhs]
            all_null = True
            for kind, v in rhs[i]:
                if kind == 't':
                    f |= 1 << v
                    all_null = False
                    break
                f |= first[v]
                if not nullable[v]:
                    all_null = False
                    break
            if f != first[lhs]:
                first[lhs] = f
                changed = True
            if all_null and not nullable[lhs]:
                nullable[lhs] = True
                changed = True

    first_cache = {}

    def first_of(p, d):
        key = (p, d)
        if key in first_cache:
            return first_cache[key]
        f, null = 0, True
        for kind, v in rhs[p][d:]:
            if kind == 't':
                f |= 1 << v
                null = False
                break
            f |= first[v]
            if not nullable[v]:
                null = False
                break
        first_cache[key] = (f, null)
        return f, null

    def closure(kernel):
        items = dict(kernel)
        work = list(items)
        while work:
            it = work.pop()
            p, d = it
            if d < len(rhs[p]) and rhs[p][d][0] == 'n':
                f, null = first_of(p, d + 1)
                if null:
                    f |= items[it]
                for q in by_lhs[rhs[p][d][1]]:
                    key = (q, 0)
                    old = items.get(key)
                    if old is None:
                        items[key] = f
                        work.append(key)
                    elif old | f != old:
                        items[key] = old | f
                        work.append(key)
        return items

    kernels = [None, {(0, 0): 1 << 0}]  # state 0 is the error state
    index = {frozenset([(0, 0)]): 1}
    queue = deque([1])
    queued = {1}
    gotos = [dict(), dict()]
    while queue:
        s = queue.popleft()
        queued.discard(s)
        items = closure(kernels[s])
        moves = defaultdict(dict)
        for (p, d), la in items.items():
            if d < len(rhs[p]):
                moves[rhs[p][d]][(p, d + 1)] = la
        for sym, kernel in moves.items():
            key = frozenset(kernel)
            if key in index:
                t = index[key]
                grew = False
                for it, la in kernel.items():
                    old = kernels[t][it]
                    if old | la != old:
                        kernels[t][it] = old | la
                        grew = True
                if grew and t not in queued:
                    queue.append(t)
                    queued.add(t)
            else:
                t = len(kernels)
                index[key] = t
                kernels.append(dict(kernel))
                gotos.append(dict())
                queue.append(t)
                queued.add(t)
            gotos[s][sym] = t

    # actions
    conflicts = []
    states = []
    for s in range(len(kernels)):
        if s == 0:
            states.append(dict(actions={}, gotos={}))
            continue
        items = closure(kernels[s])
        actions = {}
        shift_prec = defaultdict(lambda: None)
        for (p, d), la in items.items():
            if d < len(rhs[p]) and rhs[p][d][0] == 't':
                t = rhs[p][d][1]
                actions[t] = ('shift', gotos[s][('t', t)])
                pr = prods[p]['prec']
                shift_prec[t] = pr if shift_prec[t] is None else max(shift_prec[t], pr)
        reduces = defaultdict(list)
        for (p, d), la in items.items():
            if d == len(rhs[p]):
                t = 0
                while la:
                    if la & 1:
                        reduces[t].append(p)
                    la >>= 1
                    t += 1
        for t, ps in reduces.items():
            ps = sorted(set(ps))
            if len(ps) > 1:
                best = max(prods[p]['prec'] for p in ps)
                top = [p for p in ps if prods[p]['prec'] == best]
                if len(top) > 1:
                    conflicts.append((s, t, 'reduce/reduce', top, items))
                ps = top[:1]
            p = ps[0]
            if t in actions:
                rp, sp = prods[p]['prec'], shift_prec[t]
                if rp > sp:
                    actions[t] = ('reduce', p)
                elif rp < sp:
                    pass
                else:
                    conflicts.append((s, t, 'shift/reduce', [p], items))
            else:
                actions[t] = ('accept',) if p == 0 else ('reduce', p)
        for e in g.extras:
            actions.setdefault(e, ('extra',))
        states.append(dict(actions=actions, gotos={v: t for (k, v), t in gotos[s].items() if k == 'n'}))

    if conflicts:
        for s, t, kind, ps, items in conflicts[:10]:
            print(f'{kind} conflict in state {s} on `{g.terms[t]["name"]}`:', file=sys.stderr)
            for (p, d) in items:
                lhs = prods[p]['lhs']
                name = "S'" if lhs is None else g.nonterms[lhs]['name']
                syms = [sym_name(g, x) for x in rhs[p]]
                syms.insert(d, '•')
                print(f'    {name} -> {" ".join(syms)}', file=sys.stderr)
        raise SystemExit(f'{len(conflicts)} conflicts')
    return prods, states


def sym_name(g, sym):
    kind, v = sym
    return g.terms[v]['name'] if kind == 't' else g.nonterms[v]['name']


# ----------------------------------------------------------------------------- fields
def compute_fields(g, prods):
    field_names = sorted({f for p in g.prods for _, f in p['steps'] if f})
    fid = {f: i + 1 for i, f in enumerate(field_names)}
    hidden = lambda sym: sym[0] == 'n' and not g.nonterms[sym[1]]['visible']
    fields_of = defaultdict(set)
    changed = True
    while changed:
        changed = False
        for p in g.prods:
            acc = set()
            for sym, f in p['steps']:
                if f:
                    acc.add(f)
                elif hidden(sym):
                    acc |= fields_of[sym[1]]
            if not acc <= fields_of[p['lhs']]:
                fields_of[p['lhs']] |= acc
                changed = True
    entries_list = [()]
    entry_index = {(): 0}
    prod_ids = []
    max_len = 0
    for i, p in enumerate(prods):
        max_len = max(max_len, len(p['steps']))
        entries = []
        for ci, (sym, f) in enumerate(p['steps']):
            if f:
                entries.append((fid[f], ci, False))
            elif hidden(sym):
                entries += [(fid[x], ci, True) for x in fields_of[sym[1]]]
        key = tuple(sorted(entries))
        if key not in entry_index:
            entry_index[key] = len(entries_list)
            entries_list.append(key)
        prod_ids.append(entry_index[key])
    return field_names, entries_list, prod_ids, max_len


# ------------------------------------------------------------------------------ lexer
def build_lexers(g):
    nfa = NFA()
    start = nfa.new()
    kw_nfa = NFA()
    kw_start = kw_nfa.new()
    for i, t in enumerate(g.terms):
        if i == 0 or t.get('external'):
            continue
        if t['contextual_keyword']:
            s = kw_nfa.new()
            kw_nfa.eps[kw_start].append(s)
            kw_nfa.accept[kw_nfa.build(t['tree'], s)] = i
            continue
        s = nfa.new()
        nfa.eps[start].append(s)
        nfa.accept[nfa.build(t['tree'], s)] = i

    def priority(i):
        t = g.terms[i]
        return (t.get('prec', 0), 1 if t.get('is_string') else 0, -i)

    main = build_dfa(nfa, start, priority)
    sep = []
    for tree in g.separators:
        while tree[0] == 'seq' and len(tree[1]) == 1:
            tree = tree[1][0]
        if tree[0] != 'set':
            raise SystemExit('only single-character separators are supported')
        sep += tree[1]
    has_kw = any(t['contextual_keyword'] for t in g.terms)
    kw = build_dfa(kw_nfa, kw_start, priority) if has_kw else None
    return main, norm_ranges(sep), kw


# ----------------------------------------------------------------------------- render
PUNCT = {
    '~': 'TILDE', '`': 'BQUOTE', '!': 'BANG', '@': 'AT', '#': 'POUND', '$': 'DOLLAR', '%': 'PERCENT',
    '^': 'CARET', '&': 'AMP', '*': 'STAR', '(': 'LPAREN', ')': 'RPAREN', '-': 'DASH', '+': 'PLUS',
    '=': 'EQ', '{': 'LBRACE', '}': 'RBRACE', '[': 'LBRACK', ']': 'RBRACK', '\\': 'BSLASH', '|': 'PIPE',
    ':': 'COLON', ';': 'SEMI', '"': 'DQUOTE', "'": 'SQUOTE', '<': 'LT', '>': 'GT', ',': 'COMMA',
    '.': 'DOT', '?': 'QMARK', '/': 'SLASH', ' ': 'SPACE',
}


def c_string(text):
    out = []
    for ch in text:
        if ch in '"\\':
            out.append('\\' + ch)
        elif ch == '\n':
            out.append('\\n')
        elif ord(ch) < 32:
            out.append(f'\\x{ord(ch):02x}')
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


def c_char(v):
    if 32 <= v < 127 and chr(v) not in "'\\":
        return f"'{chr(v)}'"
    return str(v)


def condition(ranges):
    parts = []
    for lo, hi in ranges:
        if lo == hi:
            parts.append(f'lookahead == {c_char(lo)}')
        elif lo == 1 and hi == MAX_CHAR:
            parts.append('lookahead != 0')
        elif lo == 1:
            parts.append(f'(lookahead != 0 && lookahead <= {c_char(hi)})')
        elif hi == MAX_CHAR:
            parts.append(f'lookahead >= {c_char(lo)}')
        else:
            parts.append(f'({c_char(lo)} <= lookahead && lookahead <= {c_char(hi)})')
    return ' ||\n          '.join(parts)


def render_lexer(fn, dfa, sym_ids, sep=None):
    trans, accepts = dfa
    eof_state = len(trans) if sep is not None else None
    out = [f'static bool {fn}(TSLexer *lexer, TSStateId state) {{', '  START_LEXER();', '  switch (state) {']
    for s, edges in enumerate(trans):
        out.append(f'    case {s}:')
        if accepts[s] is not None:
            out.append(f'      ACCEPT_TOKEN({sym_ids[accepts[s]]});')
        if s == 0 and sep is not None:
            out.append(f'      if (eof) ADVANCE({eof_state});')
        by_target = defaultdict(list)
        for lo, hi, t in edges:
            by_target[t].append((lo, hi))
        for t, ranges in sorted(by_target.items(), key=lambda kv: kv[1][0]):
            out.append(f'      if ({condition(ranges)}) ADVANCE({t});')
        if s == 0 and sep:
            out.append(f'      if ({condition(sep)}) SKIP(0);')
        out.append('      END_STATE();')
    if eof_state is not None:
        out += [f'    case {eof_state}:', '      ACCEPT_TOKEN(ts_builtin_sym_end);', '      END_STATE();']
    out += ['    default:', '      return false;', '  }', '}', '']
    return '\n'.join(out)


def render(g, prods, states, lexers):
    main_dfa, sep, kw_dfa = lexers
    T = len(g.terms)
    # symbol identifiers
    used = set()
    ids = []
    for i, t in enumerate(g.terms):
        if i == 0:
            ids.append('ts_builtin_sym_end')
            continue
        if t['kind'] == 'anon':
            base = 'anon_sym_' + ''.join(ch if ch.isalnum() else ('_' if ch in '-_' else PUNCT.get(ch, 'X')) for ch in t['value'])
        else:
            base = 'sym_' + t['name']
        name, n = base, 1
        while name in used:
            n += 1
            name = f'{base}{n}'
        used.add(name)
        ids.append(name)
    for nt in g.nonterms:
        base = ('aux_sym_' if nt['aux'] else 'sym_') + nt['name']
        name, n = base, 1
        while name in used:
            n += 1
            name = f'{base}{n}'
        used.add(name)
        ids.append(name)
    S = len(ids)
    sym_of = lambda sym: sym[1] if sym[0] == 't' else T + sym[1]

    field_names, field_entries, prod_ids, max_len = compute_fields(g, prods)

    # parse actions
    action_lists = [None]
    action_index = {}
    next_index = 1

    def action_ref(acts, reusable=True):
        nonlocal next_index
        key = (tuple(acts), reusable)
        if key not in action_index:
            action_index[key] = next_index
            action_lists.append(key)
            next_index += 1 + len(acts)
        return action_index[key]

    table = []
    for s, st in enumerate(states):
        row = {}
        if s == 0:
            for t in range(T):
                row[t] = action_ref(['RECOVER()'], False)
        else:
            for t, act in sorted(st['actions'].items()):
                if act[0] == 'shift':
                    a = f'SHIFT({act[1]})'
                elif act[0] == 'extra':
                    a = 'SHIFT_EXTRA()'
                elif act[0] == 'accept':
                    a = 'ACCEPT_INPUT()'
                else:
                    p = prods[act[1]]
                    pid = prod_ids[act[1]]
                    extra = f', .production_id = {pid}' if pid else ''
                    a = f'REDUCE({ids[T + p["lhs"]]}, {len(p["steps"])}{extra})'
                row[t] = action_ref([a])
            for nt, target in st['gotos'].items():
                row[T + nt] = ('state', target)
        table.append(row)

    o = []
    w = o.append
    w('// Generated by grammar/tools/generate.py from src/grammar.json; do not edit.')
    w('#include "tree_sitter/parser.h"\n')
    w('#if defined(__GNUC__) || defined(__clang__)')
    w('#pragma GCC diagnostic ignored "-Wmissing-field-initializers"')
    w('#endif\n')
    w('#define LANGUAGE_VERSION 14')
    w(f'#define STATE_COUNT {len(states)}')
    w(f'#define LARGE_STATE_COUNT {len(states)}')
    w(f'#define SYMBOL_COUNT {S}')
    w('#define ALIAS_COUNT 0')
    w(f'#define TOKEN_COUNT {T}')
    w(f'#define EXTERNAL_TOKEN_COUNT {len(g.externals)}')
    w(f'#define FIELD_COUNT {len(field_names)}')
    w(f'#define MAX_ALIAS_SEQUENCE_LENGTH {max_len}')
    w(f'#define PRODUCTION_ID_COUNT {len(field_entries)}\n')
    w('enum {')
    for i, name in enumerate(ids):
        if i:
            w(f'  {name} = {i},')
    w('};\n')
    names = [t['name'] for t in g.terms] + [nt['name'] for nt in g.nonterms]
    w('static const char * const ts_symbol_names[] = {')
    for i, name in enumerate(names):
        w(f'  [{ids[i]}] = {c_string(name)},')
    w('};\n')
    # public symbol map: the first symbol with the same name and namedness
    meta = [(t['visible'], t['named']) for t in g.terms] + [(nt['visible'], nt['named']) for nt in g.nonterms]
    first_seen = {}
    w('static const TSSymbol ts_symbol_map[] = {')
    for i, name in enumerate(names):
        key = (name, meta[i][1])
        first_seen.setdefault(key, i)
        w(f'  [{ids[i]}] = {ids[first_seen[key]]},')
    w('};\n')
    w('static const TSSymbolMetadata ts_symbol_metadata[] = {')
    for i in range(S):
        vis, named = meta[i]
        w(f'  [{ids[i]}] = {{.visible = {"true" if vis else "false"}, .named = {"true" if named else "false"}}},')
    w('};\n')
    if field_names:
        w('enum {')
        for i, f in enumerate(field_names):
            w(f'  field_{f} = {i + 1},')
        w('};\n')
    w('static const char * const ts_field_names[] = {')
    w('  [0] = NULL,')
    for f in field_names:
        w(f'  [field_{f}] = {c_string(f)},')
    w('};\n')
    w('static const TSFieldMapSlice ts_field_map_slices[PRODUCTION_ID_COUNT] = {')
    flat = []
    for pid, entries in enumerate(field_entries):
        if entries:
            w(f'  [{pid}] = {{.index = {len(flat)}, .length = {len(entries)}}},')
            flat += entries
    w('};\n')
    w('static const TSFieldMapEntry ts_field_map_entries[] = {')
    for i, (f, ci, inh) in enumerate(flat):
        w(f'  [{i}] = {{field_{field_names[f - 1]}, {ci}{", .inherited = true" if inh else ""}}},')
    if not flat:
        w('  {0},')
    w('};\n')
    w('static const TSSymbol ts_alias_sequences[PRODUCTION_ID_COUNT][MAX_ALIAS_SEQUENCE_LENGTH] = {')
    w('  [0] = {0},')
    w('};\n')
    w('static const uint16_t ts_non_terminal_alias_map[] = {')
    w('  0,')
    w('};\n')
    w('static const TSStateId ts_primary_state_ids[STATE_COUNT] = {')
    for s in range(len(states)):
        w(f'  [{s}] = {s},')
    w('};\n')
    w(render_lexer('ts_lex', main_dfa, ids, sep))
    if kw_dfa:
        w(render_lexer('ts_lex_keywords', kw_dfa, ids))
    w('static const uint16_t ts_parse_table[LARGE_STATE_COUNT][SYMBOL_COUNT] = {')
    for s, row in enumerate(table):
        w(f'  [{s}] = {{')
        for sym in sorted(row):
            v = row[sym]
            if isinstance(v, tuple):
                w(f'    [{ids[sym]}] = STATE({v[1]}),')
            else:
                w(f'    [{ids[sym]}] = ACTIONS({v}),')
        w('  },')
    w('};\n')
    w('static const TSParseActionEntry ts_parse_actions[] = {')
    w('  [0] = {.entry = {.count = 0, .reusable = false}},')
    for key in action_lists[1:]:
        acts, reusable = key
        idx = action_index[key]
        w(f'  [{idx}] = {{.entry = {{.count = {len(acts)}, .reusable = {"true" if reusable else "false"}}}}}, {", ".join(acts)},')
    w('};\n')
    # External lex states: which external tokens each parse state accepts (row 0: none, so
    # the scanner is not called; the error state gets every token).
    ext_sets = [None]
    ext_index = {}
    ext_state_of = []
    for s_, st in enumerate(states):
        valid = tuple(g.externals) if s_ == 0 else tuple(e for e in g.externals if e in st['actions'])
        if not valid:
            ext_state_of.append(0)
            continue
        if valid not in ext_index:
            ext_index[valid] = len(ext_sets)
            ext_sets.append(valid)
        ext_state_of.append(ext_index[valid])
    w('static const TSLexMode ts_lex_modes[STATE_COUNT] = {')
    for s_ in range(len(states)):
        ext = f', .external_lex_state = {ext_state_of[s_]}' if ext_state_of[s_] else ''
        w(f'  [{s_}] = {{.lex_state = 0{ext}}},')
    w('};\n')
    if g.externals:
        w('enum {')
        for k, e in enumerate(g.externals):
            w(f'  ts_external_token_{ids[e]} = {k},')
        w('};\n')
        w('static const TSSymbol ts_external_scanner_symbol_map[EXTERNAL_TOKEN_COUNT] = {')
        for e in g.externals:
            w(f'  [ts_external_token_{ids[e]}] = {ids[e]},')
        w('};\n')
        w(f'static const bool ts_external_scanner_states[{len(ext_sets)}][EXTERNAL_TOKEN_COUNT] = {{')
        for k, valid in enumerate(ext_sets):
            if valid:
                w(f'  [{k}] = {{')
                for e in valid:
                    w(f'    [ts_external_token_{ids[e]}] = true,')
                w('  },')
        w('};\n')
    w('#ifdef __cplusplus')
    w('extern "C" {')
    w('#endif')
    w('#ifdef _WIN32')
    w('#define extern __declspec(dllexport)')
    w('#endif\n')
    if g.externals:
        pre = f'tree_sitter_{g.name}_external_scanner'
        w(f'void *{pre}_create(void);')
        w(f'void {pre}_destroy(void *);')
        w(f'bool {pre}_scan(void *, TSLexer *, const bool *);')
        w(f'unsigned {pre}_serialize(void *, char *);')
        w(f'void {pre}_deserialize(void *, const char *, unsigned);\n')
    w(f'extern const TSLanguage *tree_sitter_{g.name}(void) {{')
    w('  static const TSLanguage language = {')
    w('    .version = LANGUAGE_VERSION,')
    w('    .symbol_count = SYMBOL_COUNT,')
    w('    .alias_count = ALIAS_COUNT,')
    w('    .token_count = TOKEN_COUNT,')
    w('    .external_token_count = EXTERNAL_TOKEN_COUNT,')
    w('    .state_count = STATE_COUNT,')
    w('    .large_state_count = LARGE_STATE_COUNT,')
    w('    .production_id_count = PRODUCTION_ID_COUNT,')
    w('    .field_count = FIELD_COUNT,')
    w('    .max_alias_sequence_length = MAX_ALIAS_SEQUENCE_LENGTH,')
    w('    .parse_table = &ts_parse_table[0][0],')
    w('    .small_parse_table = NULL,')
    w('    .small_parse_table_map = NULL,')
    w('    .parse_actions = ts_parse_actions,')
    w('    .symbol_names = ts_symbol_names,')
    w('    .field_names = ts_field_names,')
    w('    .field_map_slices = ts_field_map_slices,')
    w('    .field_map_entries = ts_field_map_entries,')
    w('    .symbol_metadata = ts_symbol_metadata,')
    w('    .public_symbol_map = ts_symbol_map,')
    w('    .alias_map = ts_non_terminal_alias_map,')
    w('    .alias_sequences = &ts_alias_sequences[0][0],')
    w('    .lex_modes = ts_lex_modes,')
    w('    .lex_fn = ts_lex,')
    if kw_dfa:
        w('    .keyword_lex_fn = ts_lex_keywords,')
        w(f'    .keyword_capture_token = {ids[g.term_index[("rule", g.word)]]},')
    if g.externals:
        pre = f'tree_sitter_{g.name}_external_scanner'
        w('    .external_scanner = {')
        w('      &ts_external_scanner_states[0][0],')
        w('      ts_external_scanner_symbol_map,')
        w(f'      {pre}_create,')
        w(f'      {pre}_destroy,')
        w(f'      {pre}_scan,')
        w(f'      {pre}_serialize,')
        w(f'      {pre}_deserialize,')
        w('    },')
    w('    .primary_state_ids = ts_primary_state_ids,')
    w('  };')
    w('  return &language;')
    w('}')
    w('#ifdef __cplusplus')
    w('}')
    w('#endif')
    return '\n'.join(o) + '\n'


# ------------------------------------------------------------------------- node types
def node_types(g):
    T = len(g.terms)

    def visible(sym):
        return g.terms[sym[1]]['visible'] if sym[0] == 't' else g.nonterms[sym[1]]['visible']

    def named(sym):
        return g.terms[sym[1]]['named'] if sym[0] == 't' else g.nonterms[sym[1]]['named']

    # summary: key (field or None) -> (types frozenset, min count, max count capped at 2)
    by_lhs = defaultdict(list)
    for p in g.prods:
        by_lhs[p['lhs']].append(p)
    summary = {i: {} for i in range(len(g.nonterms))}

    def prod_summary(p):
        acc = {}

        def add(key, types, lo, hi):
            t0, l0, h0 = acc.get(key, (frozenset(), 0, 0))
            acc[key] = (t0 | types, min(l0 + lo, 2), min(h0 + hi, 2))
        for sym, f in p['steps']:
            if visible(sym):
                if f or named(sym):
                    add(f, frozenset([(sym_name(g, sym), named(sym))]), 1, 1)
            elif sym[0] == 'n':
                for key, (types, lo, hi) in summary[sym[1]].items():
                    add(f or key, types, lo, hi)
        return acc

    for _ in range(20):
        changed = False
        for nt in range(len(g.nonterms)):
            merged = None
            for p in by_lhs[nt]:
                ps = prod_summary(p)
                if merged is None:
                    merged = dict(ps)
                    continue
                for key in set(merged) | set(ps):
                    a = merged.get(key, (frozenset(), 0, 0))
                    b = ps.get(key, (frozenset(), 0, 0))
                    merged[key] = (a[0] | b[0], min(a[1], b[1]), max(a[2], b[2]))
            merged = merged or {}
            if merged != summary[nt]:
                summary[nt] = merged
                changed = True
        if not changed:
            break

    def types_json(types):
        return [{'type': n, 'named': nm} for n, nm in sorted(types, key=lambda x: (not x[1], x[0]))]

    out = []
    for nt, info in enumerate(g.nonterms):
        if not info['visible']:
            continue
        entry = {'type': info['name'], 'named': True, 'fields': {}}
        for key, (types, lo, hi) in sorted(summary[nt].items(), key=lambda kv: kv[0] or ''):
            val = {'multiple': hi > 1, 'required': lo > 0, 'types': types_json(types)}
            if key is None:
                named_types = frozenset(t for t in types if t[1])
                if named_types:
                    entry['children'] = {'multiple': hi > 1, 'required': lo > 0, 'types': types_json(named_types)}
            else:
                entry['fields'][key] = val
        out.append(entry)
    for i, t in enumerate(g.terms):
        if i and t['visible']:
            entry = {'type': t['name'], 'named': t['named']}
            if i in g.extras:
                entry['extra'] = True
            out.append(entry)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, 'src')
    with open(os.path.join(root, 'src', 'grammar.json')) as f:
        g = Grammar(json.load(f))
    g.prepare()
    prods, states = build_tables(g)
    lexers = build_lexers(g)
    with open(os.path.join(out_dir, 'parser.c'), 'w') as f:
        f.write(render(g, prods, states, lexers))
    with open(os.path.join(out_dir, 'node-types.json'), 'w') as f:
        json.dump(node_types(g), f, indent=2)
        f.write('\n')
    print(f'{len(g.terms)} tokens, {len(g.nonterms)} rules, {len(prods)} productions, '
          f'{len(states)} states, {len(lexers[0][0])} lexer states', file=sys.stderr)


if __name__ == '__main__':
    main()
