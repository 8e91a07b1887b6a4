// The C++ generator: the world's API header and its ABI glue source.
#include <algorithm>
#include <functional>

#include "gen.hpp"
#include "witc/binary/component_wit.hpp"

namespace witc::bindgen {

namespace detail {
namespace {

using wit::function_kind;

struct func_item {
  const wit::function* f;
  std::optional<wit::interface_id> iface;  // none: a world-level function
  side s;
};

struct type_node {
  wit::type_id id;
  side s;
  friend auto operator<=>(const type_node&, const type_node&) = default;
};

bool is_using_style(const wit::type_def& d) {
  return !std::holds_alternative<wit::record>(d.kind) && !std::holds_alternative<wit::variant>(d.kind) &&
         !std::holds_alternative<wit::enum_>(d.kind) && !std::holds_alternative<wit::flags>(d.kind) &&
         !std::holds_alternative<wit::resource>(d.kind);
}

bool is_named(const wit::type_def& d) { return d.name && d.owner.kind != wit::type_owner::kind::none; }

// Namespaced text blocks; consecutive blocks in one namespace share its braces.
class ns_text {
 public:
  void add(const std::string& ns, std::string text) {
    if (text.empty()) return;
    if (!blocks_.empty() && blocks_.back().first == ns) {
      blocks_.back().second += "\n" + text;
    } else {
      blocks_.emplace_back(ns, std::move(text));
    }
  }
  [[nodiscard]] std::string render() const {
    std::string out;
    for (const auto& [ns, text] : blocks_) {
      out += "\nnamespace " + ns + " {\n\n" + text + "\n}  // namespace " + ns + "\n";
    }
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> blocks_;
};

class writer {
 public:
  writer(world_gen& g, const cpp_options& opts) : g_(g), opts_(opts) {}

  result<std::vector<output_file>> run(wit::world_id world) {
    collect();
    if (!g_.errors.empty()) return fail(g_.errors);
    if (opts_.embed_component_type) {
      WITC_TRY(component_type_, binary::encode_world(g_.r, world));
      section_name_ = binary::world_section_name(g_.r, world);
    }
    for (const auto& n : nodes_) forward_declare(n);
    for (const auto& n : nodes_) define(n);
    g_.prefer_aliases = true;
    for (const auto& fi : funcs_) declare_function(fi);
    for (const auto& n : nodes_) resource_glue(n);
    for (const auto& fi : funcs_) {
      if (fi.s == side::import) import_glue(fi);
      else export_glue(fi);
    }
    if (!g_.errors.empty()) return fail(g_.errors);
    const std::string base = cpp_name(g_.world.name);
    std::vector<output_file> files;
    files.push_back({"witc_guest.hpp", std::string(guest_support_header())});
    files.push_back({base + ".hpp", header(base)});
    files.push_back({base + ".cpp", source(base)});
    return files;
  }

 private:
  // ---- collecting what the world holds --------------------------------------------

  void collect() {
    for (const auto& [key, item] : g_.world.imports) collect_item(item, side::import);
    for (const auto& [key, item] : g_.world.exports) collect_item(item, side::export_);
    for (const auto& fi : funcs_) check_supported(fi);
    // Names that members and parameters take: type names equal to one are qualified.
    for (const auto& fi : funcs_)
      for (const auto& p : fi.f->params) g_.value_names.insert(cpp_name(p.name));
    for (const auto& n : nodes_) {
      const auto& d = g_.r[n.id];
      if (auto* x = std::get_if<wit::record>(&d.kind))
        for (const auto& f : x->fields) g_.value_names.insert(cpp_name(f.name));
      if (d.name) type_names_.insert(cpp_name(*d.name));
      if (auto* a = std::get_if<wit::alias>(&d.kind); a && a->target.is_id() && is_named(d)) {
        const auto target = g_.follow(a->target);
        if (target.is_id()) g_.local_aliases[g_.type_ns(d, n.s)][target.id().index] = cpp_name(*d.name);
        g_.local_aliases[g_.type_ns(d, n.s)][a->target.id().index] = cpp_name(*d.name);
      }
    }
    for (const auto& fi : funcs_) g_.value_names.insert(function_name(*fi.f));
    // Locals of the glue.
    for (const char* local : {"result", "ret", "ret_area", "params", "cleanup", "self", "handle"})
      g_.value_names.insert(local);
  }

  void collect_item(const wit::world_item& item, side s) {
    using k = enum wit::world_item::kind;
    if (item.kind == k::interface) {
      const auto& i = g_.r[item.iface];
      for (const auto& [name, id] : i.types) add_node({id, s});
      for (const auto& [name, f] : i.functions) funcs_.push_back({&f, item.iface, s});
    } else if (item.kind == k::function) {
      funcs_.push_back({&item.func, std::nullopt, s});
    } else {
      add_node({item.type, side::import});
    }
  }

  void add_node(type_node n) {
    if (std::find(nodes_.begin(), nodes_.end(), n) == nodes_.end()) nodes_.push_back(n);
  }

  void check_supported(const func_item& fi) {
    const auto& f = *fi.f;
    const bool async = f.kind == function_kind::async_freestanding || f.kind == function_kind::async_method ||
                       f.kind == function_kind::async_static;
    if (async) {
      g_.errors.push_back(diagnostic::error(
          f.span, fmt::format("function `{}` is async: async functions are not supported yet by `--lang cpp`", f.name)));
      return;
    }
    auto check = [&](wit::type t) {
      if (auto what = g_.unsupported(t))
        g_.errors.push_back(diagnostic::error(
            f.span, fmt::format("function `{}` uses {}: not supported yet by `--lang cpp`", f.name, *what)));
    };
    for (const auto& p : f.params) check(p.ty);
    if (f.result) check(*f.result);
  }

