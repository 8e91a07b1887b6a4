#ifndef TREE_SITTER_WIT_H_
#define TREE_SITTER_WIT_H_

// The WIT grammar for tree-sitter (language ABI 14).
//   TSParser *p = ts_parser_new();
//   ts_parser_set_language(p, tree_sitter_wit());

typedef struct TSLanguage TSLanguage;

#ifdef __cplusplus
extern "C" {
#endif

/// The WIT language, for `ts_parser_set_language` and `ts_query_new`.
const TSLanguage *tree_sitter_wit(void);

#ifdef __cplusplus
}
#endif

#endif  // TREE_SITTER_WIT_H_
