// Capability confinement: only paths beneath the granted directory open; `..`, absolute
// paths and symlinks leading out are refused. argv[1] is the guest directory.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef ENOTCAPABLE
#define ENOTCAPABLE EACCES  // native builds: the program is only meaningful under wrt
#endif

static void try_open(const char* path) {
  FILE* f = fopen(path, "r");
  printf("%s: %s\n", path, f ? "opened" : (errno == ENOTCAPABLE || errno == EPERM || errno == ENOENT) ? "refused" : strerror(errno));
  if (f) fclose(f);
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  char p[512];
  snprintf(p, sizeof p, "%s/inside.txt", argv[1]);
  FILE* f = fopen(p, "w");
  fputs("ok\n", f);
  fclose(f);
  try_open(p);
  snprintf(p, sizeof p, "%s/../escape.txt", argv[1]);
  try_open(p);
  snprintf(p, sizeof p, "%s/sub/../../escape.txt", argv[1]);
  try_open(p);
  try_open("/etc/passwd");
  snprintf(p, sizeof p, "%s/out/escape.txt", argv[1]);
  try_open(p);
  return 0;
}
