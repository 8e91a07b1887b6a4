; Highlighting for WIT. Capture names follow the conventions shared by Neovim, Helix and
; Zed. Where two patterns capture the same node, the later one wins.

; Keywords
[
  "package"
  "interface"
  "world"
  "import"
  "export"
  "use"
  "include"
  "with"
  "as"
  "type"
  "record"
  "flags"
  "variant"
  "enum"
  "resource"
  "func"
  "static"
  "async"
] @keyword

"constructor" @constructor

; Types
(primitive_type) @type.builtin

[
  "list"
  "map"
  "option"
  "result"
  "tuple"
  "future"
  "stream"
  "own"
  "borrow"
  "_"
] @type.builtin

(user_type (identifier) @type)
(handle_type resource: (identifier) @type)

(type_item name: (identifier) @type)
(record_item name: (identifier) @type)
(flags_item name: (identifier) @type)
(variant_item name: (identifier) @type)
(enum_item name: (identifier) @type)
(resource_item name: (identifier) @type)

(use_name name: (identifier) @type)
(use_name alias: (identifier) @type)

; Members
(record_field name: (identifier) @property)
(flag name: (identifier) @constant)
(enum_case name: (identifier) @constant)
(variant_case name: (identifier) @constant)

; Functions
(func_item name: (identifier) @function)
(import_item name: (identifier) @function type: (func_type))
(export_item name: (identifier) @function type: (func_type))
(resource_method name: (identifier) @function.method)
(static_method name: (identifier) @function.method)
(param name: (identifier) @variable.parameter)

; Packages, interfaces and worlds
(package_name (identifier) @module)
(use_path (identifier) @module)
(interface_item name: (identifier) @module)
(world_item name: (identifier) @module)
(import_item name: (identifier) @module body: (interface_body))
(export_item name: (identifier) @module body: (interface_body))
(import_item name: (identifier) @module path: (use_path))
(export_item name: (identifier) @module path: (use_path))
(toplevel_use_item alias: (identifier) @module)
(include_name (identifier) @module)

; Feature gates
(since_gate "@" @attribute)
(unstable_gate "@" @attribute)
(deprecated_gate "@" @attribute)
["since" "unstable" "deprecated"] @attribute
["version" "feature"] @property
(feature_field name: (identifier) @constant)

; Literals
(version) @number
(integer) @number

; Comments
[(comment) (block_comment)] @comment
(doc_comment) @comment.documentation
((block_comment) @comment.documentation
  (#match? @comment.documentation "^/[*][*][^*/]"))

; Operators and punctuation
["=" "->"] @operator

["(" ")" "{" "}" "<" ">"] @punctuation.bracket

[";" ":" "," "." "/"] @punctuation.delimiter

(package_name "@" @punctuation.delimiter)
(use_path "@" @punctuation.delimiter)
