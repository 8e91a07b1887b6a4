#pragma once
// The resolver's name tables: which interface or world a name means, per file and
// per package. Keys view the AST's names (the source text outlives the tables).
// Open addressing with the hash kept beside each entry: the node-based
// std::unordered_map spent most of its time in cache misses and allocation on
// packages with thousands of interfaces.
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace witc::wit::detail {

/// FNV-1a over `k`, never 0 (tables use 0 for a free slot): the resolver's keys
/// are a few bytes, where FNV beats std::hash's setup cost.
/// Example: `name_hash("a") != 0`
[[nodiscard]] inline std::uint32_t name_hash(std::string_view k) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : k) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h | 1u;
}

/// A map from names (views) to `V` with the part of std::unordered_map's surface
/// the resolver uses. References stay valid until the next insertion.
/// Example: `name_map<int> m; m["a"] = 1; if (auto it = m.find("a"); it != m.end()) it->second;`
template <class V>
class name_map {
 public:
  using value_type = std::pair<std::string_view, V>;
  using iterator = value_type*;
  using const_iterator = const value_type*;

  [[nodiscard]] iterator end() noexcept { return nullptr; }
  [[nodiscard]] const_iterator end() const noexcept { return nullptr; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  [[nodiscard]] iterator find(std::string_view k) noexcept {
    if (size_ == 0) return nullptr;
    std::size_t i = probe(k, hash(k));
    return hashes_[i] ? &slots_[i] : nullptr;
  }
  [[nodiscard]] const_iterator find(std::string_view k) const noexcept {
    return const_cast<name_map*>(this)->find(k);
  }
  [[nodiscard]] std::size_t count(std::string_view k) const noexcept { return find(k) ? 1 : 0; }
  V& at(std::string_view k) {
    auto* e = find(k);
    if (!e) throw std::out_of_range("name_map::at");
    return e->second;
  }
  const V& at(std::string_view k) const { return const_cast<name_map*>(this)->at(k); }

  /// Inserts `v` unless `k` is present; returns the entry and whether it was added.
  std::pair<iterator, bool> emplace(std::string_view k, V v) {
    if ((size_ + 1) * 4 > hashes_.size() * 3) grow();
    std::uint32_t h = hash(k);
    std::size_t i = probe(k, h);
    if (hashes_[i]) return {&slots_[i], false};
    hashes_[i] = h;
    slots_[i] = value_type{k, std::move(v)};
    ++size_;
    return {&slots_[i], true};
  }
  V& operator[](std::string_view k) { return emplace(k, V{}).first->second; }

 private:
  static std::uint32_t hash(std::string_view k) noexcept { return name_hash(k); }
  std::size_t probe(std::string_view k, std::uint32_t h) const noexcept {
    std::size_t mask = hashes_.size() - 1;
    for (std::size_t i = (h * 0x9E3779B9u) & mask;; i = (i + 1) & mask)
      if (hashes_[i] == 0 || (hashes_[i] == h && slots_[i].first == k)) return i;
  }
  void grow() {
    std::vector<std::uint32_t> old_hashes(hashes_.empty() ? 16 : hashes_.size() * 2, 0);
    std::vector<value_type> old_slots(old_hashes.size());
    old_hashes.swap(hashes_);
    old_slots.swap(slots_);
    for (std::size_t j = 0; j < old_hashes.size(); ++j) {
      if (!old_hashes[j]) continue;
      std::size_t i = probe(old_slots[j].first, old_hashes[j]);
      hashes_[i] = old_hashes[j];
      slots_[i] = std::move(old_slots[j]);
    }
  }

  std::vector<std::uint32_t> hashes_;
  std::vector<value_type> slots_;
  std::size_t size_ = 0;
};

}  // namespace witc::wit::detail
