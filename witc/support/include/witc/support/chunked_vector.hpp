#pragma once
// A growable array stored in small fixed-size chunks. Elements never move once
// added, and growth never needs one large contiguous block: a graph arena of many
// megabytes then fills the holes that freed parse trees leave in the heap,
// where a std::vector would map fresh pages for each doubling (and, for a while,
// hold both the old and the new copy).
#include <bit>
#include <cstddef>
#include <iterator>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

namespace witc {

/// A sequence with std::vector's everyday surface (push_back, emplace_back,
/// operator[], at, back, size, iteration) whose elements live in chunks of about
/// `ChunkBytes` bytes and never move.
/// Example: `chunked_vector<int> v; v.push_back(1); v[0] == 1; for (int x : v) {}`
template <class T, std::size_t ChunkBytes = 4096>
class chunked_vector {
  static constexpr std::size_t per_chunk = std::bit_floor(sizeof(T) >= ChunkBytes ? std::size_t{1} : ChunkBytes / sizeof(T));
  static constexpr std::size_t shift = std::countr_zero(per_chunk);
  static constexpr std::size_t mask = per_chunk - 1;

  template <class V, class Owner>
  class iter {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::remove_const_t<V>;
    using difference_type = std::ptrdiff_t;
    using pointer = V*;
    using reference = V&;

    iter() = default;
    iter(Owner* o, std::size_t i) : o_(o), i_(i) {}
    template <class V2, class O2>
    iter(const iter<V2, O2>& other) : o_(other.o_), i_(other.i_) {}  // NOLINT: iterator -> const_iterator

    reference operator*() const { return (*o_)[i_]; }
    pointer operator->() const { return &(*o_)[i_]; }
    reference operator[](difference_type n) const { return (*o_)[i_ + static_cast<std::size_t>(n)]; }
    iter& operator++() { ++i_; return *this; }
    iter operator++(int) { iter t = *this; ++i_; return t; }
    iter& operator--() { --i_; return *this; }
    iter operator--(int) { iter t = *this; --i_; return t; }
    iter& operator+=(difference_type n) { i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n); return *this; }
    iter& operator-=(difference_type n) { return *this += -n; }
    friend iter operator+(iter a, difference_type n) { return a += n; }
    friend iter operator+(difference_type n, iter a) { return a += n; }
    friend iter operator-(iter a, difference_type n) { return a -= n; }
    friend difference_type operator-(const iter& a, const iter& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const iter& a, const iter& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const iter& a, const iter& b) { return a.i_ <=> b.i_; }

   private:
    template <class, class>
    friend class iter;
    Owner* o_ = nullptr;
    std::size_t i_ = 0;
  };

 public:
  using value_type = T;
  using size_type = std::size_t;
  using reference = T&;
  using const_reference = const T&;
  using iterator = iter<T, chunked_vector>;
  using const_iterator = iter<const T, const chunked_vector>;

  chunked_vector() = default;
  chunked_vector(const chunked_vector& o) {
    reserve(o.size());
    for (const T& x : o) push_back(x);
  }
  chunked_vector(chunked_vector&& o) noexcept : chunks_(std::move(o.chunks_)), size_(o.size_) {
    o.chunks_.clear();
    o.size_ = 0;
  }
  chunked_vector& operator=(const chunked_vector& o) {
    if (this != &o) {
      chunked_vector t(o);
      swap(t);
    }
    return *this;
  }
  chunked_vector& operator=(chunked_vector&& o) noexcept {
    if (this != &o) {
      chunked_vector t(std::move(o));
      swap(t);
    }
    return *this;
  }
  ~chunked_vector() { clear(); }

  void swap(chunked_vector& o) noexcept {
    chunks_.swap(o.chunks_);
    std::swap(size_, o.size_);
  }

  [[nodiscard]] size_type size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] size_type capacity() const noexcept { return chunks_.size() * per_chunk; }
  /// Reserves the chunk table only: chunks are allocated as elements arrive.
  void reserve(size_type n) { chunks_.reserve((n + per_chunk - 1) / per_chunk); }

  T& operator[](size_type i) noexcept { return chunks_[i >> shift][i & mask]; }
  const T& operator[](size_type i) const noexcept { return chunks_[i >> shift][i & mask]; }
  T& at(size_type i) {
    if (i >= size_) throw std::out_of_range("chunked_vector::at");
    return (*this)[i];
  }
  const T& at(size_type i) const {
    if (i >= size_) throw std::out_of_range("chunked_vector::at");
    return (*this)[i];
  }
  T& front() noexcept { return (*this)[0]; }
  const T& front() const noexcept { return (*this)[0]; }
  T& back() noexcept { return (*this)[size_ - 1]; }
  const T& back() const noexcept { return (*this)[size_ - 1]; }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if ((size_ >> shift) == chunks_.size()) chunks_.push_back(static_cast<T*>(allocate()));
    T* slot = &chunks_[size_ >> shift][size_ & mask];
    ::new (static_cast<void*>(slot)) T(std::forward<Args>(args)...);
    ++size_;
    return *slot;
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  void pop_back() noexcept {
    --size_;
    (*this)[size_].~T();
  }

  void clear() noexcept {
    for (size_type i = 0; i < size_; ++i) (*this)[i].~T();
    for (T* c : chunks_) deallocate(c);
    chunks_.clear();
    size_ = 0;
  }

  iterator begin() noexcept { return {this, 0}; }
  iterator end() noexcept { return {this, size_}; }
  const_iterator begin() const noexcept { return {this, 0}; }
  const_iterator end() const noexcept { return {this, size_}; }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

 private:
  static void* allocate() {
    if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      return ::operator new(per_chunk * sizeof(T), std::align_val_t{alignof(T)});
    else
      return ::operator new(per_chunk * sizeof(T));
  }
  static void deallocate(T* p) noexcept {
    if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      ::operator delete(static_cast<void*>(p), std::align_val_t{alignof(T)});
    else
      ::operator delete(static_cast<void*>(p));
  }

  std::vector<T*> chunks_;
  size_type size_ = 0;
};

}  // namespace witc
