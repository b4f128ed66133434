// count() and aggregate() in the registry: their arguments, checks and what
// they do to fields (docs/windows.md).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "flow/arguments.hpp"
#include "runtime/fields/count.hpp"
#include "runtime/fields/register.hpp"

namespace flow::fields {
namespace {

constexpr std::int64_t kDefaultMaxKeys = 10000;

/// `status` or "status,method": the field names an argument gives.
std::vector<NameAt> names_at(const OperatorCall& call, const std::string& name, std::string& argument) {
  auto found = call.args.find(name);
  if (found == call.args.end()) return {};
  argument = name;
  std::string text;
  if (const auto* identifier = std::get_if<Identifier>(&found->second)) {
    text = identifier->name;
  } else if (const auto* written = std::get_if<std::string>(&found->second)) {
    text = *written;
  } else {
    throw std::invalid_argument(
        fmt::format("{} takes a field name (status) or several in a string "
                    "(\"status,method\"), got {}",
                    name, to_string(found->second)));
  }
  auto names = split_field_names(text);
  for (const auto& field : names) {
    if (field.name.empty())
      throw std::invalid_argument(fmt::format("{}: an empty field name in \"{}\"", name, text));
  }
  return names;
}

std::vector<std::string> field_names(const OperatorCall& call, const std::string& name,
                                     std::string& argument) {
  std::vector<std::string> names;
  for (auto& [field, offset] : names_at(call, name, argument)) names.push_back(std::move(field));
  return names;
}

// The checker's question: which fields by= and the aggregations name, and
// where. A call validate refuses names none (its error is reported already).
std::vector<FieldRead> count_reads(const OperatorCall& call) {
  std::vector<FieldRead> reads;
  std::vector<std::string> arguments{"by"};
  for (const auto& name : aggregation_names()) arguments.push_back(name);
  try {
    for (const auto& argument : arguments) {
      std::string key;
      for (auto& [field, offset] : names_at(call, argument, key))
        reads.push_back({std::move(field), key, offset});
    }
  } catch (const std::invalid_argument&) {
    return {};
  }
  return reads;
}

void read_aggregations(const OperatorCall& call, CountSpec& spec, std::string& argument) {
  for (const auto& name : aggregation_names()) {
    for (auto& field : field_names(call, name, argument)) {
      Aggregation aggregation;
      if (name == "sum") aggregation.kind = Aggregation::Kind::Sum;
      if (name == "min") aggregation.kind = Aggregation::Kind::Min;
      if (name == "max") aggregation.kind = Aggregation::Kind::Max;
      if (name == "avg") aggregation.kind = Aggregation::Kind::Avg;
      if (name.front() == 'p') {
        aggregation.kind = Aggregation::Kind::Percentile;
        aggregation.percent = std::stoi(name.substr(1));
      }
      aggregation.output = fmt::format("{}_{}", name, field);
      aggregation.field = std::move(field);
      spec.aggregations.push_back(std::move(aggregation));
    }
  }
}

std::string validate_count(const OperatorCall& call, std::string& argument) {
  try {
    auto spec = read_count_spec(call, argument);
    auto names = output_names(spec);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
          names.begin() + static_cast<std::ptrdiff_t>(i)) {
        return fmt::format(
            "the output would have the field '{}' twice; a key cannot be named count, "
            "window_start or window_end, nor an aggregation be asked twice",
            names[i]);
      }
    }
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

FieldChange count_fields(const OperatorCall& call) {
  std::string argument;
  FieldChange change;
  change.replaces = true;
  auto spec = read_count_spec(call, argument);
  for (const auto& name : spec.by) change.sets.emplace_back(name, FieldType::Any);
  change.sets.emplace_back("count", FieldType::Integer);
  for (const auto& aggregation : spec.aggregations) {
    // A sum, min or max is an integer only while every value was one.
    bool decimal =
        aggregation.kind == Aggregation::Kind::Avg || aggregation.kind == Aggregation::Kind::Percentile;
    change.sets.emplace_back(aggregation.output, decimal ? FieldType::Decimal : FieldType::Any);
  }
  change.sets.emplace_back("window_start", FieldType::Text);
  change.sets.emplace_back("window_end", FieldType::Text);
  return change;
}

OperatorSpec counting_spec(std::string name, std::string summary, bool aggregations) {
  OperatorSpec spec;
  spec.name = std::move(name);
  spec.role = Role::Stage;
  spec.summary = std::move(summary);
  // Field names, a bare word (`by=status`) or several in a string (`by="status,method"`).
  ArgumentSpec by{"by", ValueKind::String, false, std::nullopt, true};
  by.word = true;
  spec.args = {by,
               ArgumentSpec{"every", ValueKind::Duration, false, Duration{std::chrono::seconds(10)}, false},
               ArgumentSpec{"max_keys", ValueKind::Integer, false, Value{kDefaultMaxKeys}, false}};
  if (aggregations) {
    for (const auto& kind : aggregation_names()) {
      ArgumentSpec fields{kind, ValueKind::String, false, std::nullopt, false};
      fields.word = true;
      spec.args.push_back(fields);
    }
  }
  spec.make = [](const OperatorCall& call) {
    std::string argument;
    return make_counter(read_count_spec(call, argument));
  };
  spec.validate = validate_count;
  spec.fields = count_fields;
  spec.reads = count_reads;
  spec.plan = [](const OperatorCall& call) {
    OperatorPlan plan;
    plan.cost = Operator::Cost::Cheap;
    // It holds one message per key of each open window (and one for _other),
    // and lets them go when the window's time has passed.
    auto max_keys = optional_arg<std::int64_t>(call, "max_keys").value_or(kDefaultMaxKeys);
    plan.holds_back = HoldBack{static_cast<std::uint64_t>(std::max<std::int64_t>(1, max_keys)) + 2, true,
                               "max_keys", "every"};
    return plan;
  };
  return spec;
}

}  // namespace

const std::vector<std::string>& aggregation_names() {
  static const std::vector<std::string> names{"sum", "min", "max", "avg", "p50", "p90", "p99"};
  return names;
}

CountSpec read_count_spec(const OperatorCall& call, std::string& argument) {
  CountSpec spec;
  spec.by = field_names(call, "by", argument);
  if (auto every = optional_arg<Duration>(call, "every")) {
    argument = "every";
    if (every->value.count() <= 0) throw std::invalid_argument("every must be longer than 0s");
    spec.every = every->value;
  }
  if (auto max_keys = optional_arg<std::int64_t>(call, "max_keys")) {
    argument = "max_keys";
    if (*max_keys < 1)
      throw std::invalid_argument(fmt::format("max_keys must be at least 1, got {}", *max_keys));
    spec.max_keys = static_cast<std::size_t>(*max_keys);
  }
  read_aggregations(call, spec, argument);
  argument.clear();
  return spec;
}

std::vector<std::string> output_names(const CountSpec& spec) {
  std::vector<std::string> names = spec.by;
  names.emplace_back("count");
  for (const auto& aggregation : spec.aggregations) names.push_back(aggregation.output);
  names.emplace_back("window_start");
  names.emplace_back("window_end");
  return names;
}

void register_counting(OperatorRegistry& registry) {
  registry.add(counting_spec("count",
                             "one message per key per window of `every`: the key's fields, `count`, "
                             "window_start and window_end",
                             false));
  registry.add(counting_spec("aggregate",
                             "count() with sum, min, max, avg, p50, p90 and p99 of fields per key per window "
                             "(sum=bytes gives sum_bytes)",
                             true));
}

}  // namespace flow::fields
