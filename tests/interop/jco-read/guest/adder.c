// A core module following the canonical ABI for guest/adder.wit, with no libc:
// compiled with clang --target=wasm32, embedded by witc and wrapped by `jco new`.
typedef unsigned long size_t;

__attribute__((import_module("$root"), import_name("report"))) void report(unsigned total);

static unsigned char heap[1 << 16];
static size_t top;

__attribute__((export_name("cabi_realloc"))) void* cabi_realloc(void* old, size_t old_size, size_t align,
                                                                 size_t new_size) {
  (void)old;
  (void)old_size;
  top = (top + align - 1) & ~(align - 1);
  void* p = heap + top;
  top += new_size;
  return p;
}

__attribute__((export_name("add"))) unsigned add(unsigned a, unsigned b) {
  report(a + b);
  return a + b;
}

static size_t ret[2];

__attribute__((export_name("echo"))) size_t* echo(char* s, size_t len) {
  ret[0] = (size_t)s;
  ret[1] = len;
  return ret;
}
