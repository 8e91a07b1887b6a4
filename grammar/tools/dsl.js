#!/usr/bin/env node
// Evaluates a tree-sitter `grammar.js` with the usual DSL functions and prints the grammar
// as tree-sitter's `grammar.json` on stdout:  node tools/dsl.js grammar.js > src/grammar.json
'use strict';

const path = require('path');

function normalize(value) {
  if (typeof value === 'string') return { type: 'STRING', value };
  if (value instanceof RegExp) {
    if (value.flags) return { type: 'PATTERN', value: value.source, flags: value.flags };
    return { type: 'PATTERN', value: value.source };
  }
  if (value === undefined || value === null) throw new Error('undefined rule');
  if (typeof value.type !== 'string') throw new Error(`invalid rule: ${JSON.stringify(value)}`);
  return value;
}

const blank = () => ({ type: 'BLANK' });
const seq = (...members) => ({ type: 'SEQ', members: members.map(normalize) });
const choice = (...members) => ({ type: 'CHOICE', members: members.map(normalize) });
const optional = (rule) => choice(rule, blank());
const repeat = (rule) => ({ type: 'REPEAT', content: normalize(rule) });
const repeat1 = (rule) => ({ type: 'REPEAT1', content: normalize(rule) });
const field = (name, rule) => ({ type: 'FIELD', name, content: normalize(rule) });
const token = (rule) => ({ type: 'TOKEN', content: normalize(rule) });
token.immediate = (rule) => ({ type: 'IMMEDIATE_TOKEN', content: normalize(rule) });

function alias(rule, value) {
  const content = normalize(rule);
  if (typeof value === 'string') return { type: 'ALIAS', content, named: false, value };
  if (value && value.type === 'SYMBOL') return { type: 'ALIAS', content, named: true, value: value.name };
  throw new Error('alias value must be a string or a symbol');
}

function precRule(type) {
  return (value, rule) => {
    if (rule === undefined) { rule = value; value = 0; }
    return { type, value, content: normalize(rule) };
  };
}
const prec = precRule('PREC');
prec.left = precRule('PREC_LEFT');
prec.right = precRule('PREC_RIGHT');
prec.dynamic = precRule('PREC_DYNAMIC');

const symbolProxy = () => new Proxy({}, {
  get(_, name) { return { type: 'SYMBOL', name }; },
});

function grammar(spec) {
  const $ = symbolProxy();
  const rules = {};
  for (const [name, fn] of Object.entries(spec.rules)) rules[name] = normalize(fn.call(null, $));
  const out = { name: spec.name };
  if (spec.word) out.word = spec.word.call(null, $).name;
  out.rules = rules;
  out.extras = (spec.extras ? spec.extras.call(null, $) : [/\s/]).map(normalize);
  out.conflicts = (spec.conflicts ? spec.conflicts.call(null, $) : []).map((c) => c.map((s) => s.name));
  out.precedences = [];
  out.externals = (spec.externals ? spec.externals.call(null, $) : []).map(normalize);
  out.inline = (spec.inline ? spec.inline.call(null, $) : []).map((s) => s.name);
  out.supertypes = (spec.supertypes ? spec.supertypes.call(null, $) : []).map((s) => s.name);
  if (spec.reserved) {
    out.reserved = {};
    for (const [set, fn] of Object.entries(spec.reserved)) out.reserved[set] = fn.call(null, $).map(normalize);
  }
  return out;
}

Object.assign(global, { grammar, seq, choice, optional, repeat, repeat1, field, token, alias, prec, blank });

const file = path.resolve(process.argv[2] || 'grammar.js');
const result = require(file);
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
