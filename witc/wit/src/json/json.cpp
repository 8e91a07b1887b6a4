// The graph as JSON, in the shape serde gives wit-parser's `Resolve`, printed the way
// serde_json's pretty printer does (two spaces, `"key": value`, `{}` / `[]` when empty).
#include "witc/wit/json.hpp"

#include <fmt/format.h>

#include <vector>

namespace witc::wit {
namespace {

class writer {
 public:
  std::string out;

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    element();
    string_raw(k);
    out += ": ";
    after_key_ = true;
  }
  void string(std::string_view s) {
    element();
    string_raw(s);
  }
  void number(std::uint64_t n) {
    element();
    out += std::to_string(n);
  }
  void null() {
    element();
    out += "null";
  }

 private:
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;

  void indent() { out.append(has_items_.size() * 2, ' '); }
  // Separator and indentation before a value or key inside a container.
  void element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (has_items_.empty()) return;
    out += has_items_.back() ? ",\n" : "\n";
    has_items_.back() = true;
    indent();
  }
  void open(char c) {
    element();
    out += c;
    has_items_.push_back(false);
  }
  void close(char c) {
    bool any = has_items_.back();
    has_items_.pop_back();
    if (any) {
      out += '\n';
      indent();
    }
    out += c;
  }
  void string_raw(std::string_view s) {
    out += '"';
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) out += fmt::format("\\u{:04x}", c);
          else out += ch;
      }
    }
    out += '"';
  }
};

const char* prim_name(primitive p) {
  switch (p) {
    case primitive::bool_: return "bool";
    case primitive::u8: return "u8";
    case primitive::u16: return "u16";
    case primitive::u32: return "u32";
    case primitive::u64: return "u64";
    case primitive::s8: return "s8";
    case primitive::s16: return "s16";
    case primitive::s32: return "s32";
    case primitive::s64: return "s64";
    case primitive::f32: return "f32";
    case primitive::f64: return "f64";
    case primitive::char_: return "char";
    case primitive::string: return "string";
    case primitive::error_context: return "error-context";
  }
  return "bool";
}

void write_type(writer& w, const type& t) {
  if (t.is_id()) w.number(t.id().index);
  else w.string(prim_name(t.prim()));
}
void write_opt_type(writer& w, const std::optional<type>& t) {
  if (t) write_type(w, *t);
  else w.null();
}

void write_docs(writer& w, const docs& d) {
  if (!d.contents) return;
  w.key("docs");
  w.begin_object();
  w.key("contents");
  w.string(*d.contents);
  w.end_object();
}

void write_stability(writer& w, const stability& s) {
  if (s.kind == stability::kind::unknown) return;
  w.key("stability");
  w.begin_object();
  if (s.kind == stability::kind::stable) {
    w.key("stable");
    w.begin_object();
    w.key("since");
    w.string(s.since());
  } else {
    w.key("unstable");
    w.begin_object();
    w.key("feature");
    w.string(s.feature());
  }
  if (s.deprecated()) {
    w.key("deprecated");
    w.string(*s.deprecated());
  }
  w.end_object();
  w.end_object();
}

void write_external_id(writer& w, const opt_string& id) {
  if (!id) return;
  w.key("external_id");
  w.string(*id);
}

