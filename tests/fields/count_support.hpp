#pragma once
// Test-only operators for the count and format tests, until a parser is
// merged: `kv()` sets fields from a `t=MS key=value ...` payload (integers,
// decimals, text) and puts the message at its `t` ms after the first
// message's time, so windows follow from the input file.
#include <atomic>
#include <charconv>
#include <mutex>
#include <string>
#include <string_view>

#include "flow/flow.hpp"

namespace flow::test {

inline FieldValue typed(std::string_view text) {
  std::int64_t integer = 0;
  const char* last = text.data() + text.size();
  if (auto [end, error] = std::from_chars(text.data(), last, integer); error == std::errc() && end == last)
    return integer;
  double decimal = 0;
  if (auto [end, error] = std::from_chars(text.data(), last, decimal); error == std::errc() && end == last)
    return decimal;
  return std::string(text);
}

class KeyValues final : public Operator {
 public:
  void apply(Chunk& messages, OperatorContext&) override {
    for (auto& message : messages) {
      std::lock_guard lock(mutex_);
      if (!origin_) origin_ = message.created;
      std::string_view text = message.payload.view();
      Fields& fields = message.fields.edit();
      while (!text.empty()) {
        auto space = text.find(' ');
        auto pair = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        auto equals = pair.find('=');
        if (equals == std::string_view::npos) continue;
        auto name = pair.substr(0, equals);
        auto value = pair.substr(equals + 1);
        if (name == "t") {
          message.created = *origin_ + std::chrono::milliseconds(std::get<std::int64_t>(typed(value)));
        } else {
          fields.set(name, flow::view_of(typed(value)));
        }
      }
    }
  }

 private:
  std::mutex mutex_;
  std::optional<Clock::time_point> origin_;
};

/// The built-ins and kv().
inline OperatorRegistry registry_with_kv() {
  OperatorRegistry registry;
  register_builtin_operators(registry);
  OperatorSpec spec;
  spec.name = "kv";
  spec.summary = "test only: fields from key=value pairs";
  spec.make = [](const OperatorCall&) { return std::make_unique<KeyValues>(); };
  // The input decides the names, as parse_json's: flow check then knows none of them.
  spec.fields = [](const OperatorCall&) {
    FieldChange change;
    change.sets_unknown = true;
    return change;
  };
  registry.add(std::move(spec));
  return registry;
}

}  // namespace flow::test
