// `merge`: one resolved graph into another, wit-parser's `Resolve::merge`. The ids
// every item of `from` gets are fixed first (matched to an existing item, or the
// next free slot of its arena), then the new items are copied with ids rewritten.
#include "witc/wit/merge.hpp"

#include <fmt/format.h>

#include <optional>

namespace witc::wit {
namespace {

failure error(std::string msg) { return fail(diagnostic::global(std::move(msg))); }

/// Every type use inside a definition, in a fixed order, so two definitions of the
/// same shape can be walked side by side.
void type_uses(type_def_kind& k, std::vector<wit::type*>& out) {
  std::visit(
      [&](auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, record>) {
          for (auto& f : d.fields) out.push_back(&f.ty);
        } else if constexpr (std::is_same_v<T, tuple>) {
          for (auto& t : d.types) out.push_back(&t);
        } else if constexpr (std::is_same_v<T, variant>) {
          for (auto& c : d.cases)
            if (c.ty) out.push_back(&*c.ty);
        } else if constexpr (std::is_same_v<T, option>) {
          out.push_back(&d.inner);
        } else if constexpr (std::is_same_v<T, result_>) {
          if (d.ok) out.push_back(&*d.ok);
          if (d.err) out.push_back(&*d.err);
        } else if constexpr (std::is_same_v<T, list> || std::is_same_v<T, fixed_list>) {
          out.push_back(&d.element);
        } else if constexpr (std::is_same_v<T, map>) {
          out.push_back(&d.key);
          out.push_back(&d.value);
        } else if constexpr (std::is_same_v<T, future> || std::is_same_v<T, stream>) {
          if (d.inner) out.push_back(&*d.inner);
        } else if constexpr (std::is_same_v<T, alias>) {
          out.push_back(&d.target);
        }
      },
      k);
}

class merger {
 public:
  merger(resolve& into, resolve& from) : into_(into), from_(from) {}

  result<merge_map> run() {
    m_.types.assign(from_.types.size(), type_id{});
    m_.interfaces.assign(from_.interfaces.size(), interface_id{});
    m_.worlds.assign(from_.worlds.size(), world_id{});
    m_.packages.assign(from_.packages.size(), package_id{});
    type_done_.assign(from_.types.size(), false);
    iface_done_.assign(from_.interfaces.size(), false);
    world_done_.assign(from_.worlds.size(), false);

    std::vector<bool> pkg_done(from_.packages.size(), false);
    for (std::uint32_t i = 0; i < from_.packages.size(); ++i) {
      const auto& fp = from_.packages[i];
      for (std::uint32_t j = 0; j < into_.packages.size(); ++j) {
        if (into_.packages[j].name != fp.name) continue;
        m_.packages[i] = package_id{j};
        pkg_done[i] = true;
        WITC_CHECK(match_package(package_id{i}, package_id{j}));
        break;
      }
    }

    // Fix the ids of everything new before copying, so references can be rewritten
    // whatever their direction.
    auto assign = [](auto& ids, const std::vector<bool>& done, std::size_t next) {
      using id_t = typename std::decay_t<decltype(ids)>::value_type;
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (!done[i]) ids[i] = id_t{static_cast<std::uint32_t>(next++)};
    };
    assign(m_.types, type_done_, into_.types.size());
    assign(m_.interfaces, iface_done_, into_.interfaces.size());
    assign(m_.worlds, world_done_, into_.worlds.size());
    assign(m_.packages, pkg_done, into_.packages.size());

    for (std::size_t i = 0; i < from_.types.size(); ++i) {
      if (type_done_[i]) continue;
      type_def t = std::move(from_.types[i]);
      remap(t);
      into_.types.push_back(std::move(t));
    }
    for (std::size_t i = 0; i < from_.interfaces.size(); ++i) {
      if (iface_done_[i]) continue;
      interface f = std::move(from_.interfaces[i]);
      for (auto& [name, t] : f.types) t = m_.types[t.index];
      for (auto& [name, fn] : f.functions) remap(fn);
      if (f.package) f.package = m_.packages[f.package->index];
      if (f.clone_of) f.clone_of = m_.interfaces[f.clone_of->index];
      into_.interfaces.push_back(std::move(f));
    }
    for (std::size_t i = 0; i < from_.worlds.size(); ++i) {
      if (world_done_[i]) continue;
      world w = std::move(from_.worlds[i]);
      w.imports = remap(std::move(w.imports));
      w.exports = remap(std::move(w.exports));
      if (w.package) w.package = m_.packages[w.package->index];
      into_.worlds.push_back(std::move(w));
    }
    for (std::size_t i = 0; i < from_.packages.size(); ++i) {
      if (pkg_done[i]) {
        // Interfaces and worlds only `from` has join the existing package.
        auto& p = into_.packages[m_.packages[i].index];
        for (const auto& [name, id] : from_.packages[i].interfaces) p.interfaces.insert(name, m_.interfaces[id.index]);
        for (const auto& [name, id] : from_.packages[i].worlds) p.worlds.insert(name, m_.worlds[id.index]);
        continue;
      }
      package p = std::move(from_.packages[i]);
      for (auto& [name, id] : p.interfaces) id = m_.interfaces[id.index];
      for (auto& [name, id] : p.worlds) id = m_.worlds[id.index];
      into_.packages.push_back(std::move(p));
    }
    return std::move(m_);
  }

