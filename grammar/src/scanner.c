// External scanner for the WIT grammar: lexes `}` so that an unclosed body at the end of the
// input becomes an ERROR node (tree-sitter would otherwise repair it with a zero-width MISSING
// `}` and report nothing a user can see). Stateless.
#include "tree_sitter/parser.h"

enum token_type { RBRACE, UNCLOSED_EOF, END_OF_INPUT };

void *tree_sitter_wit_external_scanner_create(void) { return NULL; }
void tree_sitter_wit_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_wit_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_wit_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static bool is_space(int32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool tree_sitter_wit_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid) {
  (void)payload;
  if (!valid[RBRACE]) return false;
  while (is_space(lexer->lookahead)) lexer->advance(lexer, true);
  if (lexer->lookahead == '}') {
    lexer->advance(lexer, false);
    lexer->result_symbol = RBRACE;
    return true;
  }
  // No parse state accepts `_unclosed_eof`, so seeing it valid means error recovery (every
  // token is asked for). The table also takes a `}` in some states only because they are
  // shared with nested package bodies; where the file may end, an end of input is no error.
  // Comments before the end are extras lexed one by one, so the scanner sees the end itself.
  if (valid[UNCLOSED_EOF] || valid[END_OF_INPUT] || !lexer->eof(lexer)) return false;
  lexer->result_symbol = UNCLOSED_EOF;
  return true;
}
