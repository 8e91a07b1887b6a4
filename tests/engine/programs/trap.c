// Deliberate failures: `abort` (a trap under wrt, SIGABRT natively: both exit 134) or
// `exit` with a status from deep inside the call stack.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int depth(int n, int code) {
  if (n == 0) {
    fflush(stdout);
    exit(code);
  }
  return depth(n - 1, code) + 1;
}

int main(int argc, char** argv) {
  printf("before\n");
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "abort") == 0) abort();
  if (argc > 1 && strcmp(argv[1], "exit") == 0) return depth(1000, 42);
  return 0;
}