 private:
  resolve& into_;
  resolve& from_;
  merge_map m_;
  std::vector<bool> type_done_, iface_done_, world_done_;

  result<void> match_package(package_id from, package_id into) {
    const auto& fp = from_[from];
    const auto& ip = into_[into];
    for (const auto& [name, fid] : fp.interfaces) {
      auto it = ip.interfaces.find(name);
      if (it == ip.interfaces.end()) continue;  // new: added to the package later
      WITC_CHECK(match_interface(fid, it->second));
    }
    for (const auto& [name, fid] : fp.worlds) {
      auto it = ip.worlds.find(name);
      if (it == ip.worlds.end()) continue;
      m_.worlds[fid.index] = it->second;
      world_done_[fid.index] = true;
      WITC_CHECK(match_world(fid, it->second));
    }
    return {};
  }

  result<void> match_interface(interface_id from, interface_id into) {
    m_.interfaces[from.index] = into;
    iface_done_[from.index] = true;
    const auto& fi = from_[from];
    const auto& ii = into_[into];
    for (const auto& [name, ft] : fi.types) {
      auto it = ii.types.find(name);
      if (it == ii.types.end())
        return error(fmt::format("expected type `{}` to be present in interface `{}`", name, ii.name.value_or("")));
      WITC_CHECK(match_type(ft, it->second));
    }
    for (const auto& [name, ff] : fi.functions) {
      auto it = ii.functions.find(name);
      if (it == ii.functions.end())
        return error(fmt::format("expected function `{}` to be present in interface `{}`", name, ii.name.value_or("")));
      WITC_CHECK(match_function(ff, it->second));
    }
    return {};
  }

  result<void> match_world(world_id from, world_id into) {
    // Items a world names are matched through their interfaces and types; the
    // world's own anonymous types follow its functions.
    const auto& fw = from_[from];
    const auto& iw = into_[into];
    auto items = [&](const auto& fitems, const auto& iitems) -> result<void> {
      for (const auto& [key, item] : fitems) {
        if (key.is_interface) continue;
        auto it = iitems.find(key);
        if (it == iitems.end()) continue;
        if (item.kind == world_item::kind::function && it->second.kind == world_item::kind::function)
          WITC_CHECK(match_function(item.func, it->second.func));
        if (item.kind == world_item::kind::type && it->second.kind == world_item::kind::type)
          WITC_CHECK(match_type(item.type, it->second.type));
      }
      return {};
    };
    WITC_CHECK(items(fw.imports, iw.imports));
    WITC_CHECK(items(fw.exports, iw.exports));
    return {};
  }