void write_kind(writer& w, const type_def_kind& k) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, resource>) {
          w.string("resource");
        } else if constexpr (std::is_same_v<T, unknown>) {
          w.string("unknown");
        } else {
          w.begin_object();
          if constexpr (std::is_same_v<T, record>) {
            w.key("record");
            w.begin_object();
            w.key("fields");
            w.begin_array();
            for (const auto& f : n.fields) {
              w.begin_object();
              w.key("name");
              w.string(f.name);
              w.key("type");
              write_type(w, f.ty);
              write_docs(w, f.docs);
              w.end_object();
            }
            w.end_array();
            w.end_object();
          } else if constexpr (std::is_same_v<T, handle>) {
            w.key("handle");
            w.begin_object();
            w.key(n.borrow ? "borrow" : "own");
            w.number(n.resource.index);
            w.end_object();
          } else if constexpr (std::is_same_v<T, flags>) {
            w.key("flags");
            w.begin_object();
            w.key("flags");
            w.begin_array();
            for (const auto& f : n.flags) {
              w.begin_object();
              w.key("name");
              w.string(f.name);
              write_docs(w, f.docs);
              w.end_object();
            }
            w.end_array();
            w.end_object();
          } else if constexpr (std::is_same_v<T, tuple>) {
            w.key("tuple");
            w.begin_object();
            w.key("types");
            w.begin_array();
            for (const auto& t : n.types) write_type(w, t);
            w.end_array();
            w.end_object();
          } else if constexpr (std::is_same_v<T, variant>) {
            w.key("variant");
            w.begin_object();
            w.key("cases");
            w.begin_array();
            for (const auto& c : n.cases) {
              w.begin_object();
              w.key("name");
              w.string(c.name);
              w.key("type");
              write_opt_type(w, c.ty);
              write_docs(w, c.docs);
              w.end_object();
            }
            w.end_array();
            w.end_object();
          } else if constexpr (std::is_same_v<T, enum_>) {
            w.key("enum");
            w.begin_object();
            w.key("cases");
            w.begin_array();
            for (const auto& c : n.cases) {
              w.begin_object();
              w.key("name");
              w.string(c.name);
              write_docs(w, c.docs);
              w.end_object();
            }
            w.end_array();
            w.end_object();
          } else if constexpr (std::is_same_v<T, option>) {
            w.key("option");
            write_type(w, n.inner);
          } else if constexpr (std::is_same_v<T, result_>) {
            w.key("result");
            w.begin_object();
            w.key("ok");
            write_opt_type(w, n.ok);
            w.key("err");
            write_opt_type(w, n.err);
            w.end_object();
          } else if constexpr (std::is_same_v<T, list>) {
            w.key("list");
            write_type(w, n.element);
          } else if constexpr (std::is_same_v<T, fixed_list>) {
            w.key("fixed-length-list");
            w.begin_array();
            write_type(w, n.element);
            w.number(n.size);
            w.end_array();
          } else if constexpr (std::is_same_v<T, map>) {
            w.key("map");
            w.begin_array();
            write_type(w, n.key);
            write_type(w, n.value);
            w.end_array();
          } else if constexpr (std::is_same_v<T, future>) {
            w.key("future");
            write_opt_type(w, n.inner);
          } else if constexpr (std::is_same_v<T, stream>) {
            w.key("stream");
            write_opt_type(w, n.inner);
          } else if constexpr (std::is_same_v<T, alias>) {
            w.key("type");
            write_type(w, n.target);
          }
          w.end_object();
        }
      },
      k);
}

void write_function(writer& w, const function& f) {
  w.begin_object();
  w.key("name");
  w.string(f.name);
  w.key("kind");
  auto with_id = [&](const char* k) {
    w.begin_object();
    w.key(k);
    w.number(f.resource.index);
    w.end_object();
  };
  switch (f.kind) {
    case function_kind::freestanding: w.string("freestanding"); break;
    case function_kind::async_freestanding: w.string("async-freestanding"); break;
    case function_kind::method: with_id("method"); break;
    case function_kind::async_method: with_id("async-method"); break;
    case function_kind::static_: with_id("static"); break;
    case function_kind::async_static: with_id("async-static"); break;
    case function_kind::constructor: with_id("constructor"); break;
  }
  w.key("params");
  w.begin_array();
  for (const auto& p : f.params) {
    w.begin_object();
    if (!p.name.empty()) {
      w.key("name");
      w.string(p.name);
    }
    w.key("type");
    write_type(w, p.ty);
    w.end_object();
  }
  w.end_array();
  if (f.result) {
    w.key("result");
    write_type(w, *f.result);
  }
  write_docs(w, f.docs);
  write_stability(w, f.stability);
  write_external_id(w, f.external_id);
  w.end_object();
}

