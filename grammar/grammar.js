/**
 * @file tree-sitter grammar for WIT, the WebAssembly Component Model's interface language
 * @license Apache-2.0 WITH LLVM-exception
 *
 * Follows the component model's WIT.md: packages (with nested `package a:b { }` blocks),
 * interfaces, worlds, imports/exports (named, inline interface, use-path and
 * `name: use-path`), use/include with renames, every type, resources, async functions,
 * `@since/@unstable/@deprecated` gates, doc comments and `%`-escaped identifiers.
 *
 * Keywords WIT reserves (`type`, `u32`, `interface`, ...) are listed under `reserved` and
 * are never identifiers (write `%type`); the words that only mean something inside a gate
 * (`since`, `version`, `feature`, ...) stay contextual through the `word` rule.
 */

/* eslint-disable arrow-parens, camelcase */

const PRIMITIVES = [
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'f32', 'f64',
  'char', 'bool', 'string', 'error-context',
];

// Words wit-parser's lexer turns into keyword tokens.
const RESERVED = [
  ...PRIMITIVES,
  'use', 'type', 'func', 'resource', 'own', 'borrow', 'record', 'flags', 'variant', 'enum',
  'option', 'result', 'future', 'stream', 'list', 'map', 'tuple', 'as', 'from', 'static',
  'interface', 'import', 'export', 'world', 'package', 'constructor', 'async', 'include',
  'with',
];

/** `x (, x)* ,?` — one or more, trailing comma allowed. */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)), optional(','));
}

/** Zero or more, comma separated, trailing comma allowed. */
function commaSep(rule) {
  return optional(commaSep1(rule));
}

/**
 * A block comment body nesting up to `depth` levels, as one regular expression: after the
 * opening slash-star come plain characters, star runs not followed by a slash, slash runs
 * not followed by a star, or a nested comment; a star run and a slash close it.
 */
function nestedBlockComment(depth) {
  const body = (d) => {
    const item = ['[^*/]', '\\*+[^*/]', '\\/+[^*/]'];
    if (d > 1) item.push('\\/+\\*' + body(d - 1));
    return '(' + item.join('|') + ')*\\*+\\/';
  };
  return new RegExp('\\/\\*' + body(depth));
}

