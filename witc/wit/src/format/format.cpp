// Canonical WIT text from the AST. The output depends on the AST alone (never on
// the original layout), which makes formatting idempotent by construction:
// two-space indentation, one item per line, trailing commas in multi-line lists,
// a blank line between top-level items and before documented items in bodies.
// Comments the parser attaches to items (see ast::docs) are kept verbatim; other
// comments (inside type expressions, before a closing brace) are not part of
// the AST and are dropped.
#include "witc/wit/format.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "parser/lexer.hpp"

namespace witc::wit {
namespace {

class writer {
 public:
  std::string out;

  void file(const ast::file& f) {
    bool first = true;
    if (f.package) {
      docs(f.package->doc);
      attrs(f.package->attrs);
      line(fmt::format("package {};", package_name(f.package->name)));
      first = false;
    }
    toplevel(f.items, first);
  }

 private:
  int depth_ = 0;

  void indent() { out.append(static_cast<std::size_t>(depth_) * 2, ' '); }
  void line(std::string_view s) {
    indent();
    out += s;
    out += '\n';
  }
  static std::string id(const ast::ident& i) {
    std::string s;
    if (parser::is_keyword(i.name)) s += '%';
    s += i.name;
    return s;
  }

  static std::string package_name(const ast::package_name& p) {
    std::string s = id(p.ns) + ":" + id(p.name);
    if (p.ver) s += "@" + p.ver->text;
    return s;
  }

  static std::string use_path(const ast::use_path& p) {
    if (!p.package) return id(p.name);
    std::string s = id(p.package->ns) + ":" + id(p.package->name) + "/" + id(p.name);
    if (p.package->ver) s += "@" + p.package->ver->text;
    return s;
  }

  // A string literal that lexes back to `s` (valid UTF-8, as the lexer
  // guarantees): escapes what the lexer rejects raw (controls, bidi overrides,
  // discouraged codepoints).
  static std::string quote(std::string_view s) {
    std::string o = "\"";
    for (std::size_t i = 0; i < s.size();) {
      auto c = static_cast<unsigned char>(s[i]);
      std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      n = std::min(n, s.size() - i);
      char32_t cp = c;
      if (n == 2) cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      if (n == 3) cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      if (n == 4)
        cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      bool escape = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
                    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x149 || cp == 0x673 || cp == 0xf77 ||
                    cp == 0xf79 || (cp >= 0x17a3 && cp <= 0x17a4) || (cp >= 0x17b4 && cp <= 0x17b5);
      if (cp == '"') o += "\\\"";
      else if (cp == '\\') o += "\\\\";
      else if (escape) o += fmt::format("\\u{{{:x}}}", static_cast<std::uint32_t>(cp));
      else o.append(s.substr(i, n));
      i += n;
    }
    return o + "\"";
  }

  void docs(const ast::docs& d) {
    for (std::string_view c : d.comments()) line(c);
  }

  void attrs(const ast::attributes& as) {
    for (const auto& a : as) {
      switch (a.kind) {
        case ast::attribute::kind::since:
          line(fmt::format("@since(version = {})", a.ver ? a.ver->text : ""));
          break;
        case ast::attribute::kind::deprecated:
          line(fmt::format("@deprecated(version = {})", a.ver ? a.ver->text : ""));
          break;
        case ast::attribute::kind::unstable:
          line(fmt::format("@unstable(feature = {})", a.feature ? id(*a.feature) : ""));
          break;
        case ast::attribute::kind::external_id:
          line(fmt::format("@external-id({})", quote(a.external_id)));
          break;
      }
    }
  }

  // Types nest at most ast::max_type_depth deep (the parser's limit), so this
  // recursion is bounded.
  static void type(std::string& o, const ast::type& t) {
    std::visit(
        [&](const auto& n) {
          using N = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<N, ast::primitive>) {
            static constexpr const char* names[] = {"bool", "u8",  "u16", "u32",  "u64",    "s8",  "s16",
                                                    "s32",  "s64", "f32", "f64",  "char", "string", "error-context"};
            o += names[static_cast<int>(n)];
          } else if constexpr (std::is_same_v<N, ast::named_type>) {
            o += id(n.name);
          } else if constexpr (std::is_same_v<N, ast::list_type>) {
            o += "list<";
            type(o, *n.element);
            if (n.size) o += fmt::format(", {}", *n.size);
            o += '>';
          } else if constexpr (std::is_same_v<N, ast::map_type>) {
            o += "map<";
            type(o, *n.key);
            o += ", ";
            type(o, *n.value);
            o += '>';
          } else if constexpr (std::is_same_v<N, ast::option_type>) {
            o += "option<";
            type(o, *n.inner);
            o += '>';
          } else if constexpr (std::is_same_v<N, ast::result_type>) {
            o += "result";
            if (n.ok || n.err) {
              o += '<';
              if (n.ok) type(o, **n.ok);
              else o += '_';
              if (n.err) {
                o += ", ";
                type(o, **n.err);
              }
              o += '>';
            }
          } else if constexpr (std::is_same_v<N, ast::tuple_type>) {
            o += "tuple<";
            for (std::size_t i = 0; i < n.types.size(); ++i) {
              if (i) o += ", ";
              type(o, n.types[i]);
            }
            o += '>';
          } else if constexpr (std::is_same_v<N, ast::handle_type>) {
            o += n.borrow ? "borrow<" : "own<";
            o += id(n.resource);
            o += '>';
          } else if constexpr (std::is_same_v<N, ast::future_type> || std::is_same_v<N, ast::stream_type>) {
            o += std::is_same_v<N, ast::future_type> ? "future" : "stream";
            if (n.inner) {
              o += '<';
              type(o, **n.inner);
              o += '>';
            }
          }
        },
        t.node);
  }
  static std::string type(const ast::type& t) {
    std::string o;
    type(o, t);
    return o;
  }