  // ---- names of functions ---------------------------------------------------------

  // The C++ name of a function: the part after `[method]r.` / `[static]r.`.
  static std::string function_name(const wit::function& f) {
    std::string_view n = f.name;
    if (f.kind == function_kind::method || f.kind == function_kind::static_ ||
        f.kind == function_kind::async_method || f.kind == function_kind::async_static) {
      auto dot = n.find('.');
      if (dot != std::string_view::npos) n.remove_prefix(dot + 1);
    }
    std::string name = cpp_name(n);
    static const std::set<std::string> members = {"handle", "into_handle", "from_handle", "create",
                                                  "set_handle", "wit_resource_new", "wit_resource_rep",
                                                  "wit_resource_drop"};
    if (f.kind != function_kind::freestanding && members.count(name)) name += "_";
    return name;
  }

  std::string param_name(const std::string& wit_name) {
    std::string n = cpp_name(wit_name);
    if (type_names_.count(n) || n == "cleanup" || n == "ret_area" || n == "params") n += "_";
    return n;
  }

  std::string ns_of(const func_item& fi) const {
    return fi.iface ? g_.iface_ns(*fi.iface, fi.s) : g_.world_ns(fi.s);
  }

  bool is_member(const wit::function& f) const {
    return f.kind == function_kind::method || f.kind == function_kind::static_ ||
           f.kind == function_kind::constructor;
  }

  // ---- header: types ----------------------------------------------------------------

  void forward_declare(const type_node& n) {
    const auto& d = g_.r[n.id];
    if (!is_named(d)) return;
    const std::string ns = g_.type_ns(d, n.s);
    const std::string name = cpp_name(*d.name);
    std::string text;
    if (std::holds_alternative<wit::record>(d.kind)) text = "struct " + name + ";\n";
    else if (std::holds_alternative<wit::variant>(d.kind) || std::holds_alternative<wit::resource>(d.kind))
      text = "class " + name + ";\n";
    else if (std::holds_alternative<wit::enum_>(d.kind) || std::holds_alternative<wit::flags>(d.kind))
      text = fmt::format("enum class {} : std::uint{}_t;\n", name, 8 * canon::elem_size(*g_.canon_of(wit::type::of(n.id))));
    forward_.add(ns, text);
  }

  // Named types `t`'s definition needs before it; `complete`: needs them defined.
  void deps(wit::type t, side s, bool complete, std::vector<type_node>& out, int depth = 0) {
    if (!t.is_id() || depth > 100) return;
    const auto& d = g_.r[t.id()];
    if (is_named(d)) {
      const side ds = g_.owner_side(d, s);
      if (complete || is_using_style(d)) out.push_back({t.id(), ds});
      if (!is_using_style(d)) return;
    }
    auto sub = [&](wit::type u) { deps(u, s, complete, out, depth + 1); };
    auto osub = [&](const std::optional<wit::type>& u) { if (u) sub(*u); };
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, wit::record>) for (const auto& f : x.fields) sub(f.ty);
      else if constexpr (std::is_same_v<T, wit::variant>) for (const auto& c : x.cases) osub(c.ty);
      else if constexpr (std::is_same_v<T, wit::tuple>) for (const auto& u : x.types) sub(u);
      else if constexpr (std::is_same_v<T, wit::option>) sub(x.inner);
      else if constexpr (std::is_same_v<T, wit::result_>) { osub(x.ok); osub(x.err); }
      else if constexpr (std::is_same_v<T, wit::list>) sub(x.element);
      else if constexpr (std::is_same_v<T, wit::fixed_list>) sub(x.element);
      else if constexpr (std::is_same_v<T, wit::map>) { sub(x.key); sub(x.value); }
      else if constexpr (std::is_same_v<T, wit::alias>) sub(x.target);
      else if constexpr (std::is_same_v<T, wit::handle>) {
        if (complete) sub(wit::type::of(x.resource));
      }
    }, d.kind);
  }

  void define(const type_node& n) {
    if (defined_.count(n) || defining_.count(n)) return;
    const auto& d = g_.r[n.id];
    if (!is_named(d)) return;
    defining_.insert(n);
    std::vector<type_node> before;
    if (std::holds_alternative<wit::resource>(d.kind)) {
      for (const auto& fi : funcs_)
        if (is_member(*fi.f) && g_.resolve_alias(fi.f->resource) == n.id && fi.s == n.s) {
          for (const auto& p : fi.f->params) deps(p.ty, n.s, false, before);
          if (fi.f->result) deps(*fi.f->result, n.s, false, before);
        }
    } else {
      const bool complete = !is_using_style(d);
      std::visit([&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, wit::record>) for (const auto& f : x.fields) deps(f.ty, n.s, complete, before);
        else if constexpr (std::is_same_v<T, wit::variant>) {
          for (const auto& c : x.cases) if (c.ty) deps(*c.ty, n.s, complete, before);
        }
      }, d.kind);
      if (is_using_style(d)) {
        // Look through the top node: its own structure is what `using` names.
        std::visit([&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, wit::tuple>) for (const auto& u : x.types) deps(u, n.s, false, before);
          else if constexpr (std::is_same_v<T, wit::option>) deps(x.inner, n.s, false, before);
          else if constexpr (std::is_same_v<T, wit::result_>) {
            if (x.ok) deps(*x.ok, n.s, false, before);
            if (x.err) deps(*x.err, n.s, false, before);
          } else if constexpr (std::is_same_v<T, wit::list>) deps(x.element, n.s, false, before);
          else if constexpr (std::is_same_v<T, wit::fixed_list>) deps(x.element, n.s, false, before);
          else if constexpr (std::is_same_v<T, wit::map>) { deps(x.key, n.s, false, before); deps(x.value, n.s, false, before); }
          else if constexpr (std::is_same_v<T, wit::alias>) deps(x.target, n.s, false, before);
        }, d.kind);
      }
    }
    for (const auto& b : before)
      if (!(b == n)) define(b);
    defining_.erase(n);
    defined_.insert(n);

