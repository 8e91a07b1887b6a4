#pragma once
// The WIT grammar's rule definitions (see grammar.hpp). Structure and error
// behaviour follow wit-parser's recursive descent (crates/wit-parser/src/ast.rs)
// production by production; the AST is built by semantic actions, because the
// std::variant/std::optional-based ast.hpp is not X3-attribute friendly.
//
// Precedence note: in C++ `>>` binds tighter than `>`, so `a > b >> c` is
// `a > (b >> c)`; every mixed sequence below is parenthesised on purpose.
#include "parser/grammar.hpp"

namespace witc::wit::parser::grammar {

using x3::_attr;
using x3::_val;
using x3::_where;
using x3::eps;

// ---- helpers for semantic actions ---------------------------------------------

// `WITC_ACT(body)`: a semantic action with `v` (the rule's value), `a` (the
// subject's value), `st` (parse state) and `cur`, the position after the subject.
// Boost 1.74's `_where` is (position after the subject, end of input), so the
// token a token-parser just matched is `cur[-1]`: `tb`/`te` are its offsets.
#define WITC_ACT(...)                                                             \
  ([](auto& ctx) {                                                                \
    [[maybe_unused]] auto& v = _val(ctx);                                         \
    [[maybe_unused]] auto& a = _attr(ctx);                                        \
    [[maybe_unused]] parse_state& st = state(ctx);                                \
    [[maybe_unused]] const token* cur = _where(ctx).begin();                      \
    __VA_ARGS__;                                                                  \
  })
#define tb (cur[-1].begin)
#define te (cur[-1].end())
#define last_end (cur[-1].end())

constexpr tok_p T(tok k) { return tok_p{k}; }
constexpr ident_p ident{};

// The start of an item: remember its first token; attributes follow.
const auto mark = eps[WITC_ACT(st.item_start = cur; st.pending_attrs.clear())];
// Docs, attributes and span start of the item being parsed, for items with docs.
#define WITC_TAKE                                        \
  v.doc = st.docs_before(st.item_start);                 \
  v.attrs = std::move(st.pending_attrs);                 \
  st.pending_attrs.clear();                              \
  v.span.begin = st.item_start->begin
#define WITC_TAKE_NODOC                                  \
  v.attrs = std::move(st.pending_attrs);                 \
  st.pending_attrs.clear();                              \
  v.span.begin = st.item_start->begin

// ---- rules ----------------------------------------------------------------------

struct version_class;
struct package_name_class;
struct use_path_class;
struct use_name_class;
struct use_item_class;
struct toplevel_use_class;
struct attribute_class;
struct type_class;
struct param_class;
struct func_type_class;
struct func_item_class;
struct field_class;
struct flag_class;
struct case_class;
struct enum_case_class;
struct alias_class;
struct record_class;
struct flags_class;
struct variant_class;
struct enum_class;
struct resource_class;
struct resource_tail_class;
struct resource_func_class;
struct resource_func_body_class;
struct iface_body_class;
struct interface_class;
struct extern_class;
struct include_tail_class;
struct include_name_class;
struct include_class;
struct world_class;
struct nested_package_class;
struct package_decl_class;
struct file_class;
struct file_rest_class;

const x3::rule<version_class, ast::version> version_r = "an integer";
const x3::rule<package_name_class, ast::package_name> package_name_r = "an identifier or string";
const x3::rule<use_path_class, ast::use_path> use_path_r = "an identifier or string";
const x3::rule<use_name_class, ast::use_name> use_name_r = "an identifier or string";
const x3::rule<use_item_class, ast::use_item> use_item_r = "keyword `use`";
const x3::rule<toplevel_use_class, ast::toplevel_use> toplevel_use_r = "keyword `use`";
const x3::rule<attribute_class, ast::attribute> attribute_r = "`@`";
const x3::rule<type_class, ast::type> type_r = "a type";
const x3::rule<param_class, ast::param> param_r = "an identifier or string";
const x3::rule<func_type_class, ast::func_type> func_type_r = "keyword `func`";
const x3::rule<func_item_class, ast::func_item> func_item_r = "an identifier or string";
const x3::rule<field_class, ast::field> field_r = "an identifier or string";
const x3::rule<flag_class, ast::flag> flag_r = "an identifier or string";
const x3::rule<case_class, ast::variant_case> case_r = "an identifier or string";
const x3::rule<enum_case_class, ast::enum_case> enum_case_r = "an identifier or string";
const x3::rule<alias_class, ast::typedef_item> alias_r = "keyword `type`";
const x3::rule<record_class, ast::typedef_item> record_r = "keyword `record`";
const x3::rule<flags_class, ast::typedef_item> flags_r = "keyword `flags`";
const x3::rule<variant_class, ast::typedef_item> variant_r = "keyword `variant`";
const x3::rule<enum_class, ast::typedef_item> enum_r = "keyword `enum`";
const x3::rule<resource_class, ast::typedef_item> resource_r = "keyword `resource`";
const x3::rule<resource_tail_class, ast::resource_def> resource_tail_r = "';'";
const x3::rule<resource_func_class, ast::resource_func> resource_func_r = "`constructor` or identifier";
const x3::rule<resource_func_body_class, ast::resource_func> resource_func_body_r =
    "`constructor` or identifier";
const x3::rule<iface_body_class, ast::vec<ast::interface_item>> iface_body_r = "'{'";
const x3::rule<interface_class, ast::interface_def> interface_r = "keyword `interface`";
const x3::rule<extern_class, ast::extern_item> extern_r = "keyword `import`";
const x3::rule<include_tail_class, ast::vec<ast::include_name>> include_tail_r = "';'";
const x3::rule<include_name_class, ast::include_name> include_name_r = "an identifier or string";
const x3::rule<include_class, ast::include_item> include_r = "keyword `include`";
const x3::rule<world_class, ast::world_def> world_r = "keyword `world`";
const x3::rule<nested_package_class, ast::nested_package> nested_package_r = "keyword `package`";
const x3::rule<package_decl_class, ast::package_decl> package_decl_r = "keyword `package`";
const x3::rule<file_class, ast::file> file_r = "a WIT file";
const x3::rule<file_rest_class, ast::file> file_rest_r = "a WIT file";

// Attributes are read before the keyword that says what the item is; they wait
// in the parse state until the item's first action takes them.
const auto attrs = *(attribute_r[WITC_ACT(st.pending_attrs.push_back(std::move(a)))]);

// ---- versions and paths -----------------------------------------------------------

// wit-parser's `eat_ids`: identifiers, integers and `-`, and `.` only when
// followed by one of those (so `use a:b/c@1.0.0-x.{d}` keeps its `.`).
const auto ver_atom = (T(tok::id) | T(tok::integer) | T(tok::minus))[WITC_ACT(v.span.end = te)];
const auto ver_piece = ver_atom | (T(tok::period) >> ver_atom);
const auto version_r_def =
    (T(tok::integer)[WITC_ACT(v.span.begin = tb)] > T(tok::period) > T(tok::integer) > T(tok::period) >
     T(tok::integer)[WITC_ACT(v.span.end = te)]) >>
    -(T(tok::minus) >> *ver_piece) >> -(T(tok::plus) >> *ver_piece) >>
    eps[WITC_ACT(v.text = std::string(st.text(v.span.begin, v.span.end));
                 if (auto err = check_semver(v.text)) throw syntax_error{v.span, std::move(*err)})];

const auto package_name_r_def =
    ident[WITC_ACT(v.ns = std::move(a); v.span.begin = v.ns.span.begin)] > T(tok::colon) >
    ident[WITC_ACT(v.name = std::move(a); v.span.end = v.name.span.end)] >
    -(T(tok::at) > version_r[WITC_ACT(v.span.end = a.span.end; v.ver = std::move(a))]);

// `iface` or `ns:pkg/iface@1.0.0`; the package span is `ns:pkg`, as wit-parser's.
const auto use_path_r_def =
    ident[WITC_ACT(v.name = std::move(a); v.span = v.name.span)] >>
    -(T(tok::colon)[WITC_ACT(v.package.emplace(); v.package->ns = std::move(v.name);
                             v.package->span.begin = v.package->ns.span.begin)] >
      ident[WITC_ACT(v.package->span.end = a.span.end; v.package->name = std::move(a))] > T(tok::slash) >
      ident[WITC_ACT(v.span.end = a.span.end; v.name = std::move(a))] >
      -(T(tok::at) > version_r[WITC_ACT(v.span.end = a.span.end; v.package->ver = std::move(a))]));

const auto use_name_r_def = ident[WITC_ACT(v.name = std::move(a))] >>
                            -(T(tok::kw_as) > ident[WITC_ACT(v.as = std::move(a))]);

const auto use_item_r_def =
    T(tok::kw_use)[WITC_ACT(WITC_TAKE_NODOC)] > use_path_r[WITC_ACT(v.from = std::move(a))] >
    T(tok::period) > T(tok::lbrace) >
    *((!T(tok::rbrace)) > use_name_r[WITC_ACT(v.names.push_back(std::move(a)))] > sep_p{tok::rbrace}) >
    T(tok::rbrace) > T(tok::semicolon)[WITC_ACT(v.span.end = te)];

const auto toplevel_use_r_def =
    T(tok::kw_use)[WITC_ACT(WITC_TAKE_NODOC)] > use_path_r[WITC_ACT(v.item = std::move(a))] >
    -(T(tok::kw_as) > ident[WITC_ACT(v.as = std::move(a))]) > T(tok::semicolon)[WITC_ACT(v.span.end = te)];

// ---- attributes ----------------------------------------------------------------------

const auto attribute_r_def =
    T(tok::at)[WITC_ACT(v.span.begin = tb)] >
    ((ident_p{"since"}[WITC_ACT(v.kind = ast::attribute::kind::since)] > T(tok::lparen) > key_p{"version"} >
      T(tok::equals) > version_r[WITC_ACT(v.ver = std::move(a))] > T(tok::rparen)[WITC_ACT(v.span.end = te)]) |
     (ident_p{"unstable"}[WITC_ACT(v.kind = ast::attribute::kind::unstable)] > T(tok::lparen) >
      key_p{"feature"} > T(tok::equals) > ident[WITC_ACT(v.feature = std::move(a))] >
      T(tok::rparen)[WITC_ACT(v.span.end = te)]) |
     (ident_p{"deprecated"}[WITC_ACT(v.kind = ast::attribute::kind::deprecated)] > T(tok::lparen) >
      key_p{"version"} > T(tok::equals) > version_r[WITC_ACT(v.ver = std::move(a))] >
      T(tok::rparen)[WITC_ACT(v.span.end = te)]) |
     (ident_p{"external-id"}[WITC_ACT(v.kind = ast::attribute::kind::external_id)] > T(tok::lparen) >
      T(tok::string_lit)[WITC_ACT(v.external_id = unescape_string(st.text(tb, te)))] >
      T(tok::rparen)[WITC_ACT(v.span.end = te)]) |
     x3::expect[ident][WITC_ACT(throw syntax_error{a.span, "unknown attribute `" + std::string(a.name) + "`"})]);

// ---- types ------------------------------------------------------------------------------

template <class T>
T& node(ast::type& t) {
  return std::get<T>(t.node);
}

const auto type_r_def = type_depth[
    primitive_p{}[WITC_ACT(v = std::move(a))] |
    (T(tok::kw_tuple)[WITC_ACT(v.node = ast::tuple_type{}; v.span.begin = tb)] > T(tok::less) >
     *((!T(tok::greater)) > type_r[WITC_ACT(node<ast::tuple_type>(v).types.push_back(std::move(a)))] >
       sep_p{tok::greater}) >
     T(tok::greater)[WITC_ACT(v.span.end = te)]) |
    (T(tok::kw_list)[WITC_ACT(v.node = ast::list_type{}; v.span.begin = tb)] > T(tok::less) >
     type_r[WITC_ACT(*node<ast::list_type>(v).element = std::move(a))] >
     -(T(tok::comma) > fixed_len_p{}[WITC_ACT(node<ast::list_type>(v).size = a;
                                            node<ast::list_type>(v).size_span = {tb, te})]) >
     T(tok::greater)[WITC_ACT(v.span.end = te)]) |
    (T(tok::kw_map)[WITC_ACT(v.node = ast::map_type{}; v.span.begin = tb)] > T(tok::less) >
     type_r[WITC_ACT(*node<ast::map_type>(v).key = std::move(a))] > T(tok::comma) >
     type_r[WITC_ACT(*node<ast::map_type>(v).value = std::move(a))] > T(tok::greater)[WITC_ACT(v.span.end = te)]) |
    (T(tok::kw_option)[WITC_ACT(v.node = ast::option_type{}; v.span.begin = tb)] > T(tok::less) >
     type_r[WITC_ACT(*node<ast::option_type>(v).inner = std::move(a))] > T(tok::greater)[WITC_ACT(v.span.end = te)]) |
    (T(tok::kw_result)[WITC_ACT(v.node = ast::result_type{}; v.span = {tb, te})] >>
     -(T(tok::less) >
       ((T(tok::kw_underscore) > T(tok::comma) >
         type_r[WITC_ACT(node<ast::result_type>(v).err = ast::box<ast::type>(std::move(a)))]) |
        (x3::expect[type_r][WITC_ACT(node<ast::result_type>(v).ok = ast::box<ast::type>(std::move(a)))] >>
         -(T(tok::comma) > type_r[WITC_ACT(node<ast::result_type>(v).err = ast::box<ast::type>(std::move(a)))]))) >
       T(tok::greater)[WITC_ACT(v.span.end = te)])) |
    (T(tok::kw_future)[WITC_ACT(v.node = ast::future_type{}; v.span = {tb, te})] >>
     -(T(tok::less) > type_r[WITC_ACT(node<ast::future_type>(v).inner = ast::box<ast::type>(std::move(a)))] >
       T(tok::greater)[WITC_ACT(v.span.end = te)])) |
    (T(tok::kw_stream)[WITC_ACT(v.node = ast::stream_type{}; v.span = {tb, te})] >>
     -(T(tok::less) > type_r[WITC_ACT(node<ast::stream_type>(v).inner = ast::box<ast::type>(std::move(a)))] >
       T(tok::greater)[WITC_ACT(v.span.end = te)])) |
    (T(tok::kw_own)[WITC_ACT(v.node = ast::handle_type{false, {}}; v.span.begin = tb)] > T(tok::less) >
     ident[WITC_ACT(node<ast::handle_type>(v).resource = std::move(a))] > T(tok::greater)[WITC_ACT(v.span.end = te)]) |
    (T(tok::kw_borrow)[WITC_ACT(v.node = ast::handle_type{true, {}}; v.span.begin = tb)] > T(tok::less) >
     ident[WITC_ACT(node<ast::handle_type>(v).resource = std::move(a))] > T(tok::greater)[WITC_ACT(v.span.end = te)]) |
    ident[WITC_ACT(v.span = a.span; v.node = ast::named_type{std::move(a)})]];

// ---- functions -----------------------------------------------------------------------------

const auto param_r_def = ident[WITC_ACT(v.name = std::move(a))] > T(tok::colon) > type_r[WITC_ACT(v.ty = std::move(a))];

const auto params = T(tok::lparen) >
                    *((!T(tok::rparen)) > param_r[WITC_ACT(v.params.push_back(std::move(a)))] > sep_p{tok::rparen}) >
                    T(tok::rparen)[WITC_ACT(v.span.end = te)];

const auto func_type_r_def =
    -T(tok::kw_async)[WITC_ACT(v.is_async = true; v.span.begin = tb)] >
    T(tok::kw_func)[WITC_ACT(if (!v.is_async) v.span.begin = tb)] > params >
    -(T(tok::rarrow) > type_r[WITC_ACT(v.span.end = a.span.end; v.result = std::move(a))]);

const auto func_item_r_def = ident[WITC_ACT(WITC_TAKE; v.name = std::move(a))] > T(tok::colon) >
                             func_type_r[WITC_ACT(v.func = std::move(a))] >
                             T(tok::semicolon)[WITC_ACT(v.span.end = te)];

// ---- type definitions ------------------------------------------------------------------------

const auto field_r_def = ident[WITC_ACT(v.doc = st.docs_before(cur - 1); v.name = std::move(a))] >
                         T(tok::colon) > type_r[WITC_ACT(v.ty = std::move(a))];
const auto flag_r_def = ident[WITC_ACT(v.doc = st.docs_before(cur - 1); v.name = std::move(a))];
const auto case_r_def = ident[WITC_ACT(v.doc = st.docs_before(cur - 1); v.name = std::move(a))] >>
                        -(T(tok::lparen) > type_r[WITC_ACT(v.ty = std::move(a))] > T(tok::rparen));
const auto enum_case_r_def =
    ident[WITC_ACT(v.doc = st.docs_before(cur - 1); v.name = std::move(a))];

template <class T>
T& def(ast::typedef_item& t) {
  return std::get<T>(t.def);
}

const auto alias_r_def = T(tok::kw_type)[WITC_ACT(WITC_TAKE)] > ident[WITC_ACT(v.name = std::move(a))] >
                         T(tok::equals) > type_r[WITC_ACT(v.def = ast::alias_def{std::move(a)})] >
                         T(tok::semicolon)[WITC_ACT(v.span.end = te)];

const auto record_r_def =
    T(tok::kw_record)[WITC_ACT(WITC_TAKE; v.def = ast::record_def{})] > ident[WITC_ACT(v.name = std::move(a))] >
    T(tok::lbrace) >
    *((!T(tok::rbrace)) > field_r[WITC_ACT(def<ast::record_def>(v).fields.push_back(std::move(a)))] >
      sep_p{tok::rbrace}) >
    T(tok::rbrace)[WITC_ACT(v.span.end = te)];

const auto flags_r_def =
    T(tok::kw_flags)[WITC_ACT(WITC_TAKE; v.def = ast::flags_def{})] > ident[WITC_ACT(v.name = std::move(a))] >
    T(tok::lbrace) >
    *((!T(tok::rbrace)) > flag_r[WITC_ACT(def<ast::flags_def>(v).flags.push_back(std::move(a)))] >
      sep_p{tok::rbrace}) >
    T(tok::rbrace)[WITC_ACT(v.span.end = te)];

const auto variant_r_def =
    T(tok::kw_variant)[WITC_ACT(WITC_TAKE; v.def = ast::variant_def{})] > ident[WITC_ACT(v.name = std::move(a))] >
    T(tok::lbrace) >
    *((!T(tok::rbrace)) > case_r[WITC_ACT(def<ast::variant_def>(v).cases.push_back(std::move(a)))] >
      sep_p{tok::rbrace}) >
    T(tok::rbrace)[WITC_ACT(v.span.end = te)];

const auto enum_r_def =
    T(tok::kw_enum)[WITC_ACT(WITC_TAKE; v.def = ast::enum_def{})] > ident[WITC_ACT(v.name = std::move(a))] >
    T(tok::lbrace) >
    *((!T(tok::rbrace)) > enum_case_r[WITC_ACT(def<ast::enum_def>(v).cases.push_back(std::move(a)))] >
      sep_p{tok::rbrace}) >
    T(tok::rbrace)[WITC_ACT(v.span.end = te)];

const auto resource_func_body_r_def =
    (T(tok::kw_constructor)[WITC_ACT(v.doc = st.docs_before(st.item_start); v.attrs = std::move(st.pending_attrs);
                                     st.pending_attrs.clear(); v.kind = ast::resource_func::kind::constructor;
                                     v.name = ast::ident{"constructor", {tb, te}}; v.func.span = {tb, te})] >
     T(tok::lparen) >
     *((!T(tok::rparen)) > param_r[WITC_ACT(v.func.params.push_back(std::move(a)))] > sep_p{tok::rparen}) >
     T(tok::rparen)[WITC_ACT(v.func.span.end = te)] >
     -(T(tok::rarrow) > type_r[WITC_ACT(v.func.span.end = a.span.end; v.func.result = std::move(a))]) >
     T(tok::semicolon)) |
    (ident[WITC_ACT(v.doc = st.docs_before(st.item_start); v.attrs = std::move(st.pending_attrs);
                    st.pending_attrs.clear(); v.kind = ast::resource_func::kind::method; v.name = std::move(a))] >
     T(tok::colon) > -T(tok::kw_static)[WITC_ACT(v.kind = ast::resource_func::kind::static_)] >
     func_type_r[WITC_ACT(v.func = std::move(a))] > T(tok::semicolon));

const auto resource_func_r_def = (mark >> attrs) > resource_func_body_r[WITC_ACT(v = std::move(a))];

const auto resource_tail_r_def =
    (T(tok::lbrace)[WITC_ACT(v.has_body = true)] >
     *((!T(tok::rbrace)) > resource_func_r[WITC_ACT(v.funcs.push_back(std::move(a)))]) > T(tok::rbrace)) |
    T(tok::semicolon)[WITC_ACT(v.has_body = false)];

const auto resource_r_def = T(tok::kw_resource)[WITC_ACT(WITC_TAKE)] > ident[WITC_ACT(v.name = std::move(a))] >
                            resource_tail_r[WITC_ACT(v.span.end = last_end; v.def = std::move(a))];

// ---- interfaces --------------------------------------------------------------------------------

// Items are pushed straight into the enclosing body's vector (no intermediate
// rule value): interface items are most of a large file's AST.
#define WITC_PUSH WITC_ACT(v.push_back(std::move(a)))
const auto iface_entry =
    (mark >> attrs) >> (alias_r[WITC_PUSH] | record_r[WITC_PUSH] | flags_r[WITC_PUSH] | variant_r[WITC_PUSH] |
                        enum_r[WITC_PUSH] | resource_r[WITC_PUSH] | func_item_r[WITC_PUSH] | use_item_r[WITC_PUSH] |
                        expected_p{"`type`, `resource` or `func`"});

// A body's vector is trimmed when it closes: grown by doubling it would hold up to
// twice its 256-byte items for as long as the AST lives (most of a large file's AST).
const auto iface_body_r_def =
    T(tok::lbrace) > *((!T(tok::rbrace)) > iface_entry) > T(tok::rbrace)[WITC_ACT(v.shrink_to_fit())];

const auto interface_r_def = T(tok::kw_interface)[WITC_ACT(WITC_TAKE)] > ident[WITC_ACT(v.name = std::move(a))] >
                             iface_body_r[WITC_ACT(v.span.end = last_end; v.items = std::move(a))];

// ---- worlds ---------------------------------------------------------------------------------------

// wit-parser's `ExternKind::parse`: `name: func`, `name: interface {}`,
// `label: path` unless `name:` is the start of `ns:pkg/iface`, else a path.
const auto label = ident[WITC_ACT(v.label = std::move(a))];
const auto extern_body =
    ((label >> T(tok::colon) >> &(T(tok::kw_func) | T(tok::kw_async))) >
     func_type_r[WITC_ACT(v.what = ast::named_func{std::move(*v.label), std::move(a)}; v.label.reset())] >
     T(tok::semicolon)[WITC_ACT(v.span.end = te)]) |
    ((label >> T(tok::colon) >> T(tok::kw_interface)) >
     iface_body_r[WITC_ACT(ast::inline_interface ii; ii.span = {v.label->span.begin, last_end};
                           ii.name = std::move(*v.label); ii.items = std::move(a); v.what = std::move(ii);
                           v.label.reset(); v.span.end = last_end)]) |
    ((label >> T(tok::colon) >> !(ident >> T(tok::slash))) > use_path_r[WITC_ACT(v.what = std::move(a))] >
     T(tok::semicolon)[WITC_ACT(v.span.end = te)]) |
    (x3::expect[use_path_r][WITC_ACT(v.label.reset(); v.what = std::move(a))] >
     T(tok::semicolon)[WITC_ACT(v.span.end = te)]);

const auto extern_r_def = ((T(tok::kw_import)[WITC_ACT(WITC_TAKE; v.is_import = true)] |
                            T(tok::kw_export)[WITC_ACT(WITC_TAKE; v.is_import = false)]) > extern_body);

const auto include_name_r_def =
    ident[WITC_ACT(v.name = std::move(a))] > T(tok::kw_as) > ident[WITC_ACT(v.as = std::move(a))];

const auto include_tail_r_def =
    (T(tok::kw_with) > T(tok::lbrace) >
     *((!T(tok::rbrace)) > include_name_r[WITC_ACT(v.push_back(std::move(a)))] > sep_p{tok::rbrace}) >
     T(tok::rbrace)) |
    T(tok::semicolon);

const auto include_r_def = T(tok::kw_include)[WITC_ACT(WITC_TAKE_NODOC)] >
                           use_path_r[WITC_ACT(v.from = std::move(a))] >
                           include_tail_r[WITC_ACT(v.span.end = last_end; v.with = std::move(a))];

#define WITC_PUSH_ITEM WITC_ACT(v.items.push_back(std::move(a)))
const auto world_entry =
    (mark >> attrs) >>
    (extern_r[WITC_PUSH_ITEM] | use_item_r[WITC_PUSH_ITEM] | alias_r[WITC_PUSH_ITEM] | flags_r[WITC_PUSH_ITEM] |
     resource_r[WITC_PUSH_ITEM] | record_r[WITC_PUSH_ITEM] | variant_r[WITC_PUSH_ITEM] | enum_r[WITC_PUSH_ITEM] |
     include_r[WITC_PUSH_ITEM] | expected_p{"`import`, `export`, `include`, `use`, or type definition"});

const auto world_r_def = T(tok::kw_world)[WITC_ACT(WITC_TAKE)] > ident[WITC_ACT(v.name = std::move(a))] >
                         T(tok::lbrace) > *((!T(tok::rbrace)) > world_entry) >
                         T(tok::rbrace)[WITC_ACT(v.span.end = te; v.items.shrink_to_fit())];

// ---- packages and files -------------------------------------------------------------------------------

const auto toplevel_entry =
    (mark >> attrs) >> (interface_r[WITC_PUSH_ITEM] | side_arena[world_r][WITC_PUSH_ITEM] | toplevel_use_r[WITC_PUSH_ITEM] |
                        nested_package_r[WITC_ACT(v.items.push_back(ast::box<ast::nested_package>(std::move(a))))] |
                        expected_p{"`world`, `interface` or `use`"});

const auto nested_package_r_def =
    T(tok::kw_package)[WITC_ACT(
        if (!st.pending_attrs.empty()) throw syntax_error{{tb, te}, "cannot place attributes on nested packages"};
        if (st.package_depth >= ast::max_package_depth) throw syntax_error{{tb, te}, "package nesting too deep"};
        ++st.package_depth; WITC_TAKE)] >
    package_name_r[WITC_ACT(v.name = std::move(a))] > T(tok::lbrace) > *((!T(tok::rbrace)) > toplevel_entry) >
    T(tok::rbrace)[WITC_ACT(--st.package_depth; v.span.end = te)];

// `package ns:name;` — but `package ns:name {` is a nested package, so the `;`
// is tried, not expected (wit-parser peeks the same way).
const auto package_decl_r_def =
    (T(tok::kw_package)[WITC_ACT(v.doc = st.docs_before(cur - 1); v.span.begin = tb)] >
     package_name_r[WITC_ACT(v.name = std::move(a))]) >>
    T(tok::semicolon)[WITC_ACT(v.span.end = te)];

const auto file_r_def = (-package_decl_r[WITC_ACT(v.package = std::move(a))] >>
                         *((!T(tok::eof)) > toplevel_entry)) >
                        T(tok::eof);
// The items after the file's first chunk (see `token_stream`): no package header.
const auto file_rest_r_def = *((!T(tok::eof)) > toplevel_entry) > T(tok::eof);

BOOST_SPIRIT_DEFINE(version_r, package_name_r, use_path_r, use_name_r, use_item_r, toplevel_use_r, attribute_r,
                    type_r, param_r, func_type_r, func_item_r, field_r, flag_r, case_r, enum_case_r)
BOOST_SPIRIT_DEFINE(alias_r, record_r, flags_r, variant_r, enum_r, resource_r, resource_tail_r, resource_func_r,
                    resource_func_body_r, iface_body_r, interface_r, extern_r)
BOOST_SPIRIT_DEFINE(include_tail_r, include_name_r, include_r, world_r, nested_package_r, package_decl_r, file_r, file_rest_r)

#undef WITC_TAKE
#undef WITC_PUSH
#undef WITC_PUSH_ITEM
#undef WITC_TAKE_NODOC
#undef WITC_ACT
#undef tb
#undef te
#undef last_end

}  // namespace witc::wit::parser::grammar
