#pragma once
// `--ui [ADDR:]PORT` of `flow run` and `flow status`: where the live page is
// served, and serving it (docs/watching.md, The live page).
#include <optional>
#include <string>
#include <string_view>

#include "cli/listen_address.hpp"
#include "cli/live_view.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::cli {

/// `9000` (on 127.0.0.1), `0` (a free port), or `ADDR:PORT` as --metrics-listen
/// takes it; nullopt with `error` set otherwise.
std::optional<ListenAddress> parse_ui_address(std::string_view text, std::string& error);

/// Lays `pipeline` out (as `flow dot` draws it), serves the page on `address`
/// and prints its URL on standard error. The URL, or nullopt after printing
/// why the address could not be bound. Without Graphviz's `dot` the page is
/// served all the same, with a warning, and says so where the graph would be.
std::optional<std::string> serve_ui(const ListenAddress& address, const Pipeline& pipeline,
                                    const OperatorRegistry& registry, std::optional<LiveView>& view);

}  // namespace flow::cli
