// Heap, sorting, 64-bit and floating-point arithmetic, printf formatting.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void* a, const void* b) {
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return x < y ? -1 : x > y;
}

static uint64_t fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  uint32_t seed = 12345;
  size_t n = 100000;
  uint32_t* v = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = seed;
  }
  qsort(v, n, sizeof *v, cmp);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 1000) sum += v[i];
  printf("sorted: first=%u last=%u sample-sum=%llu\n", v[0], v[n - 1], (unsigned long long)sum);
  free(v);
  printf("fib(27)=%llu\n", (unsigned long long)fib(27));
  double acc = 0;
  for (int i = 1; i <= 1000; ++i) acc += sin(i * 0.001) * sqrt((double)i) / (1.0 + log((double)i));
  printf("float: %.10f %.6e %g\n", acc, acc * 1e-9, (double)(float)acc);
  int64_t big = INT64_MAX;
  printf("int64: %lld %lld %llu\n", (long long)(big / 7), (long long)(-big % 1000), (unsigned long long)(big * 3));
  char buf[64];
  snprintf(buf, sizeof buf, "%08x|%-6s|%+d", 0xBEEFu, "ab", 42);
  printf("fmt: %s len=%zu\n", buf, strlen(buf));
  return 0;
}
