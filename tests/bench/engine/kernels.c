// Compute kernels compiled twice: natively (-O2) into the benchmark program and to
// wasm32 (-O2) as a reactor module run by the engine. Each returns a checksum so the
// two builds can be compared and the work cannot be optimised away.
#include <stdint.h>
#include <string.h>

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#define EXPORT(name)
#endif

// --- CoreMark-like mix: linked list, matrix and state machine ---------------------
typedef struct node { struct node* next; int16_t data; int16_t idx; } node;
static node pool[256];
static int16_t mat_a[32 * 32], mat_b[32 * 32];
static int32_t mat_c[32 * 32];

static uint16_t crc16(uint16_t crc, uint8_t v) {
  for (int i = 0; i < 8; ++i) {
    uint8_t x = (crc ^ v) & 1;
    v >>= 1;
    crc >>= 1;
    if (x) crc ^= 0xA001;
  }
  return crc;
}

static node* list_reverse(node* l) {
  node* r = 0;
  while (l) { node* n = l->next; l->next = r; r = l; l = n; }
  return r;
}

static node* list_sort(node* list, int by_data) {
  // Merge sort over the linked list (as CoreMark does).
  int insize = 1;
  if (!list) return 0;
  while (1) {
    node *p = list, *tail = 0, *e;
    list = 0;
    int merges = 0;
    while (p) {
      merges++;
      node* q = p;
      int psize = 0;
      for (int i = 0; i < insize; i++) { psize++; q = q->next; if (!q) break; }
      int qsize = insize;
      while (psize > 0 || (qsize > 0 && q)) {
        if (psize == 0) { e = q; q = q->next; qsize--; }
        else if (qsize == 0 || !q) { e = p; p = p->next; psize--; }
        else if ((by_data ? p->data - q->data : p->idx - q->idx) <= 0) { e = p; p = p->next; psize--; }
        else { e = q; q = q->next; qsize--; }
        if (tail) tail->next = e; else list = e;
        tail = e;
      }
      p = q;
    }
    tail->next = 0;
    if (merges <= 1) return list;
    insize *= 2;
  }
}

static int state_machine(const char* s, int* counts) {
  enum { start, integer, frac, expo, invalid } st = start;
  int transitions = 0;
  for (; *s; ++s) {
    char c = *s;
    if (c == ',') { counts[st]++; st = start; continue; }
    int prev = st;
    switch (st) {
      case start: st = (c >= '0' && c <= '9') ? integer : (c == '+' || c == '-') ? integer : c == '.' ? frac : invalid; break;
      case integer: st = (c >= '0' && c <= '9') ? integer : c == '.' ? frac : (c == 'e' || c == 'E') ? expo : invalid; break;
      case frac: st = (c >= '0' && c <= '9') ? frac : (c == 'e' || c == 'E') ? expo : invalid; break;
      case expo: st = (c >= '0' && c <= '9' || c == '-') ? expo : invalid; break;
      default: break;
    }
    transitions += prev != st;
  }
  return transitions;
}

EXPORT(bench_coremark) uint32_t bench_coremark(uint32_t iters) {
  static const char* inputs = "5012,1234,-874,+122,.5e3,3.14,1e-5,x12,0x1f,7.7.7,99999,-0.25,12e,++1,4.5E+2,";
  uint16_t crc = 0;
  for (uint32_t it = 0; it < iters; ++it) {
    for (int i = 0; i < 256; ++i) {
      pool[i].data = (int16_t)((i * 7919 + it * 31) & 0x7FFF);
      pool[i].idx = (int16_t)i;
      pool[i].next = i < 255 ? &pool[i + 1] : 0;
    }
    node* l = list_sort(&pool[0], 1);
    l = list_reverse(l);
    for (node* n = l; n; n = n->next) crc = crc16(crc, (uint8_t)n->data);
    l = list_sort(l, 0);
    crc = crc16(crc, (uint8_t)l->data);
    for (int i = 0; i < 32 * 32; ++i) { mat_a[i] = (int16_t)((i + it) & 0xFF); mat_b[i] = (int16_t)((i * 3 - it) & 0xFF); }
    for (int i = 0; i < 32; ++i)
      for (int j = 0; j < 32; ++j) {
        int32_t s = 0;
        for (int k = 0; k < 32; ++k) s += mat_a[i * 32 + k] * mat_b[k * 32 + j];
        mat_c[i * 32 + j] = s;
      }
    for (int i = 0; i < 32 * 32; i += 17) crc = crc16(crc, (uint8_t)(mat_c[i] >> 3));
    int counts[5] = {0};
    crc = crc16(crc, (uint8_t)state_machine(inputs, counts));
    for (int i = 0; i < 5; ++i) crc = crc16(crc, (uint8_t)counts[i]);
  }
  return crc;
}

