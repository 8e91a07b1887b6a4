// Arguments, environment, stdout/stderr and the exit status.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) printf("argv[%d]=%s (%zu bytes)\n", i, argv[i], strlen(argv[i]));
  const char* v = getenv("WRT_GREETING");
  printf("WRT_GREETING=%s\n", v ? v : "(unset)");
  fprintf(stderr, "this line goes to stderr\n");
  return argc > 2 ? 7 : 0;
}
