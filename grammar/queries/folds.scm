; Folds: every braced body and long parameter lists.
[
  (package_body)
  (interface_body)
  (world_body)
  (resource_body)
  (record_item)
  (variant_item)
  (enum_item)
  (flags_item)
  (param_list)
  (block_comment)
] @fold
