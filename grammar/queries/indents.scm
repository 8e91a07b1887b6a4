; Indentation (nvim-treesitter's names): a body indents its contents, its closing
; bracket goes back to the opening line's level.
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
] @indent.begin

[
  "}"
  ")"
] @indent.branch @indent.end

[
  (comment)
  (block_comment)
  (doc_comment)
] @indent.auto
