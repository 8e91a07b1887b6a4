; Code navigation (tree-sitter tags): definitions and references.

(interface_item name: (identifier) @name) @definition.interface
(world_item name: (identifier) @name) @definition.module
(nested_package name: (package_name) @name) @definition.module

(func_item name: (identifier) @name) @definition.function
(import_item name: (identifier) @name type: (func_type)) @definition.function
(export_item name: (identifier) @name type: (func_type)) @definition.function
(resource_method name: (identifier) @name) @definition.method
(static_method name: (identifier) @name) @definition.method

(resource_item name: (identifier) @name) @definition.class
(record_item name: (identifier) @name) @definition.class
(variant_item name: (identifier) @name) @definition.class
(enum_item name: (identifier) @name) @definition.class
(flags_item name: (identifier) @name) @definition.class
(type_item name: (identifier) @name) @definition.type

(user_type (identifier) @name) @reference.type
(handle_type resource: (identifier) @name) @reference.type
(use_path interface: (identifier) @name) @reference.interface
(include_item path: (use_path interface: (identifier) @name)) @reference.implementation