  static std::string params(const ast::vec<ast::param>& ps) {
    std::string o = "(";
    for (std::size_t i = 0; i < ps.size(); ++i) {
      if (i) o += ", ";
      o += id(ps[i].name) + ": ";
      type(o, ps[i].ty);
    }
    return o + ")";
  }

  static std::string func(const ast::func_type& f) {
    std::string o = f.is_async ? "async func" : "func";
    o += params(f.params);
    if (f.result) o += " -> " + type(*f.result);
    return o;
  }

  // Opens a braced list; `{}` when empty.
  template <class List, class Each>
  void braced(const std::string& head, const List& items, Each each) {
    if (items.empty()) {
      line(head + " {}");
      return;
    }
    line(head + " {");
    ++depth_;
    for (const auto& i : items) each(i);
    --depth_;
    line("}");
  }

  void typedef_item(const ast::typedef_item& t) {
    docs(t.doc);
    attrs(t.attrs);
    std::visit(
        [&](const auto& d) {
          using D = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<D, ast::alias_def>) {
            line(fmt::format("type {} = {};", id(t.name), type(d.target)));
          } else if constexpr (std::is_same_v<D, ast::record_def>) {
            braced("record " + id(t.name), d.fields, [&](const ast::field& f) {
              docs(f.doc);
              line(fmt::format("{}: {},", id(f.name), type(f.ty)));
            });
          } else if constexpr (std::is_same_v<D, ast::flags_def>) {
            braced("flags " + id(t.name), d.flags, [&](const ast::flag& f) {
              docs(f.doc);
              line(id(f.name) + ",");
            });
          } else if constexpr (std::is_same_v<D, ast::variant_def>) {
            braced("variant " + id(t.name), d.cases, [&](const ast::variant_case& c) {
              docs(c.doc);
              if (c.ty) line(fmt::format("{}({}),", id(c.name), type(*c.ty)));
              else line(id(c.name) + ",");
            });
          } else if constexpr (std::is_same_v<D, ast::enum_def>) {
            braced("enum " + id(t.name), d.cases, [&](const ast::enum_case& c) {
              docs(c.doc);
              line(id(c.name) + ",");
            });
          } else if constexpr (std::is_same_v<D, ast::resource_def>) {
            if (!d.has_body) {
              line(fmt::format("resource {};", id(t.name)));
              return;
            }
            braced("resource " + id(t.name), d.funcs, [&](const ast::resource_func& f) {
              docs(f.doc);
              attrs(f.attrs);
              switch (f.kind) {
                case ast::resource_func::kind::constructor: {
                  std::string s = "constructor" + params(f.func.params);
                  if (f.func.result) s += " -> " + type(*f.func.result);
                  line(s + ";");
                  break;
                }
                case ast::resource_func::kind::static_:
                  line(fmt::format("{}: static {};", id(f.name), func(f.func)));
                  break;
                case ast::resource_func::kind::method:
                  line(fmt::format("{}: {};", id(f.name), func(f.func)));
                  break;
              }
            });
          }
        },
        t.def);
  }

  void use_item(const ast::use_item& u) {
    attrs(u.attrs);
    std::string s = "use " + use_path(u.from) + ".{";
    for (std::size_t i = 0; i < u.names.size(); ++i) {
      if (i) s += ", ";
      s += id(u.names[i].name);
      if (u.names[i].as) s += " as " + id(*u.names[i].as);
    }
    line(s + "};");
  }

  // A blank line separates a documented item from the one before it.
  void gap(bool first, const ast::docs& d) {
    if (!first && !d.empty()) out += '\n';
  }