void write_items(writer& w, const ordered_map<world_key, world_item, world_key_hash>& items) {
  w.begin_object();
  for (const auto& [k, item] : items) {
    w.key(k.is_interface ? fmt::format("interface-{}", k.iface.index) : k.name);
    w.begin_object();
    switch (item.kind) {
      case world_item::kind::interface:
        w.key("interface");
        w.begin_object();
        w.key("id");
        w.number(item.iface.index);
        write_stability(w, item.stability);
        write_external_id(w, item.external_id);
        write_docs(w, item.docs);
        w.end_object();
        break;
      case world_item::kind::function:
        w.key("function");
        write_function(w, item.func);
        break;
      case world_item::kind::type:
        w.key("type");
        w.number(item.type.index);
        break;
    }
    w.end_object();
  }
  w.end_object();
}

void write_opt_id(writer& w, bool has, std::uint32_t index) {
  if (has) w.number(index);
  else w.null();
}

}  // namespace

std::string to_json(const resolve& r) {
  writer w;
  w.begin_object();
  w.key("worlds");
  w.begin_array();
  for (const auto& x : r.worlds) {
    w.begin_object();
    w.key("name");
    w.string(x.name);
    w.key("imports");
    write_items(w, x.imports);
    w.key("exports");
    write_items(w, x.exports);
    w.key("package");
    write_opt_id(w, x.package.has_value(), x.package ? x.package->index : 0);
    write_docs(w, x.docs);
    write_stability(w, x.stability);
    w.end_object();
  }
  w.end_array();
  w.key("interfaces");
  w.begin_array();
  for (const auto& i : r.interfaces) {
    w.begin_object();
    w.key("name");
    if (i.name) w.string(*i.name);
    else w.null();
    w.key("types");
    w.begin_object();
    for (const auto& [n, t] : i.types) {
      w.key(n);
      w.number(t.index);
    }
    w.end_object();
    w.key("functions");
    w.begin_object();
    for (const auto& [n, f] : i.functions) {
      w.key(n);
      write_function(w, f);
    }
    w.end_object();
    write_docs(w, i.docs);
    write_stability(w, i.stability);
    w.key("package");
    write_opt_id(w, i.package.has_value(), i.package ? i.package->index : 0);
    if (i.clone_of) {
      w.key("clone_of");
      w.number(i.clone_of->index);
    }
    w.end_object();
  }
  w.end_array();
  w.key("types");
  w.begin_array();
  for (const auto& t : r.types) {
    w.begin_object();
    w.key("name");
    if (t.name) w.string(*t.name);
    else w.null();
    w.key("kind");
    write_kind(w, t.kind);
    w.key("owner");
    switch (t.owner.kind) {
      case type_owner::kind::none: w.null(); break;
      case type_owner::kind::interface:
        w.begin_object();
        w.key("interface");
        w.number(t.owner.index);
        w.end_object();
        break;
      case type_owner::kind::world:
        w.begin_object();
        w.key("world");
        w.number(t.owner.index);
        w.end_object();
        break;
    }
    write_docs(w, t.docs);
    write_stability(w, t.stability);
    write_external_id(w, t.external_id);
    w.end_object();
  }
  w.end_array();
  w.key("packages");
  w.begin_array();
  for (const auto& p : r.packages) {
    w.begin_object();
    w.key("name");
    w.string(p.name.to_string());
    write_docs(w, p.docs);
    w.key("interfaces");
    w.begin_object();
    for (const auto& [n, id] : p.interfaces) {
      w.key(n);
      w.number(id.index);
    }
    w.end_object();
    w.key("worlds");
    w.begin_object();
    for (const auto& [n, id] : p.worlds) {
      w.key(n);
      w.number(id.index);
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w.out);
}

}  // namespace witc::wit
