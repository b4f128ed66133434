// The field names count, aggregate, format and drop read outside expressions
// (OperatorSpec::reads), so that flow check can put a caret under a misspelt
// one where it knows every field (docs/expressions.md).
#include <string_view>

#include "runtime/fields/count.hpp"
#include "runtime/fields/register.hpp"

namespace flow::fields {
namespace {

/// The text of an argument that names fields: a word arrives as its text
/// (ArgumentSpec::word), as does a string.
const std::string* text_of(const OperatorCall& call, const std::string& key) {
  auto found = call.args.find(key);
  return found == call.args.end() ? nullptr : std::get_if<std::string>(&found->second);
}

bool blank(char c) {
  return c == ' ' || c == '\t';
}

// The argument's keys: `name`, or each of a variadic one's `name.1`, `name.2`, ...
std::vector<std::string> keys_of(const OperatorCall& call, const std::string& name) {
  std::vector<std::string> keys;
  if (call.args.count(name) != 0) keys.push_back(name);
  for (std::size_t index = 1; call.args.count(variadic_key(name, index)) != 0; ++index)
    keys.push_back(variadic_key(name, index));
  return keys;
}

}  // namespace

std::vector<FieldRead> listed_fields(const OperatorCall& call, const std::vector<std::string>& arguments) {
  std::vector<FieldRead> reads;
  for (const auto& argument : arguments) {
    const auto* text = text_of(call, argument);
    if (text == nullptr) continue;
    // As count reads `by="status, method"`: comma-separated, blanks around each name dropped.
    for (std::size_t from = 0; from <= text->size();) {
      auto comma = std::min(text->find(',', from), text->size());
      auto begin = from, end = comma;
      while (begin < end && blank((*text)[begin])) ++begin;
      while (end > begin && blank((*text)[end - 1])) --end;
      if (end > begin) reads.push_back({text->substr(begin, end - begin), argument, begin});
      from = comma + 1;
    }
  }
  return reads;
}

std::vector<FieldRead> named_fields(const OperatorCall& call, const std::vector<std::string>& arguments) {
  std::vector<FieldRead> reads;
  for (const auto& argument : arguments) {
    for (const auto& key : keys_of(call, argument)) {
      const auto* text = text_of(call, key);
      if (text != nullptr && !text->empty()) reads.push_back({*text, key, 0});
    }
  }
  return reads;
}

std::vector<FieldRead> template_fields(const OperatorCall& call, const std::string& argument) {
  std::vector<FieldRead> reads;
  const auto* text = text_of(call, argument);
  if (text == nullptr) return reads;
  // As Template::parse reads it: `{{` and `}}` are literal braces, `{name}` a field.
  for (std::size_t i = 0; i < text->size(); ++i) {
    char c = (*text)[i];
    if ((c == '{' || c == '}') && i + 1 < text->size() && (*text)[i + 1] == c) {
      ++i;
      continue;
    }
    if (c != '{') continue;
    auto close = text->find_first_of("{}", i + 1);
    if (close == std::string::npos || (*text)[close] == '{') break;
    auto name = text->substr(i + 1, close - i - 1);
    // A message with no fields renders `{message}` as its payload, whatever the checker knows.
    if (!name.empty() && name != "message") reads.push_back({name, argument, i + 1});
    i = close;
  }
  return reads;
}

void declare_field_reads(OperatorRegistry& registry) {
  auto amend = [&registry](const std::string& name,
                           std::function<std::vector<FieldRead>(const OperatorCall&)> reads) {
    const auto* found = registry.find(name);
    if (found == nullptr) return;
    auto spec = *found;
    spec.reads = std::move(reads);
    registry.add(std::move(spec));
  };
  std::vector<std::string> counted{"by"};
  for (const auto& name : aggregation_names()) counted.push_back(name);
  amend("count", [counted](const OperatorCall& call) { return listed_fields(call, counted); });
  amend("aggregate", [counted](const OperatorCall& call) { return listed_fields(call, counted); });
  amend("format", [](const OperatorCall& call) { return template_fields(call, "as"); });
  amend("drop", [](const OperatorCall& call) { return named_fields(call, {"field", "more"}); });
}

}  // namespace flow::fields
