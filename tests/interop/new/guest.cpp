// The guest of the `component new` interop test: each export calls the host's echo of
// the same type and returns what came back, changed a little, so the JS caller sees the
// value crossed the boundary four times (lift, lower, lift, lower).
#include <cctype>
#include <string>

#include "guest.hpp"

namespace api = exports::witc::newtest::api;
namespace host = witc::newtest::host;
using witc::newtest::types::color;
using witc::newtest::types::point;
using witc::newtest::types::shape;
using witc::newtest::types::style;

namespace exports::witc::newtest::api {

point point_plus(point p) {
  point q = host::echo_point(p);
  q.x += 1;
  q.y += 2;
  q.label = std::string(q.label.view()) + "!";
  return q;
}

shape shape_scale(shape s) {
  shape r = host::echo_shape(s);
  if (r.is_circle()) return shape::circle(r.as_circle() * 2);
  if (r.is_rect()) {
    point p = r.as_rect();
    p.x *= 2;
    p.y *= 2;
    return shape::rect(std::move(p));
  }
  return shape::empty();
}

wit::vector<wit::string> list_upper(std::span<const wit::string> xs) {
  wit::vector<wit::string> back = host::echo_list(xs);
  std::vector<wit::string> out;
  for (const auto& s : back) {
    std::string u(s.view());
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out.emplace_back(u);
  }
  return wit::vector<wit::string>(std::move(out));
}

std::optional<std::uint32_t> opt_double(std::optional<std::uint32_t> x) {
  auto r = host::echo_opt(x);
  if (!r) return std::nullopt;
  return *r * 2;
}

wit::expected<wit::string, std::uint32_t> res_flip(wit::expected<wit::string, std::uint32_t> x) {
  auto r = host::echo_res(x);
  if (r) return wit::unexpected(static_cast<std::uint32_t>(r->size()));
  return wit::string(std::to_string(r.error()));
}

color color_next(color c) {
  color r = host::echo_color(c);
  return r == color::red ? color::green : r == color::green ? color::blue : color::red;
}

style style_toggle(style s) { return host::echo_style(s) ^ style::italic; }

namespace {
class my_counter : public counter {
 public:
  explicit my_counter(std::int32_t start) : n_(start) {}
  ~my_counter() override { host::log("counter dropped"); }
  std::int32_t add(std::int32_t n) override { return n_ += n; }
  wit::string describe() override { return wit::string("counter at " + std::to_string(n_)); }

 private:
  std::int32_t n_;
};
}  // namespace

wit::own<counter> counter::create(std::int32_t start) { return wit::own<counter>::make<my_counter>(start); }

}  // namespace exports::witc::newtest::api
