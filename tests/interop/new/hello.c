// A plain WASI command: printf through wasi_snapshot_preview1, adapted to the
// component model by `witc component new --adapt` with jco's command adapter.
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  (void)argv;
  printf("hello from %s: %d argument(s)\n", "witc", argc);
  for (int i = 1; i <= 3; ++i) printf("line %d of %d\n", i, 3);
  fprintf(stderr, "a line on stderr\n");
  fflush(stdout);
  return (int)strlen("abc");  // a non-zero exit status: the command fails
}
