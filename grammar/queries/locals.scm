; Scopes, definitions and references of packages, interfaces, worlds and types.

(source_file) @local.scope
(package_body) @local.scope
(interface_body) @local.scope
(world_body) @local.scope
(resource_body) @local.scope
(func_type) @local.scope

; Definitions
(package_decl name: (package_name) @local.definition.namespace)
(nested_package name: (package_name) @local.definition.namespace)
(interface_item name: (identifier) @local.definition.namespace)
(world_item name: (identifier) @local.definition.namespace)
(toplevel_use_item alias: (identifier) @local.definition.namespace)
(import_item name: (identifier) @local.definition.import)
(export_item name: (identifier) @local.definition.import)

(type_item name: (identifier) @local.definition.type)
(record_item name: (identifier) @local.definition.type)
(flags_item name: (identifier) @local.definition.type)
(variant_item name: (identifier) @local.definition.type)
(enum_item name: (identifier) @local.definition.type)
(resource_item name: (identifier) @local.definition.type)
(use_name alias: (identifier) @local.definition.type)

(func_item name: (identifier) @local.definition.function)
(resource_method name: (identifier) @local.definition.method)
(static_method name: (identifier) @local.definition.method)
(param name: (identifier) @local.definition.parameter)
(record_field name: (identifier) @local.definition.field)
(enum_case name: (identifier) @local.definition.constant)
(flag name: (identifier) @local.definition.constant)
(variant_case name: (identifier) @local.definition.constant)

; References
(user_type (identifier) @local.reference)
(handle_type resource: (identifier) @local.reference)
(use_name name: (identifier) @local.reference)
(use_path interface: (identifier) @local.reference)