  static const ast::docs& doc_of(const ast::interface_item& i) {
    static const ast::docs none;
    if (auto* t = std::get_if<ast::typedef_item>(&i)) return t->doc;
    if (auto* f = std::get_if<ast::func_item>(&i)) return f->doc;
    return none;
  }
  static const ast::docs& doc_of(const ast::world_item& i) {
    static const ast::docs none;
    if (auto* t = std::get_if<ast::typedef_item>(&i)) return t->doc;
    if (auto* e = std::get_if<ast::extern_item>(&i)) return e->doc;
    return none;
  }

  void interface_items(const ast::vec<ast::interface_item>& items) {
    bool first = true;
    for (const auto& item : items) {
      gap(first, doc_of(item));
      first = false;
      std::visit(
          [&](const auto& i) {
            using I = std::decay_t<decltype(i)>;
            if constexpr (std::is_same_v<I, ast::typedef_item>) {
              typedef_item(i);
            } else if constexpr (std::is_same_v<I, ast::func_item>) {
              docs(i.doc);
              attrs(i.attrs);
              line(fmt::format("{}: {};", id(i.name), func(i.func)));
            } else {
              use_item(i);
            }
          },
          item);
    }
  }

  void world_items(const ast::vec<ast::world_item>& items) {
    bool first = true;
    for (const auto& item : items) {
      gap(first, doc_of(item));
      first = false;
      std::visit(
          [&](const auto& i) {
            using I = std::decay_t<decltype(i)>;
            if constexpr (std::is_same_v<I, ast::typedef_item>) {
              typedef_item(i);
            } else if constexpr (std::is_same_v<I, ast::use_item>) {
              use_item(i);
            } else if constexpr (std::is_same_v<I, ast::include_item>) {
              attrs(i.attrs);
              if (i.with.empty()) {
                line("include " + use_path(i.from) + ";");
              } else {
                std::string s = "include " + use_path(i.from) + " with { ";
                for (std::size_t k = 0; k < i.with.size(); ++k) {
                  if (k) s += ", ";
                  s += id(i.with[k].name) + " as " + id(i.with[k].as);
                }
                line(s + " }");
              }
            } else {
              extern_item(i);
            }
          },
          item);
    }
  }

  void extern_item(const ast::extern_item& e) {
    docs(e.doc);
    attrs(e.attrs);
    const char* kw = e.is_import ? "import" : "export";
    if (auto* p = std::get_if<ast::use_path>(&e.what)) {
      if (e.label) line(fmt::format("{} {}: {};", kw, id(*e.label), use_path(*p)));
      else line(fmt::format("{} {};", kw, use_path(*p)));
    } else if (auto* f = std::get_if<ast::named_func>(&e.what)) {
      line(fmt::format("{} {}: {};", kw, id(f->name), func(f->func)));
    } else if (auto* i = std::get_if<ast::inline_interface>(&e.what)) {
      std::string head = fmt::format("{} {}: interface", kw, id(i->name));
      if (i->items.empty()) {
        line(head + " {}");
        return;
      }
      line(head + " {");
      ++depth_;
      interface_items(i->items);
      --depth_;
      line("}");
    }
  }

  void toplevel(const ast::vec<ast::toplevel_item>& items, bool first) {
    for (const auto& item : items) {
      if (!first) out += '\n';
      first = false;
      std::visit(
          [&](const auto& i) {
            using I = std::decay_t<decltype(i)>;
            if constexpr (std::is_same_v<I, ast::interface_def>) {
              docs(i.doc);
              attrs(i.attrs);
              if (i.items.empty()) {
                line("interface " + id(i.name) + " {}");
                return;
              }
              line("interface " + id(i.name) + " {");
              ++depth_;
              interface_items(i.items);
              --depth_;
              line("}");
            } else if constexpr (std::is_same_v<I, ast::world_def>) {
              docs(i.doc);
              attrs(i.attrs);
              if (i.items.empty()) {
                line("world " + id(i.name) + " {}");
                return;
              }
              line("world " + id(i.name) + " {");
              ++depth_;
              world_items(i.items);
              --depth_;
              line("}");
            } else if constexpr (std::is_same_v<I, ast::toplevel_use>) {
              attrs(i.attrs);
              std::string s = "use " + use_path(i.item);
              if (i.as) s += " as " + id(*i.as);
              line(s + ";");
            } else {
              const ast::nested_package& p = *i;
              docs(p.doc);
              attrs(p.attrs);
              if (p.items.empty()) {
                line("package " + package_name(p.name) + " {}");
                return;
              }
              line("package " + package_name(p.name) + " {");
              ++depth_;
              // Nesting is bounded by ast::max_package_depth.
              toplevel(p.items, true);
              --depth_;
              line("}");
            }
          },
          item);
    }
  }
};

}  // namespace

std::string format(const ast::file& f, const source_map&) {
  writer w;
  w.file(f);
  return std::move(w.out);
}

}  // namespace witc::wit