module.exports = grammar({
  name: 'wit',

  word: $ => $.identifier,

  // Hidden choices inlined into their users: fewer reductions and nodes per item.
  inline: $ => [
    $._package_item_or_nested,
    $._package_item,
    $._interface_member,
    $._world_member,
    $._typedef_item,
    $._resource_member,
    $._gate,
  ],

  extras: $ => [/\s/, $.comment, $.doc_comment, $.block_comment],

  // src/scanner.c lexes `}` itself so that it can see where one is expected: at the end of
  // the input it answers `_unclosed_eof`, a token no rule accepts, and the parser reports
  // the unclosed body as an ERROR instead of quietly inserting a MISSING `}`.
  // `_end_of_input` is never produced: it is valid exactly where the file may end, which
  // tells the scanner that a `}` the parse table would also take there is not required.
  externals: $ => ['}', $._unclosed_eof, $._end_of_input],

  reserved: {
    global: _ => RESERVED,
  },

  rules: {
    source_file: $ => seq(
      optional($.package_decl),
      repeat($._package_item_or_nested),
      optional($._end_of_input),
    ),

    _package_item_or_nested: $ => choice($._package_item, $.nested_package),

    _package_item: $ => choice($.toplevel_use_item, $.interface_item, $.world_item),

    // `package ns:name@1.0.0;`
    package_decl: $ => seq('package', field('name', $.package_name), ';'),

    // `package ns:name { interface ... world ... }`
    nested_package: $ => seq(
      'package', field('name', $.package_name),
      field('body', $.package_body),
    ),

    package_body: $ => seq('{', repeat($._package_item), '}'),

    // `ns:name`, `ns:sub:name`, optionally `/path` segments and `@version`.
    package_name: $ => seq(
      field('namespace', $.identifier),
      repeat1(seq(':', field('name', $.identifier))),
      repeat(seq('/', field('path', $.identifier))),
      optional(seq('@', field('version', $.version))),
    ),

    // `use ns:pkg/iface@1.0.0 as alias;`
    toplevel_use_item: $ => seq(
      repeat($._gate),
      'use', field('path', $.use_path),
      optional(seq('as', field('alias', $.identifier))),
      ';',
    ),

    // `iface`, or `ns:pkg/iface@1.0.0`. Nested namespaces (`a:b:c`) are only written in
    // package declarations: in a use path they would make `import x: a:b/c;` ambiguous.
    use_path: $ => choice(
      field('interface', $.identifier),
      seq(
        field('namespace', $.identifier), ':', field('package', $.identifier),
        repeat1(seq('/', field('interface', $.identifier))),
        optional(seq('@', field('version', $.version))),
      ),
    ),

    interface_item: $ => seq(
      repeat($._gate),
      'interface', field('name', $.identifier),
      field('body', $.interface_body),
    ),

    interface_body: $ => seq('{', repeat($._interface_member), '}'),

    _interface_member: $ => choice($._typedef_item, $.use_item, $.func_item),

    world_item: $ => seq(
      repeat($._gate),
      'world', field('name', $.identifier),
      field('body', $.world_body),
    ),

    world_body: $ => seq('{', repeat($._world_member), '}'),

    _world_member: $ => choice(
      $.import_item, $.export_item, $.use_item, $.include_item, $._typedef_item,
    ),

    import_item: $ => seq(repeat($._gate), 'import', $._extern),

    export_item: $ => seq(repeat($._gate), 'export', $._extern),

    // `name: func(...);`, `name: interface { ... }`, `name: path;` or `path;`.
    _extern: $ => choice(
      seq(field('name', $.identifier), ':', choice(
        seq(field('type', $.func_type), ';'),
        seq('interface', field('body', $.interface_body)),
        seq(field('path', $.use_path), ';'),
      )),
      seq(field('path', $.use_path), ';'),
    ),

    // `include path;` or `include path with { a as b, ... }`.
    include_item: $ => seq(
      repeat($._gate),
      'include', field('path', $.use_path),
      choice(';', seq('with', '{', commaSep1($.include_name), '}')),
    ),

    include_name: $ => seq(field('name', $.identifier), 'as', field('alias', $.identifier)),

    // `use path.{a, b as c};`
    use_item: $ => seq(
      repeat($._gate),
      'use', field('path', $.use_path), '.', '{', commaSep($.use_name), '}', ';',
    ),

    use_name: $ => seq(
      field('name', $.identifier),
      optional(seq('as', field('alias', $.identifier))),
    ),

    func_item: $ => seq(
      repeat($._gate),
      field('name', $.identifier), ':', field('type', $.func_type), ';',
    ),

    func_type: $ => seq(
      optional('async'), 'func',
      field('params', $.param_list),
      optional(field('result', $.result_list)),
    ),

    param_list: $ => seq('(', commaSep($.param), ')'),

    param: $ => seq(field('name', $.identifier), ':', field('type', $._type)),

    result_list: $ => seq('->', $._type),

    _typedef_item: $ => choice(
      $.resource_item, $.variant_item, $.record_item, $.flags_item, $.enum_item, $.type_item,
    ),

    type_item: $ => seq(
      repeat($._gate),
      'type', field('name', $.identifier), '=', field('type', $._type), ';',
    ),

    record_item: $ => seq(
      repeat($._gate),
      'record', field('name', $.identifier),
      '{', commaSep($.record_field), '}',
    ),

    record_field: $ => seq(field('name', $.identifier), ':', field('type', $._type)),

    flags_item: $ => seq(
      repeat($._gate),
      'flags', field('name', $.identifier),
      '{', commaSep($.flag), '}',
    ),

    flag: $ => field('name', $.identifier),

    variant_item: $ => seq(
      repeat($._gate),
      'variant', field('name', $.identifier),
      '{', commaSep($.variant_case), '}',
    ),

    variant_case: $ => seq(
      field('name', $.identifier),
      optional(seq('(', field('type', $._type), ')')),
    ),

    enum_item: $ => seq(
      repeat($._gate),
      'enum', field('name', $.identifier),
      '{', commaSep($.enum_case), '}',
    ),

    enum_case: $ => field('name', $.identifier),

    resource_item: $ => seq(
      repeat($._gate),
      'resource', field('name', $.identifier),
      choice(';', field('body', $.resource_body)),
    ),

    resource_body: $ => seq('{', repeat($._resource_member), '}'),

    _resource_member: $ => choice($.constructor, $.resource_method, $.static_method),

    constructor: $ => seq(
      repeat($._gate),
      'constructor', field('params', $.param_list),
      optional(field('result', $.result_list)), ';',
    ),

    resource_method: $ => seq(
      repeat($._gate),
      field('name', $.identifier), ':', field('type', $.func_type), ';',
    ),

    static_method: $ => seq(
      repeat($._gate),
      field('name', $.identifier), ':', 'static', field('type', $.func_type), ';',
    ),

    _type: $ => choice(
      $.primitive_type,
      $.tuple_type,
      $.list_type,
      $.map_type,
      $.option_type,
      $.result_type,
      $.handle_type,
      $.future_type,
      $.stream_type,
      $.user_type,
    ),

    primitive_type: _ => choice(...PRIMITIVES),

    user_type: $ => $.identifier,

    tuple_type: $ => seq('tuple', '<', commaSep($._type), '>'),

    // `list<T>` or the fixed-length `list<T, N>`.
    list_type: $ => seq(
      'list', '<', field('element', $._type),
      optional(seq(',', field('size', $.integer))), '>',
    ),

    map_type: $ => seq(
      'map', '<', field('key', $._type), ',', field('value', $._type), '>',
    ),

    option_type: $ => seq('option', '<', $._type, '>'),

    // `result`, `result<T>`, `result<_, E>`, `result<T, E>`.
    result_type: $ => seq('result', optional(seq('<', choice(
      seq('_', ',', field('err', $._type)),
      seq(field('ok', $._type), optional(seq(',', field('err', $._type)))),
    ), '>'))),

    // `own<R>` / `borrow<R>`.
    handle_type: $ => seq(choice('own', 'borrow'), '<', field('resource', $.identifier), '>'),

    future_type: $ => seq('future', optional(seq('<', $._type, '>'))),

    stream_type: $ => seq('stream', optional(seq('<', $._type, '>'))),

    _gate: $ => choice($.since_gate, $.unstable_gate, $.deprecated_gate),

    // `@since(version = 1.2.0)`, optionally with `, feature = name`.
    since_gate: $ => seq(
      '@', 'since', '(', 'version', '=', field('version', $.version),
      optional(seq(',', $.feature_field)), ')',
    ),

    // `@unstable(feature = name)`
    unstable_gate: $ => seq('@', 'unstable', '(', $.feature_field, ')'),

    // `@deprecated(version = 1.2.0)`
    deprecated_gate: $ => seq(
      '@', 'deprecated', '(', 'version', '=', field('version', $.version), ')',
    ),

    feature_field: $ => seq('feature', '=', field('name', $.identifier)),

    // Kebab-case words, optionally `%`-escaped to use a keyword as a name.
    identifier: _ => /%?[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*/,

    integer: _ => /[0-9]+/,

    // Semantic version with optional pre-release and build metadata.
    version: _ => /[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?/,

    // `///` and `/** */` carry documentation; `////` and plain `//` do not.
    doc_comment: _ => token(prec(1, /\/\/\/([^\/\n][^\n]*)?/)),

    comment: _ => token(/\/\/[^\n]*/),

    block_comment: _ => token(nestedBlockComment(6)),
  },
});
