// The component's code: define each export `witc bindgen` declared in hello.hpp.
#include <algorithm>
#include <string_view>

#include "hello.hpp"

namespace exports::example::hello::hello {

wit::string greet(std::string_view name) {
  constexpr std::string_view prefix = "Hello, ";
  // One allocation, exactly the result the host reads back; the glue frees it after.
  auto out = wit::string::with_size(prefix.size() + name.size() + 1);
  char* p = std::copy(prefix.begin(), prefix.end(), out.data());
  p = std::copy(name.begin(), name.end(), p);
  *p = '!';
  return out;
}

}  // namespace exports::example::hello::hello
