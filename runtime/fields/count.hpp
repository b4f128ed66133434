#pragma once
// Internal to runtime/fields: count() and aggregate() (docs/windows.md).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flow/model.hpp"
#include "flow/operator.hpp"

namespace flow::fields {

/// One aggregation: `p99=ms` gives the field `p99_ms`.
struct Aggregation {
  enum class Kind { Sum, Min, Max, Avg, Percentile };
  Kind kind = Kind::Sum;
  int percent = 0;     ///< for Percentile: 50, 90 or 99
  std::string field;   ///< the field read
  std::string output;  ///< the field written
};

/// What a count() or aggregate() call asks for, read from its arguments.
struct CountSpec {
  std::vector<std::string> by;  ///< the key's fields; none: one count per window
  std::chrono::nanoseconds every{std::chrono::seconds(10)};
  std::size_t max_keys = 10000;
  std::vector<Aggregation> aggregations;
};

/// The names of aggregate()'s aggregation arguments, as written: sum, min, ...
const std::vector<std::string>& aggregation_names();

/// Reads a call; throws std::invalid_argument with the message for the user,
/// after naming the argument at fault in `argument`.
CountSpec read_count_spec(const OperatorCall& call, std::string& argument);

/// The fields of the messages count() and aggregate() give out, in order.
std::vector<std::string> output_names(const CountSpec& spec);

std::unique_ptr<Operator> make_counter(CountSpec spec);

}  // namespace flow::fields
