#pragma once
// Insertion-ordered map, the role IndexMap plays in wit-parser: WIT and JSON output
// list items in source order, and lookups by name must still be O(1).
#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
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

  /// Inserts when absent; returns the entry and whether it was inserted.
  std::pair<iterator, bool> insert(K key, V value) {
    auto [it, fresh] = index_.try_emplace(key, items_.size());
    if (!fresh) return {items_.begin() + static_cast<std::ptrdiff_t>(it->second), false};
    items_.emplace_back(std::move(key), std::move(value));
    return {items_.end() - 1, true};
  }
  /// Inserts or overwrites in place (keeping the original position).
  V& operator[](const K& key) {
    auto it = index_.find(key);
    if (it != index_.end()) return items_[it->second].second;
    return insert(key, V{}).first->second;
  }
  [[nodiscard]] iterator find(const K& key) {
    auto it = index_.find(key);
    return it == index_.end() ? items_.end() : items_.begin() + static_cast<std::ptrdiff_t>(it->second);
  }
  [[nodiscard]] const_iterator find(const K& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? items_.end() : items_.begin() + static_cast<std::ptrdiff_t>(it->second);
  }
  [[nodiscard]] bool contains(const K& key) const { return index_.count(key) != 0; }
  /// Removes `key`, shifting later entries down (order kept, O(n)).
  bool erase(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    std::size_t pos = it->second;
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(pos));
    index_.erase(it);
    for (auto& [k, i] : index_)
      if (i > pos) --i;
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
  void clear() { items_.clear(); index_.clear(); }

 private:
  std::vector<value_type> items_;
  std::unordered_map<K, std::size_t, Hash> index_;
};

}  // namespace witc
