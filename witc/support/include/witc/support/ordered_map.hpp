#pragma once
// Insertion-ordered map, the role IndexMap plays in wit-parser: WIT and JSON output
// list items in source order, and lookups by name must still be O(1).
// Entries live in one vector; the hash index is a flat table of entry positions
// (open addressing), built only once a map outgrows a short linear scan. Most maps
// of a WIT graph hold a handful of names, so this keeps them one allocation each
// and never stores a key twice.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace witc {

/// Example:
///   ordered_map<std::string, int> m; m.insert("b", 1); m.insert("a", 2);
///   m.begin()->first == "b"; m.find("a")->second == 2;
template <class K, class V, class Hash = std::hash<K>>
class ordered_map {
 public:
  using value_type = std::pair<K, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  ordered_map() = default;
  ordered_map(const ordered_map&) = default;
  ordered_map(ordered_map&& o) noexcept : items_(std::move(o.items_)), index_(std::move(o.index_)) { o.clear(); }
  ordered_map& operator=(const ordered_map&) = default;
  ordered_map& operator=(ordered_map&& o) noexcept {
    items_ = std::move(o.items_);
    index_ = std::move(o.index_);
    o.clear();
    return *this;
  }

  /// Inserts when absent; returns the entry and whether it was inserted.
  std::pair<iterator, bool> insert(K key, V value) {
    if (std::size_t pos = position(key); pos != npos) return {items_.begin() + static_cast<std::ptrdiff_t>(pos), false};
    items_.emplace_back(std::move(key), std::move(value));
    index_new();
    return {items_.end() - 1, true};
  }
  /// Inserts or overwrites in place (keeping the original position).
  V& operator[](const K& key) {
    std::size_t pos = position(key);
    if (pos != npos) return items_[pos].second;
    return insert(key, V{}).first->second;
  }
  [[nodiscard]] iterator find(const K& key) {
    std::size_t pos = position(key);
    return pos == npos ? items_.end() : items_.begin() + static_cast<std::ptrdiff_t>(pos);
  }
  [[nodiscard]] const_iterator find(const K& key) const {
    std::size_t pos = position(key);
    return pos == npos ? items_.end() : items_.begin() + static_cast<std::ptrdiff_t>(pos);
  }
  [[nodiscard]] bool contains(const K& key) const { return position(key) != npos; }
  /// Removes `key`, shifting later entries down (order kept, O(n)).
  bool erase(const K& key) {
    std::size_t pos = position(key);
    if (pos == npos) return false;
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(pos));
    rebuild();
    return true;
  }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  value_type& at_index(std::size_t i) { return items_.at(i); }
  const value_type& at_index(std::size_t i) const { return items_.at(i); }
  void clear() {
    items_.clear();
    index_.clear();
  }
  /// Room for `n` entries without regrowth.
  void reserve(std::size_t n) { items_.reserve(n); }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // Up to this many entries, lookups scan the vector and there is no index.
  static constexpr std::size_t linear_limit = 8;
  static constexpr std::uint32_t empty_slot = 0xFFFFFFFFu;

  std::size_t position(const K& key) const {
    if (index_.empty()) {
      for (std::size_t i = 0; i < items_.size(); ++i)
        if (items_[i].first == key) return i;
      return npos;
    }
    std::size_t mask = index_.size() - 1;
    for (std::size_t s = mix(Hash{}(key)) & mask;; s = (s + 1) & mask) {
      std::uint32_t e = index_[s];
      if (e == empty_slot) return npos;
      if (items_[e].first == key) return e;
    }
  }

  static std::size_t mix(std::size_t h) noexcept {
    // std::hash of an integer is the identity: spread it before masking.
    std::uint64_t x = static_cast<std::uint64_t>(h) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(x ^ (x >> 32));
  }

  void place(std::size_t h, std::uint32_t e) {
    std::size_t mask = index_.size() - 1;
    std::size_t s = mix(h) & mask;
    while (index_[s] != empty_slot) s = (s + 1) & mask;
    index_[s] = e;
  }

  // The last entry was just appended.
  void index_new() {
    std::size_t n = items_.size();
    if (n <= linear_limit) return;
    if (index_.empty() || n * 4 > index_.size() * 3) {  // keep the load under 3/4
      rebuild();
      return;
    }
    place(Hash{}(items_.back().first), static_cast<std::uint32_t>(n - 1));
  }

  void rebuild() {
    std::size_t n = items_.size();
    if (n <= linear_limit) {
      index_.clear();
      index_.shrink_to_fit();
      return;
    }
    std::size_t cap = 16;
    while (cap * 3 < n * 4 + 4) cap *= 2;
    index_.assign(cap, empty_slot);
    for (std::size_t i = 0; i < n; ++i) place(Hash{}(items_[i].first), static_cast<std::uint32_t>(i));
  }

  std::vector<value_type> items_;
  std::vector<std::uint32_t> index_;  // entry positions; empty_slot marks a free slot
};

}  // namespace witc
