// The AST arena (see ast_alloc.hpp). A block is a 16-byte header, naming its
// chunk (or none: operator new), then the node. While the parse runs, freed
// blocks are reused through size-class free lists (X3 grows vectors by
// doubling); once it is sealed, a chunk whose blocks are all freed is freed.
// The arena object lives until its owner and all its chunks are gone.
#include "witc/wit/ast_alloc.hpp"

#include <array>
#include <cstdint>
#include <new>

// Under AddressSanitizer the arena poisons what is not handed out, so a use
// after free of an AST node is reported as it would be with operator new.
#if defined(__SANITIZE_ADDRESS__)
#define WITC_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WITC_ARENA_ASAN 1
#endif
#endif
#if defined(WITC_ARENA_ASAN)
#include <sanitizer/asan_interface.h>
#define WITC_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define WITC_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define WITC_POISON(p, n) ((void)(p), (void)(n))
#define WITC_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace witc::wit::ast::detail {

namespace {

constexpr std::size_t header_bytes = 16;
constexpr std::size_t chunk_bytes = std::size_t{1} << 16;
constexpr std::size_t largest_in_chunk = chunk_bytes / 4;  // bigger blocks: operator new
constexpr std::size_t largest_reused = largest_in_chunk;     // free lists for every chunk block
constexpr std::size_t size_classes = largest_reused / 16 + 1;

struct chunk {
  arena* owner;
  std::size_t live;  // blocks handed out and not freed
};

struct alignas(16) header {
  chunk* c;          // null: the block came from operator new
  std::size_t size;  // whole block, header included
};
static_assert(sizeof(header) == header_bytes);

// Chunks come from malloc: a freed 64 KiB chunk is one contiguous hole the graph,
// built meanwhile, fills completely. (Mapping chunks from the OS and unmapping
// them saved nothing at the peak and cost 12 % of the resolve time in page faults.)
void* new_chunk_memory() {
  return ::operator new(chunk_bytes, std::align_val_t{16});
}

void unnew_chunk_memory(void* p) noexcept {
  WITC_UNPOISON(p, chunk_bytes);
  ::operator delete(p, std::align_val_t{16});
}

thread_local arena* current = nullptr;

}  // namespace

class arena {
 public:
  void* allocate(std::size_t total) {
    if (total <= largest_reused) {
      auto& list = free_[total / 16];
      if (list) {
        header* h = list;
        WITC_UNPOISON(h, total);
        list = *reinterpret_cast<header**>(h + 1);
        ++h->c->live;
        return h;
      }
    }
    if (!cur_ || bump_ + total > end_) new_chunk();
    auto* h = reinterpret_cast<header*>(bump_);
    WITC_UNPOISON(h, total);
    bump_ += total;
    h->c = cur_;
    h->size = total;
    ++cur_->live;
    return h;
  }

  void free(header* h) noexcept {
    chunk* c = h->c;
    --c->live;
    std::size_t size = h->size;
    if (!sealed_) {
      if (size <= largest_reused) {
        *reinterpret_cast<header**>(h + 1) = free_[size / 16];
        free_[size / 16] = h;
      }
      WITC_POISON(h, size);
      return;
    }
    WITC_POISON(h, size);
    if (c->live == 0) release(c);
  }

  // The parse is over: no more allocations, forget the free lists (their blocks
  // are already counted as freed) and drop the chunks that hold nothing.
  void seal() noexcept {
    sealed_ = true;
    free_.fill(nullptr);
    chunk* last = cur_;
    cur_ = nullptr;
    bump_ = end_ = nullptr;
    for (std::size_t i = 0; i < chunks_.size(); ++i)
      if (chunks_[i] && chunks_[i]->live == 0 && chunks_[i] != last) release_at(i);
    if (last && last->live == 0) release(last);
  }

  void drop_owner() noexcept {
    owned_ = false;
    maybe_delete();
  }

 private:
  void new_chunk() {
    auto* c = static_cast<chunk*>(new_chunk_memory());
    c->owner = this;
    c->live = 0;
    chunks_.push_back(c);
    ++held_chunks_;
    cur_ = c;
    bump_ = reinterpret_cast<char*>(c) + header_bytes;  // the chunk record fills one header slot
    end_ = reinterpret_cast<char*>(c) + chunk_bytes;
    WITC_POISON(bump_, static_cast<std::size_t>(end_ - bump_));
  }

  void release(chunk* c) noexcept {
    for (std::size_t i = chunks_.size(); i-- > 0;)
      if (chunks_[i] == c) return release_at(i);
  }
  void release_at(std::size_t i) noexcept {
    unnew_chunk_memory(chunks_[i]);
    chunks_[i] = nullptr;
    --held_chunks_;
    maybe_delete();
  }
  void maybe_delete() noexcept {
    if (!owned_ && held_chunks_ == 0) delete this;
  }

  std::vector<chunk*> chunks_;
  std::size_t held_chunks_ = 0;
  chunk* cur_ = nullptr;
  char* bump_ = nullptr;
  char* end_ = nullptr;
  std::array<header*, size_classes> free_{};
  bool sealed_ = false;
  bool owned_ = true;
};

static_assert(sizeof(chunk) <= header_bytes);

void* allocate(std::size_t bytes) {
  std::size_t total = (bytes + header_bytes + 15) & ~std::size_t{15};
  header* h;
  if (current && total <= largest_in_chunk) {
    h = static_cast<header*>(current->allocate(total));
  } else {
    h = static_cast<header*>(::operator new(total, std::align_val_t{16}));
    h->c = nullptr;
    h->size = total;
  }
  return h + 1;
}

void deallocate(void* p) noexcept {
  if (!p) return;
  header* h = static_cast<header*>(p) - 1;
  if (!h->c) {
    ::operator delete(h, std::align_val_t{16});
    return;
  }
  h->c->owner->free(h);
}

arena_handle& arena_handle::operator=(arena_handle&& o) noexcept {
  if (this != &o) {
    if (a_) a_->drop_owner();
    a_ = o.a_;
    o.a_ = nullptr;
  }
  return *this;
}

arena_handle::~arena_handle() {
  if (a_) a_->drop_owner();
}

parse_scope::parse_scope(arena_handle& main, arena_handle& side)
    : prev_(current), main_(new arena), side_(new arena) {
  if (main.a_) main.a_->drop_owner();
  main.a_ = main_;
  if (side.a_) side.a_->drop_owner();
  side.a_ = side_;
  current = main_;
}

parse_scope::~parse_scope() {
  current = prev_;
  main_->seal();
  side_->seal();
}

side_scope::side_scope(arena* a) noexcept : prev_(current) { current = a; }
side_scope::~side_scope() { current = prev_; }

}  // namespace witc::wit::ast::detail
