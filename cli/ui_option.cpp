#include "cli/ui_option.hpp"

#include <fmt/format.h>

#include "cli/graph_svg.hpp"
#include "cli/load.hpp"
#include "cli/output_file.hpp"
#include "flow/dot.hpp"

namespace flow::cli {

std::optional<ListenAddress> parse_ui_address(std::string_view text, std::string& error) {
  // A bare port keeps the page on this machine, as --metrics-port does.
  if (text.find(':') == std::string_view::npos) {
    auto port = parse_port(text, error);
    if (!port) return std::nullopt;
    return ListenAddress{"127.0.0.1", *port};
  }
  return parse_listen_address(text, error);
}

std::optional<std::string> serve_ui(const ListenAddress& address, const Pipeline& pipeline,
                                    const OperatorRegistry& registry, std::optional<LiveView>& view) {
  std::string graph_error;
  auto svg = render_svg(to_dot(pipeline, registry), graph_error);
  if (!svg) {
    graph_error = fmt::format("Graphviz could not lay the pipeline out ({}): install graphviz", graph_error);
    write_stderr(fmt::format("flow: warning: ui: {}\n", graph_error));
  }
  view.emplace(svg.value_or(""), graph_error);
  std::string error;
  auto bound = view->start(address, error);
  if (!bound) {
    view.reset();
    return print_error(fmt::format("ui: {}", error)), std::nullopt;
  }
  auto url = url_of(*bound, "/");
  write_stderr(fmt::format("flow: ui at {}\n", url));
  return url;
}

}  // namespace flow::cli
