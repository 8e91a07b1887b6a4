// Files beneath a granted directory: create, write, read back, list, stat, rename, remove.
// argv[1] is the directory (a host path natively, the guest path under wrt).
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  char path[512], path2[512], sub[512];
  snprintf(sub, sizeof sub, "%s/sub", argv[1]);
  if (mkdir(sub, 0755) != 0) { perror("mkdir"); return 1; }
  snprintf(path, sizeof path, "%s/sub/data.txt", argv[1]);
  FILE* f = fopen(path, "w");
  if (!f) { perror("fopen w"); return 1; }
  for (int i = 0; i < 100; ++i) fprintf(f, "line %d\n", i);
  fclose(f);
  struct stat st;
  if (stat(path, &st) != 0) { perror("stat"); return 1; }
  printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  f = fopen(path, "r");
  char line[64];
  int count = 0;
  long sum = 0;
  while (fgets(line, sizeof line, f)) { ++count; sum += atoi(line + 5); }
  fseek(f, 10, SEEK_SET);
  int c = fgetc(f);
  fclose(f);
  printf("lines=%d sum=%ld byte10=%c\n", count, sum, c);
  snprintf(path2, sizeof path2, "%s/sub/renamed.txt", argv[1]);
  if (rename(path, path2) != 0) { perror("rename"); return 1; }
  FILE* g = fopen(path, "r");
  printf("old name opens: %s\n", g ? "yes" : "no");
  for (int i = 0; i < 3; ++i) {
    char p[512];
    snprintf(p, sizeof p, "%s/sub/f%d", argv[1], i);
    FILE* h = fopen(p, "w");
    fputs("x", h);
    fclose(h);
  }
  DIR* d = opendir(sub);
  char* names[16];
  int nn = 0;
  struct dirent* de;
  while ((de = readdir(d)) && nn < 16)
    if (de->d_name[0] != '.') names[nn++] = strdup(de->d_name);
  closedir(d);
  qsort(names, nn, sizeof names[0], by_name);
  for (int i = 0; i < nn; ++i) printf("entry %s\n", names[i]);
  for (int i = 0; i < nn; ++i) {
    char p[512];
    snprintf(p, sizeof p, "%s/sub/%s", argv[1], names[i]);
    if (unlink(p) != 0) { perror("unlink"); return 1; }
  }
  if (rmdir(sub) != 0) { perror("rmdir"); return 1; }
  printf("cleaned up: %s\n", access(sub, F_OK) == 0 ? "no" : "yes");
  return 0;
}