  result<void> match_function(const function& from, const function& into) {
    if (from.params.size() != into.params.size() || from.result.has_value() != into.result.has_value())
      return error(fmt::format("different function signatures for `{}`", from.name));
    for (std::size_t i = 0; i < from.params.size(); ++i) WITC_CHECK(match_use(from.params[i].ty, into.params[i].ty));
    if (from.result) WITC_CHECK(match_use(*from.result, *into.result));
    return {};
  }

  result<void> match_use(wit::type from, wit::type into) {
    if (from.is_id() != into.is_id()) return error("mismatched type shapes while merging packages");
    if (!from.is_id()) return {};
    if (type_done_[from.id().index] || from_[from.id()].name) return {};
    return match_type(from.id(), into.id());
  }

  result<void> match_type(type_id from, type_id into) {
    if (type_done_[from.index]) return {};
    m_.types[from.index] = into;
    type_done_[from.index] = true;
    auto& fk = from_[from].kind;
    auto& ik = into_[into].kind;
    if (fk.index() != ik.index()) {
      // A foreign type decoded as a stand-in matches whatever it stands for.
      if (std::holds_alternative<unknown>(fk) || std::holds_alternative<resource>(fk)) return {};
      return error(fmt::format("mismatched type shapes for `{}` while merging packages",
                               from_[from].name.value_or("<anonymous>")));
    }
    if (auto* h = std::get_if<handle>(&fk)) {
      // The handle's resource is matched through its own name.
      (void)h;
      return {};
    }
    std::vector<wit::type*> fu, iu;
    type_uses(fk, fu);
    type_uses(ik, iu);
    if (fu.size() != iu.size())
      return error(fmt::format("mismatched type shapes for `{}` while merging packages",
                               from_[from].name.value_or("<anonymous>")));
    for (std::size_t i = 0; i < fu.size(); ++i) WITC_CHECK(match_use(*fu[i], *iu[i]));
    return {};
  }

  wit::type remap(wit::type t) const { return t.is_id() ? wit::type::of(m_.types[t.id().index]) : t; }

  void remap(type_def& t) const {
    std::vector<wit::type*> uses;
    type_uses(t.kind, uses);
    for (auto* u : uses) *u = remap(*u);
    if (auto* h = std::get_if<handle>(&t.kind)) h->resource = m_.types[h->resource.index];
    if (t.owner.kind == type_owner::kind::interface) t.owner.index = m_.interfaces[t.owner.index].index;
    else if (t.owner.kind == type_owner::kind::world) t.owner.index = m_.worlds[t.owner.index].index;
  }

  void remap(function& f) const {
    if (f.kind != function_kind::freestanding && f.kind != function_kind::async_freestanding)
      f.resource = m_.types[f.resource.index];
    for (auto& p : f.params) p.ty = remap(p.ty);
    if (f.result) f.result = remap(*f.result);
  }

  ordered_map<world_key, world_item, world_key_hash> remap(ordered_map<world_key, world_item, world_key_hash> items) const {
    ordered_map<world_key, world_item, world_key_hash> out;
    for (auto& [key, item] : items) {
      world_key k = key;
      if (k.is_interface) k.iface = m_.interfaces[k.iface.index];
      world_item v = std::move(item);
      switch (v.kind) {
        case world_item::kind::interface: v.iface = m_.interfaces[v.iface.index]; break;
        case world_item::kind::function: remap(v.func); break;
        case world_item::kind::type: v.type = m_.types[v.type.index]; break;
      }
      out.insert(std::move(k), std::move(v));
    }
    return out;
  }
};

}  // namespace

result<merge_map> merge(resolve& into, resolve from) {
  merger m(into, from);
  return m.run();
}

}  // namespace witc::wit
