; Doc comments are Markdown; plain comments get the `comment` parser (TODO, FIXME, ...).
((doc_comment) @injection.content
  (#set! injection.language "markdown_inline"))

((block_comment) @injection.content
  (#match? @injection.content "^/[*][*][^*/]")
  (#set! injection.language "markdown_inline"))

([(comment) (block_comment)] @injection.content
  (#set! injection.language "comment"))