    const std::string ns = g_.type_ns(d, n.s);
    g_.current_ns = ns;
    const std::string name = cpp_name(*d.name);
    std::string text = comment_docs(d.docs, "");
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, wit::record>) text += record_text(name, x, n);
      else if constexpr (std::is_same_v<T, wit::variant>) text += variant_text(name, x, n);
      else if constexpr (std::is_same_v<T, wit::enum_>) text += enum_text(name, x, n);
      else if constexpr (std::is_same_v<T, wit::flags>) text += flags_text(name, x, n);
      else if constexpr (std::is_same_v<T, wit::resource>) text += resource_text(name, n);
      else if constexpr (std::is_same_v<T, wit::alias>) text += "using " + name + " = " + g_.value_type(x.target, n.s) + ";\n";
      else {
        text += "using " + name + " = " + structure_type(n) + ";\n";
      }
    }, d.kind);
    types_.add(ns, text);
  }

  // The C++ spelling of a named type's own structure (as if it were anonymous).
  std::string structure_type(const type_node& n) {
    const auto& d = g_.r[n.id];
    auto vt = [&](wit::type t) { return g_.value_type(t, n.s); };
    auto ovt = [&](const std::optional<wit::type>& t) { return t ? vt(*t) : std::string("void"); };
    return std::visit([&](const auto& x) -> std::string {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, wit::tuple>) {
        std::string out = "std::tuple<";
        for (std::size_t i = 0; i < x.types.size(); ++i) out += (i ? ", " : "") + vt(x.types[i]);
        return out + ">";
      } else if constexpr (std::is_same_v<T, wit::option>) return "std::optional<" + vt(x.inner) + ">";
      else if constexpr (std::is_same_v<T, wit::result_>) return "wit::expected<" + ovt(x.ok) + ", " + ovt(x.err) + ">";
      else if constexpr (std::is_same_v<T, wit::list>) return "wit::vector<" + vt(x.element) + ">";
      else if constexpr (std::is_same_v<T, wit::fixed_list>) return fmt::format("std::array<{}, {}>", vt(x.element), x.size);
      else if constexpr (std::is_same_v<T, wit::map>) return "wit::vector<std::pair<" + vt(x.key) + ", " + vt(x.value) + ">>";
      else if constexpr (std::is_same_v<T, wit::handle>) {
        const std::string r = g_.named_type(g_.resolve_alias(x.resource), n.s);
        if (x.borrow) return "wit::borrow<" + r + ">";
        return g_.resource_is_exported(x.resource, n.s) ? "wit::own<" + r + ">" : r;
      } else return "std::int32_t";  // future / stream: refused where used
    }, d.kind);
  }

  std::string record_text(const std::string& name, const wit::record& x, const type_node& n) {
    std::string out = "struct " + name + " {\n";
    for (const auto& f : x.fields) {
      out += comment_docs(f.docs, "  ");
      out += "  " + g_.value_type(f.ty, n.s) + " " + cpp_name(f.name) + ";\n";
    }
    if (!g_.contains_handle(wit::type::of(n.id)))
      out += "\n  friend bool operator==(const " + name + "&, const " + name + "&) = default;\n";
    return out + "};\n";
  }

  std::string variant_text(const std::string& name, const wit::variant& x, const type_node& n) {
    std::string tags, factories, accessors, alts;
    for (std::size_t i = 0; i < x.cases.size(); ++i) {
      const auto& c = x.cases[i];
      const std::string cn = cpp_name(c.name);
      const std::string fn = cn == "tag" || cn == "kind" ? cn + "_" : cn;
      tags += (i ? ", " : "") + cn;
      factories += comment_docs(c.docs, "  ");
      if (c.ty) {
        const std::string ty = g_.value_type(*c.ty, n.s);
        alts += (i ? ", " : "") + ty;
        factories += fmt::format("  static {0} {1}({2} value) {{ return {0}(std::in_place_index<{3}>, std::move(value)); }}\n",
                                 name, fn, ty, i);
        accessors += fmt::format("  [[nodiscard]] bool is_{0}() const noexcept {{ return v_.index() == {1}; }}\n", cn, i);
        accessors += fmt::format("  {0}& as_{1}() {{ return checked(std::get_if<{2}>(&v_)); }}\n", ty, cn, i);
        accessors += fmt::format("  const {0}& as_{1}() const {{ return checked(std::get_if<{2}>(&v_)); }}\n", ty, cn, i);
      } else {
        alts += std::string(i ? ", " : "") + "std::monostate";
        factories += fmt::format("  static {0} {1}() {{ return {0}(std::in_place_index<{2}>); }}\n", name, fn, i);
        accessors += fmt::format("  [[nodiscard]] bool is_{0}() const noexcept {{ return v_.index() == {1}; }}\n", cn, i);
      }
    }
    const auto disc = canon::discriminant_size(x.cases.size());
    std::string out = "class " + name + " {\n public:\n";
    out += fmt::format("  enum class tag : std::uint{}_t {{ {} }};\n\n", 8 * disc, tags);
    out += factories + "\n";
    out += "  [[nodiscard]] tag kind() const noexcept { return static_cast<tag>(v_.index()); }\n";
    out += accessors;
    if (!g_.contains_handle(wit::type::of(n.id)))
      out += "\n  friend bool operator==(const " + name + "&, const " + name + "&) = default;\n";
    out += "\n private:\n";
    out += "  template <std::size_t I, class... A>\n";
    out += "  explicit " + name + "(std::in_place_index_t<I> i, A&&... a) : v_(i, std::forward<A>(a)...) {}\n";
    out += "  template <class T>\n";
    out += "  static T& checked(T* p) { if (!p) wit::trap(); return *p; }\n";
    out += "  std::variant<" + alts + "> v_;\n";
    return out + "};\n";
  }

  std::string enum_text(const std::string& name, const wit::enum_& x, const type_node& n) {
    std::string out = fmt::format("enum class {} : std::uint{}_t {{\n", name,
                                  8 * canon::elem_size(*g_.canon_of(wit::type::of(n.id))));
    for (const auto& c : x.cases) out += comment_docs(c.docs, "  ") + "  " + cpp_name(c.name) + ",\n";
    return out + "};\n";
  }

  std::string flags_text(const std::string& name, const wit::flags& x, const type_node& n) {
    const auto bits = 8 * canon::elem_size(*g_.canon_of(wit::type::of(n.id)));
    const std::string u = fmt::format("std::uint{}_t", bits);
    std::string out = fmt::format("enum class {} : {} {{\n", name, u);
    for (std::size_t i = 0; i < x.flags.size(); ++i)
      out += comment_docs(x.flags[i].docs, "  ") + fmt::format("  {} = {}{{1}} << {},\n", cpp_name(x.flags[i].name), u, i);
    out += "};\n";
    const std::uint64_t all = x.flags.size() >= 64 ? ~0ull : (1ull << x.flags.size()) - 1;
    out += fmt::format("constexpr {0} operator|({0} a, {0} b) noexcept {{ return {0}({1}(a) | {1}(b)); }}\n", name, u);
    out += fmt::format("constexpr {0} operator&({0} a, {0} b) noexcept {{ return {0}({1}(a) & {1}(b)); }}\n", name, u);
    out += fmt::format("constexpr {0} operator^({0} a, {0} b) noexcept {{ return {0}({1}(a) ^ {1}(b)); }}\n", name, u);
    out += fmt::format("constexpr {0} operator~({0} a) noexcept {{ return {0}(~{1}(a) & {1}({2:#x})); }}\n", name, u, all);
    out += fmt::format("constexpr {0}& operator|=({0}& a, {0} b) noexcept {{ return a = a | b; }}\n", name);
    out += fmt::format("constexpr {0}& operator&=({0}& a, {0} b) noexcept {{ return a = a & b; }}\n", name);
    out += fmt::format("constexpr {0}& operator^=({0}& a, {0} b) noexcept {{ return a = a ^ b; }}\n", name);
    out += fmt::format("/// Whether `set` has every flag of `flags`.\n"
                       "constexpr bool has({0} set, {0} flags) noexcept {{ return (set & flags) == flags; }}\n", name);
    return out;
  }

  std::string signature_params(const wit::function& f, side s, bool skip_self) {
    std::string out;
    bool first = true;
    for (std::size_t i = skip_self ? 1 : 0; i < f.params.size(); ++i) {
      out += (first ? "" : ", ") + g_.param_type(f.params[i].ty, s) + " " + param_name(f.params[i].name);
      first = false;
    }
    return out;
  }

  std::string result_type(const wit::function& f, side s) {
    return f.result ? g_.value_type(*f.result, s) : std::string("void");
  }

  std::string resource_text(const std::string& name, const type_node& n) {
    std::vector<const wit::function*> members;
    for (const auto& fi : funcs_)
      if (is_member(*fi.f) && g_.resolve_alias(fi.f->resource) == n.id && fi.s == n.s) members.push_back(fi.f);
    std::string out;
    if (g_.resource_is_exported(n.id, n.s)) {
      out += "class " + name + " : public wit::exported_resource {\n public:\n";
      for (const auto* f : members) {
        out += comment_docs(f->docs, "  ");
        if (f->kind == function_kind::constructor) {
          out += "  /// The WIT constructor: define it to make your implementation, e.g.\n";
          out += "  /// `return wit::own<" + name + ">::make<my_" + name + ">(...);`\n";
          out += "  static wit::own<" + name + "> create(" + signature_params(*f, n.s, false) + ");\n";
        } else if (f->kind == function_kind::static_) {
          out += "  static " + result_type(*f, n.s) + " " + function_name(*f) + "(" + signature_params(*f, n.s, false) + ");\n";
        } else {
          out += "  virtual " + result_type(*f, n.s) + " " + function_name(*f) + "(" + signature_params(*f, n.s, true) + ") = 0;\n";
        }
      }
      out += "\n  // The handle bookkeeping the glue does for you.\n";
      out += "  static std::int32_t wit_resource_new(" + name + "* self);\n";
      out += "  static " + name + "* wit_resource_rep(std::int32_t handle);\n";
      out += "  static void wit_resource_drop(std::int32_t handle);\n";
      return out + "};\n";
    }
    bool nullary_ctor = false;
    std::string methods;
    for (const auto* f : members) {
      methods += comment_docs(f->docs, "  ");
      if (f->kind == function_kind::constructor) {
        nullary_ctor = f->params.empty();
        methods += "  " + std::string(f->params.size() == 1 ? "explicit " : "") + name + "(" +
                   signature_params(*f, n.s, false) + ");\n";
      } else if (f->kind == function_kind::static_) {
        methods += "  static " + result_type(*f, n.s) + " " + function_name(*f) + "(" + signature_params(*f, n.s, false) + ");\n";
      } else {
        methods += "  " + result_type(*f, n.s) + " " + function_name(*f) + "(" + signature_params(*f, n.s, true) + ") const;\n";
      }
    }
    out += "class " + name + " {\n public:\n";
    if (!nullary_ctor) out += "  /// An empty handle.\n  " + name + "() noexcept = default;\n";
    out += "  /// Wraps a handle this object does not own (a `borrow`).\n";
    out += "  " + name + "(wit::borrowed_t, std::int32_t handle) noexcept : handle_(handle), owned_(false) {}\n";
    out += "  /// Takes ownership of a handle.\n";
    out += "  static " + name + " from_handle(std::int32_t handle) noexcept { return " + name + "(adopt{}, handle); }\n";
    out += "  " + name + "(" + name + "&& other) noexcept\n";
    out += "      : handle_(std::exchange(other.handle_, -1)), owned_(other.owned_) {}\n";
    out += "  " + name + "& operator=(" + name + "&& other) noexcept {\n";
    out += "    " + name + " old(std::move(*this));\n";
    out += "    handle_ = std::exchange(other.handle_, -1);\n";
    out += "    owned_ = other.owned_;\n";
    out += "    return *this;\n";
    out += "  }\n";
    out += "  ~" + name + "();\n\n";
    out += "  [[nodiscard]] std::int32_t handle() const noexcept { return handle_; }\n";
    out += "  /// Gives up ownership of the handle.\n";
    out += "  std::int32_t into_handle() && noexcept { return std::exchange(handle_, -1); }\n";
    if (!methods.empty()) out += "\n" + methods;
    out += "\n private:\n";
    out += "  struct adopt {};\n";
    out += "  " + name + "(adopt, std::int32_t handle) noexcept : handle_(handle) {}\n";
    out += "  std::int32_t handle_ = -1;\n";
    out += "  bool owned_ = true;\n";
    return out + "};\n";
  }

  void declare_function(const func_item& fi) {
    if (is_member(*fi.f)) return;
    const std::string ns = ns_of(fi);
    g_.current_ns = ns;
    std::string text = comment_docs(fi.f->docs, "");
    text += result_type(*fi.f, fi.s) + " " + function_name(*fi.f) + "(" + signature_params(*fi.f, fi.s, false) + ");\n";
    (fi.s == side::import ? imports_ : exports_).add(ns, text);
  }

  // ---- source: glue -----------------------------------------------------------------

  static std::string core_params(const std::vector<canon::core_type>& ts, bool named) {
    std::string out;
    for (std::size_t i = 0; i < ts.size(); ++i)
      out += (i ? ", " : "") + std::string(core_cpp(ts[i])) + (named ? fmt::format(" arg{}", i) : "");
    return out;
  }

  static std::string core_result(const std::vector<canon::core_type>& ts) {
    return ts.empty() ? "void" : std::string(core_cpp(ts[0]));
  }

  std::string symbol(std::string_view prefix, const std::string& module, const std::string& name) {
    // No `__` anywhere: such names are reserved for the implementation.
    std::string s = "witc_" + std::string(prefix);
    for (const auto& part : {world_gen::c_ident(module), world_gen::c_ident(name)})
      if (!part.empty()) s += "_" + part;
    const std::string stem = s;
    for (int n = 2; symbols_.count(s); ++n) s = fmt::format("{}_{}", stem, n);
    symbols_.insert(s);
    return s;
  }

  void resource_glue(const type_node& n) {
    const auto& d = g_.r[n.id];
    if (!is_named(d) || !std::holds_alternative<wit::resource>(d.kind)) return;
    if (d.owner.kind != wit::type_owner::kind::interface) return;
    const wit::interface_id iface{d.owner.index};
    const std::string module = g_.module_name(iface);
    const std::string ns = g_.type_ns(d, n.s);
    g_.current_ns = ns;
    const std::string cls = cpp_name(*d.name);
    const std::string& rname = *d.name;
    std::string out;
    if (g_.resource_is_exported(n.id, n.s)) {
      const auto mk = symbol("resource_new", module, rname), rep = symbol("resource_rep", module, rname),
                 drop = symbol("resource_drop", module, rname), dtor = symbol("dtor", module, rname);
      out += fmt::format("// Exported resource `{}` of `{}`.\n", rname, module);
      out += fmt::format("extern \"C\" __attribute__((import_module(\"[export]{0}\"), import_name(\"[resource-new]{1}\")))\n"
                         "std::int32_t {2}(std::int32_t rep);\n", module, rname, mk);
      out += fmt::format("extern \"C\" __attribute__((import_module(\"[export]{0}\"), import_name(\"[resource-rep]{1}\")))\n"
                         "std::int32_t {2}(std::int32_t handle);\n", module, rname, rep);
      out += fmt::format("extern \"C\" __attribute__((import_module(\"[export]{0}\"), import_name(\"[resource-drop]{1}\")))\n"
                         "void {2}(std::int32_t handle);\n", module, rname, drop);
      out += fmt::format("std::int32_t {0}::wit_resource_new({0}* self) {{ return {1}(wit::detail::to_i32(self)); }}\n", cls, mk);
      out += fmt::format("{0}* {0}::wit_resource_rep(std::int32_t handle) {{ return wit::detail::from_i32<{0}>({1}(handle)); }}\n", cls, rep);
      out += fmt::format("void {0}::wit_resource_drop(std::int32_t handle) {{ {1}(handle); }}\n", cls, drop);
      out += fmt::format("extern \"C\" __attribute__((export_name(\"{0}#[dtor]{1}\")))\n"
                         "void {2}(std::int32_t rep) {{ delete wit::detail::from_i32<{3}>(rep); }}\n",
                         module, rname, dtor, cls);
    } else {
      const auto drop = symbol("resource_drop", module, rname);
      out += fmt::format("// Imported resource `{}` of `{}`.\n", rname, module);
      out += fmt::format("extern \"C\" __attribute__((import_module(\"{0}\"), import_name(\"[resource-drop]{1}\")))\n"
                         "void {2}(std::int32_t handle);\n", module, rname, drop);
      out += fmt::format("{0}::~{0}() {{\n  if (owned_ && handle_ != -1) {1}(handle_);\n}}\n", cls, drop);
    }
    glue_.add(ns, out);
  }

  void import_glue(const func_item& fi) {
    const auto& f = *fi.f;
    auto ft_r = g_.types.get(f);
    if (!ft_r) {
      for (auto& d : ft_r.error()) g_.errors.push_back(d);
      return;
    }
    const auto core = canon::flatten_functype({}, *ft_r, canon::flatten_context::lower);
    const auto all_flat = canon::flatten_types(ft_r->params);
    const std::string module = g_.module_name(fi.iface);
    const std::string sym = symbol("import", module, f.name);
    const std::string ns = ns_of(fi);
    g_.current_ns = ns;
    std::string out = fmt::format("extern \"C\" __attribute__((import_module(\"{}\"), import_name(\"{}\")))\n{} {}({});\n",
                                  module, f.name, core_result(core.results), sym, core_params(core.params, false));

    const bool member = is_member(f);
    const bool method = f.kind == function_kind::method;
    std::string cls;
    if (member) cls = cpp_name(*g_.r[g_.resolve_alias(f.resource)].name);
    std::string head;
    if (f.kind == function_kind::constructor) {
      head = fmt::format("{0}::{0}({1})", cls, signature_params(f, fi.s, false));
    } else {
      head = fmt::format("{} {}{}({}){}", result_type(f, fi.s), member ? cls + "::" : "", function_name(f),
                         signature_params(f, fi.s, method), method ? " const" : "");
    }
    abi_emitter em(g_, fi.s);
    std::string body;
    std::vector<std::string> args;
    auto param_expr = [&](std::size_t i) {
      return (method && i == 0) ? std::string("(*this)") : param_name(f.params[i].name);
    };
    if (all_flat.size() > canon::max_flat_params) {
      const auto tuple = canon::tuple(ft_r->params);
      const auto offs = canon::field_offsets(*tuple);
      body += fmt::format("  alignas({}) std::uint8_t params[{}];\n", canon::alignment(*tuple), canon::elem_size(*tuple));
      for (std::size_t i = 0; i < f.params.size(); ++i)
        em.store(param_expr(i), f.params[i].ty, "params", offs[i], lower_mode::borrow, body);
      args.push_back("wit::detail::to_i32(params)");
    } else {
      std::vector<flat> flats;
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        if (method && i == 0) flats.push_back({"handle_", canon::core_type::i32});
        else em.lower_flat(param_expr(i), f.params[i].ty, lower_mode::borrow, body, flats);
      }
      for (auto& fl : flats) args.push_back(fl.expr);
    }
    const bool spilled = core.results.empty() && !ft_r->results.empty();
    std::string call_args;
    if (spilled) {
      const auto& rt = *ft_r->results[0];
      body += fmt::format("  alignas({}) std::uint8_t ret_area[{}];\n", canon::alignment(rt), canon::elem_size(rt));
      args.push_back("wit::detail::to_i32(ret_area)");
    }
    for (std::size_t i = 0; i < args.size(); ++i) call_args += (i ? ", " : "") + args[i];
    const std::string call = sym + "(" + call_args + ")";
    if (f.kind == function_kind::constructor) {
      body += "  handle_ = " + call + ";\n";
    } else if (!f.result) {
      body += "  " + call + ";\n";
    } else if (spilled) {
      body += "  " + call + ";\n";
      const auto v = em.load("ret_area", 0, *f.result, body);
      body += "  return " + returned(v) + ";\n";
    } else {
      body += "  " + std::string(core_cpp(core.results[0])) + " ret = " + call + ";\n";
      std::size_t pos = 0;
      const auto v = em.lift_flat({{"ret", core.results[0]}}, pos, *f.result, body);
      body += "  return " + returned(v) + ";\n";
    }
    if (em.used_cleanup) body = "  wit::detail::cleanup cleanup;\n" + body;
    out += head + " {\n" + body + "}\n";
    glue_.add(ns, out);
  }

  // `return std::move(local);` defeats copy elision: return the local itself.
  static std::string returned(const std::string& v) {
    if (v.starts_with("std::move(") && v.ends_with(")")) {
      const auto inner = v.substr(10, v.size() - 11);
      if (std::all_of(inner.begin(), inner.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
        return inner;
    }
    return v;
  }

  void export_glue(const func_item& fi) {
    const auto& f = *fi.f;
    auto ft_r = g_.types.get(f);
    if (!ft_r) {
      for (auto& d : ft_r.error()) g_.errors.push_back(d);
      return;
    }
    const auto core = canon::flatten_functype({}, *ft_r, canon::flatten_context::lift);
    const std::string module = fi.iface ? g_.module_name(fi.iface) : "";
    const std::string export_name = fi.iface ? module + "#" + f.name : f.name;
    const std::string sym = symbol("export", module, f.name);
    const std::string ns = ns_of(fi);
    g_.current_ns = ns;
    abi_emitter em(g_, fi.s);
    std::string body;
    // Lift the arguments into owning locals.
    std::vector<std::string> locals;
    if (core.params.size() == 1 && canon::flatten_types(ft_r->params).size() > canon::max_flat_params) {
      const auto tuple = canon::tuple(ft_r->params);
      const auto offs = canon::field_offsets(*tuple);
      body += "  auto* params = wit::detail::from_i32(arg0);\n";
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        const auto v = em.load("params", offs[i], f.params[i].ty, body);
        locals.push_back(fmt::format("p{}", i));
        body += fmt::format("  auto {} = {};\n", locals.back(), v);
      }
      body += fmt::format("  wit::detail::dealloc(params, {});\n", canon::elem_size(*tuple));
    } else {
      std::vector<flat> in;
      for (std::size_t i = 0; i < core.params.size(); ++i) in.push_back({fmt::format("arg{}", i), core.params[i]});
      std::size_t pos = 0;
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        const auto v = em.lift_flat(in, pos, f.params[i].ty, body);
        locals.push_back(fmt::format("p{}", i));
        body += fmt::format("  auto {} = {};\n", locals.back(), v);
      }
    }
    auto arg = [&](std::size_t i) {
      const auto t = g_.follow(f.params[i].ty);
      if (!t.is_id() && t.prim() == wit::primitive::string) return locals[i];
      if (t.is_id())
        if (auto* l = std::get_if<wit::list>(&g_.def_of(t)->kind); l && !g_.contains_own(l->element))
          return locals[i] + ".span()";
      if (!t.is_id() || std::holds_alternative<wit::enum_>(g_.def_of(t)->kind) ||
          std::holds_alternative<wit::flags>(g_.def_of(t)->kind))
        return locals[i];
      return "std::move(" + locals[i] + ")";
    };
    std::string call_args;
    const bool method = f.kind == function_kind::method;
    for (std::size_t i = method ? 1 : 0; i < f.params.size(); ++i)
      call_args += (call_args.empty() ? "" : ", ") + arg(i);
    std::string callee;
    if (f.kind == function_kind::freestanding) {
      callee = function_name(f);
    } else {
      const auto& rd = g_.r[g_.resolve_alias(f.resource)];
      const std::string cls = cpp_name(*rd.name);
      if (method) callee = locals[0] + "->" + function_name(f);
      else if (f.kind == function_kind::constructor) callee = cls + "::create";
      else callee = cls + "::" + function_name(f);
    }
    const std::string call = callee + "(" + call_args + ")";
    const bool spilled = !ft_r->results.empty() && canon::flatten_types(ft_r->results).size() > canon::max_flat_results;
    if (!f.result) {
      body += "  " + call + ";\n";
    } else if (spilled) {
      const auto& rt = *ft_r->results[0];
      body += "  auto result = " + call + ";\n";
      body += fmt::format("  alignas({}) static std::uint8_t ret_area[{}];\n", canon::alignment(rt), canon::elem_size(rt));
      em.store("result", *f.result, "ret_area", 0, lower_mode::transfer, body);
      body += "  return wit::detail::to_i32(ret_area);\n";
    } else {
      body += "  auto result = " + call + ";\n";
      std::vector<flat> out;
      em.lower_flat("result", *f.result, lower_mode::transfer, body, out);
      body += "  return " + out[0].expr + ";\n";
    }
    std::string out = fmt::format("extern \"C\" __attribute__((export_name(\"{}\")))\n{} {}({}) {{\n{}}}\n", export_name,
                                  core_result(core.results), sym, core_params(core.params, true), body);
    if (spilled && g_.owns_memory(*f.result)) {
      std::string post;
      post += "  auto* ret_area = wit::detail::from_i32(ret);\n";
      em.free_stored("ret_area", 0, *f.result, post);
      out += fmt::format("\nextern \"C\" __attribute__((export_name(\"cabi_post_{}\")))\nvoid {}(std::int32_t ret) {{\n{}}}\n",
                         export_name, symbol("post", module, f.name), post);
    }
    glue_.add(ns, out);
  }

  // ---- files ------------------------------------------------------------------------

  std::string world_label() const {
    if (g_.world.package) return g_.r[*g_.world.package].name.to_string() + "/" + g_.world.name;
    return g_.world.name;
  }

  std::string header(const std::string&) {
    std::string body = forward_.render();
    body += types_.render();
    const std::string imports = imports_.render();
    if (!imports.empty()) body += "\n// ---- imports: call these -------------------------------------------------\n" + imports;
    const std::string exports = exports_.render();
    if (!exports.empty()) body += "\n// ---- exports: define these -----------------------------------------------\n" + exports;

    std::string out = fmt::format("// Generated by `witc bindgen --lang cpp` for world `{}`. Do not edit.\n", world_label());
    // The world's own docs, as a plain comment: a `///` here would document the #include.
    std::string docs = comment_docs(g_.world.docs, "");
    for (std::size_t at = 0; (at = docs.find("///", at)) != std::string::npos;) docs.erase(at++, 1);
    out += docs;
    out += "#pragma once\n\n";
    // Only the standard headers the declarations use (witc_guest.hpp brings the rest).
    static constexpr std::pair<std::string_view, std::string_view> std_headers[] = {
        {"std::array<", "array"},     {"std::int", "cstdint"},        {"std::optional<", "optional"},
        {"std::span<", "span"},       {"std::string_view", "string_view"}, {"std::tuple<", "tuple"},
        {"std::move(", "utility"},    {"std::exchange(", "utility"}, {"std::in_place_index", "utility"},
        {"std::variant<", "variant"},
    };
    std::set<std::string_view> used;
    for (const auto& [needle, header] : std_headers)
      if (body.find(needle) != std::string::npos || (header == "cstdint" && body.find("std::uint") != std::string::npos))
        used.insert(header);
    for (const auto& h : used) out += fmt::format("#include <{}>\n", h);
    out += (used.empty() ? "" : "\n") + std::string("#include \"witc_guest.hpp\"\n");
    return out + body;
  }

  std::string source(const std::string& base) {
    std::string out = fmt::format("// Generated by `witc bindgen --lang cpp` for world `{}`. Do not edit.\n", world_label());
    out += "// The canonical ABI glue between the component model and the C++ API in `" + base + ".hpp`.\n";
    out += "#include <cstdlib>\n#include <new>\n\n#include \"" + base + ".hpp\"\n\n";
    out += "static_assert(sizeof(void*) == 4, \"these bindings are for wasm32\");\n\n";
    out += "extern \"C\" __attribute__((weak, export_name(\"cabi_realloc\")))\n"
           "void* cabi_realloc(void* ptr, std::size_t old_size, std::size_t align, std::size_t new_size) {\n"
           "  if (old_size == 0) ptr = nullptr;  // zero-sized blocks were never allocated\n"
           "  if (new_size == 0) {\n"
           "    std::free(ptr);\n"
           "    return reinterpret_cast<void*>(align);\n"
           "  }\n"
           "  void* ret = std::realloc(ptr, new_size);\n"
           "  if (!ret) wit::trap();\n"
           "  return ret;\n"
           "}\n";
    // libc++abi reports pure virtual calls and failed allocations by printing to
    // stderr, which would import WASI into every component: trap instead.
    out += "\n// Without these, libc++abi's error paths print to stderr and import WASI.\n"
           "extern \"C\" __attribute__((weak)) void __cxa_pure_virtual() { wit::trap(); }\n"
           "extern \"C\" __attribute__((weak, noreturn)) void abort_message(const char*, ...) { wit::trap(); }\n"
           "#ifdef _LIBCPP_VERSION\n"
           "_LIBCPP_BEGIN_NAMESPACE_STD  // and so do libc++'s checks (`std::get`, `std::vector` growth)\n"
           "__attribute__((weak)) void __libcpp_verbose_abort(const char*, ...) WITC_LIBCPP_ABORT_NOEXCEPT { wit::trap(); }\n"
           "_LIBCPP_END_NAMESPACE_STD\n"
           "#endif\n";
    if (!component_type_.empty()) {
      // A custom section, not data: clang turns `section` attributes into data
      // segments on wasm, while `.custom_section.` assembler sections become custom
      // sections that wasm-ld keeps.
      out += "\n// The world's type, which `witc component new` reads from the built module.\n";
      out += fmt::format("__asm__(\".section \\\".custom_section.{}\\\",\\\"\\\",@\\n\"\n", section_name_);
      for (std::size_t i = 0; i < component_type_.size(); i += 32) {
        out += "        \".ascii \\\"";
        for (std::size_t j = i; j < std::min(i + 32, component_type_.size()); ++j)
          out += fmt::format("\\\\x{:02x}", static_cast<unsigned>(component_type_[j]));
        out += "\\\"\\n\"\n";
      }
      out += "        \".text\\n\");\n";
    }
    out += glue_.render();
    return out;
  }

  world_gen& g_;
  const cpp_options& opts_;
  std::vector<func_item> funcs_;
  std::vector<type_node> nodes_;
  std::set<type_node> defined_, defining_;
  std::set<std::string> type_names_, symbols_;
  ns_text forward_, types_, imports_, exports_, glue_;
  std::vector<std::uint8_t> component_type_;
  std::string section_name_;
};

}  // namespace
}  // namespace detail

result<std::vector<output_file>> generate_cpp(const wit::resolve& r, wit::world_id world, const cpp_options& opts) {
  if (world.index >= r.worlds.size()) return fail(diagnostic::global("world id is out of range"));
  detail::world_gen g(r, world);
  detail::writer w(g, opts);
  return w.run(world);
}

}  // namespace witc::bindgen