// --- SHA-256 over a buffer --------------------------------------------------------
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static void sha256_block(uint32_t h[8], const uint8_t* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}
static uint8_t sha_buf[16384];
EXPORT(bench_sha256) uint32_t bench_sha256(uint32_t iters) {
  for (unsigned i = 0; i < sizeof sha_buf; ++i) sha_buf[i] = (uint8_t)(i * 13 + 7);
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (uint32_t it = 0; it < iters; ++it)
    for (unsigned off = 0; off < sizeof sha_buf; off += 64) sha256_block(h, sha_buf + off);
  return h[0] ^ h[7];
}

// --- Recursive calls ----------------------------------------------------------------
static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
EXPORT(bench_recursion) uint32_t bench_recursion(uint32_t iters) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < iters; ++i) s += fib(24 + (i & 1)) + ack(2, 200 + (i & 3));
  return s;
}

// --- Matrix multiplication (double) ----------------------------------------------
#define MN 64
static double ma[MN * MN], mb[MN * MN], mc[MN * MN];
EXPORT(bench_matrix) uint32_t bench_matrix(uint32_t iters) {
  for (int i = 0; i < MN * MN; ++i) { ma[i] = (i % 17) * 0.25; mb[i] = (i % 13) * 0.5 - 1.0; }
  double sum = 0;
  for (uint32_t it = 0; it < iters; ++it) {
    for (int i = 0; i < MN; ++i)
      for (int j = 0; j < MN; ++j) {
        double s = 0;
        for (int k = 0; k < MN; ++k) s += ma[i * MN + k] * mb[k * MN + j];
        mc[i * MN + j] = s;
      }
    sum += mc[(it * 7) % (MN * MN)];
    ma[it % (MN * MN)] += 0.001;
  }
  return (uint32_t)(int64_t)(sum * 1000.0);
}

// --- Float kernel: n-body-like integration and Mandelbrot ---------------------------
EXPORT(bench_float) uint32_t bench_float(uint32_t iters) {
  uint32_t inside = 0;
  for (uint32_t it = 0; it < iters; ++it) {
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x) {
        float cr = -2.0f + x * (2.6f / 64) + it * 1e-6f, ci = -1.2f + y * (2.4f / 48);
        float zr = 0, zi = 0;
        int k = 0;
        while (k < 64 && zr * zr + zi * zi < 4.0f) {
          float t = zr * zr - zi * zi + cr;
          zi = 2.0f * zr * zi + ci;
          zr = t;
          ++k;
        }
        inside += k == 64;
      }
    double px[5] = {0, 1, 0, -1, 0.5}, py[5] = {0, 0, 1, 0, -0.5}, vx[5] = {0}, vy[5] = {0};
    for (int step = 0; step < 200; ++step) {
      for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) {
          if (i == j) continue;
          double dx = px[j] - px[i], dy = py[j] - py[i];
          double d2 = dx * dx + dy * dy + 0.01;
          double inv = 1.0 / (d2 * __builtin_sqrt(d2));
          vx[i] += dx * inv * 0.001;
          vy[i] += dy * inv * 0.001;
        }
      for (int i = 0; i < 5; ++i) { px[i] += vx[i] * 0.01; py[i] += vy[i] * 0.01; }
    }
    inside += (uint32_t)(int32_t)(px[0] * 1000);
  }
  return inside;
}
