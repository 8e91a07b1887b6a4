// `witc component wit FILE`: prints the WIT of a component or of an encoded WIT
// package; given WIT (a file or a package directory) it prints it normalised, or
// with `--wasm` writes the package encoded as a component.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "command.hpp"
#include "file_io.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/load.hpp"

namespace {
struct wit_opts {
  std::string path;
  std::string output;
  bool wasm = false;
  bool wat = false;
};

int report(const witc::diagnostics& ds, const witc::source_map& sm) {
  fmt::print(stderr, "{}", witc::render(ds, sm, isatty(2) != 0));
  return witc::cli::exit_error;
}

int emit(const wit_opts& o, std::string_view bytes) {
  if (!witc::cli::write_output(o.output, bytes)) {
    fmt::print(stderr, "error: cannot write `{}`\n", o.output);
    return witc::cli::exit_error;
  }
  return witc::cli::exit_ok;
}

int run_wit(const wit_opts& o) {
  witc::source_map sm;
  std::error_code ec;
  std::optional<std::uint32_t> base;
  if (!std::filesystem::is_directory(o.path, ec)) {
    std::ifstream in(o.path, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in && text.substr(0, 4) == std::string("\0asm", 4)) {
      base = sm.add(o.path, std::move(text), true);
    } else if (in && witc::wit::is_binary_wit(o.path, text)) {
      // The text format: parsed, encoded, then read as the binary would be.
      std::size_t index = sm.files().size();
      sm.add(o.path, std::move(text));
      auto bytes = witc::binary::wat_to_wasm(sm, index);
      if (!bytes) return report(bytes.error(), sm);
      base = sm.add(o.path + " (encoded)", std::string(bytes->begin(), bytes->end()), true);
    }
  }
  if (base) {
    const auto& stored = sm.files().back().text;
    auto d = witc::binary::decode_wit(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(stored.data()), stored.size()), *base);
    if (!d) return report(d.error(), sm);
    std::string out;
    for (auto p : d->packages) out += (out.empty() ? "" : "\n") + witc::binary::print_wit(d->resolve, p);
    return emit(o, out);
  }
  witc::wit::resolve r;
  r.all_features = true;
  auto pkgs = witc::wit::push_path(r, sm, o.path, witc::wit::load_options{&witc::binary::push_binary_wit});
  if (!pkgs) return report(pkgs.error(), sm);
  if (o.wasm || o.wat) {
    if (pkgs->size() != 1) {
      fmt::print(stderr, "error: `--{}` encodes one package, found {}\n", o.wat ? "wat" : "wasm", pkgs->size());
      return witc::cli::exit_error;
    }
    auto bytes = witc::binary::encode_package(r, pkgs->front());
    if (!bytes) return report(bytes.error(), sm);
    if (o.wat) {
      auto comp = witc::binary::read_component(*bytes);
      if (!comp) return report(comp.error(), sm);
      auto text = witc::binary::print_wat(*comp);
      if (!text) return report(text.error(), sm);
      return emit(o, *text);
    }
    return emit(o, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  }
  std::string out;
  for (auto p : *pkgs) out += (out.empty() ? "" : "\n") + witc::binary::print_wit(r, p);
  return emit(o, out);
}
}  // namespace

WITC_COMMAND(component_wit, "print the WIT of a component or an encoded WIT package") {
  auto o = std::make_shared<wit_opts>();
  cmd.add_option("path", o->path, "a component or an encoded WIT package (binary or `.wat` text), or WIT (file or directory)")->required();
  cmd.add_option("-o,--output", o->output, "where to write (default: standard output)");
  cmd.add_flag("--wasm", o->wasm, "encode the WIT package as a component instead of printing it");
  cmd.add_flag("--wat", o->wat, "encode the WIT package as a component in the text format");
  return [o] { return run_wit(*o); };
}
