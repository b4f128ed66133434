#pragma once
// `--part NAME`: the part of a pipeline one process runs (docs/distributed.md),
// for `flow check` and `flow run`. Both refuse a name the file does not give,
// with the same message.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "flow/model.hpp"

namespace flow::cli {

/// Adds `--part NAME` to `app`; the name goes into `part` (nullopt when not given).
void add_part_option(CLI::App& app, std::optional<std::string>& part, const char* description);

/// Why `--part PART` cannot select a part of `pipeline`, as the whole message
/// for print_error, or nullopt when it can:
///   "--part x: FILE names no parts (part=NAME on its nodes, docs/language.md)"
///   "--part frnt: unknown part 'frnt' in FILE; expected one of front, middle, back; did you mean 'front'?"
/// FILE is the file the pipeline was read from, else the pipeline's name.
std::optional<std::string> part_error(const Pipeline& pipeline, const std::string& part);

/// One line for a file that has parts, without a newline, "" for one without:
///   "FILE: parts front (ingest, validate), back (store); cut edges validate -> store (front -> back)"
/// Nodes without `part=` are listed as "no part (a, b)".
std::string parts_line(const Pipeline& pipeline);

}  // namespace flow::cli
