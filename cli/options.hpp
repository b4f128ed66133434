#pragma once
// Command-line values written in the language's own syntax: durations (`500ms`),
// sizes (`64MiB`) and `--set NODE.KEY=VALUE` overrides.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "flow/load.hpp"

namespace flow::cli {

/// Parses a duration such as `500ms` or `1.5s`; nullopt with `error` set otherwise.
std::optional<std::chrono::nanoseconds> parse_duration(const std::string& text, std::string& error);

/// Parses a time since the start of a run, such as `0s` or `2.5s`: a duration, zero allowed.
std::optional<std::chrono::nanoseconds> parse_time(const std::string& text, std::string& error);

/// Parses a size such as `64MiB` or `16B`; nullopt with `error` set otherwise.
std::optional<std::uint64_t> parse_size(const std::string& text, std::string& error);

/// The most worker threads `--threads` accepts. A fixed number, not one from
/// the machine, so a command line behaves alike everywhere; a thousand workers
/// already exceed any core count `flow` is run on, and far larger pools make
/// TBB abort when the OS refuses the threads.
inline constexpr int max_threads = 1024;

/// Parses the `--threads` count: a whole number from 1 to max_threads.
std::optional<int> parse_threads(const std::string& text, std::string& error);

/// Splits `NODE.KEY=VALUE` into an Override; nullopt with `error` set when malformed.
/// The value is checked later by `flow::load`, which reports it against the node.
std::optional<Override> parse_override(const std::string& text, std::string& error);

}  // namespace flow::cli
