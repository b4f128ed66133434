#pragma once
// Named fields a message carries beside its text (docs/fields.md): made by
// the parsers (parse_json, parse_regex, parse(format=...)), read by
// expressions (where, set, route), keys (count, aggregate, partition) and
// format(). A field's value is text or a number.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace flow {

/// Text, an integer (kept exact) or a decimal.
using FieldValue = std::variant<std::string, std::int64_t, double>;

/// What the checker knows of a field's values (docs/fields.md).
enum class FieldType { Any, Text, Integer, Decimal };

/// What an operator does to a message's fields, for the checker: the names
/// it sets (with their types), the names it removes, and whether it sets
/// names that only the input decides (parse_json).
struct FieldChange {
  std::vector<std::pair<std::string, FieldType>> sets;
  std::vector<std::string> removes;
  bool sets_unknown = false;
  /// Every field it was given is gone: the output has `sets` alone (count,
  /// aggregate make new messages of their own).
  bool replaces = false;
};

/// The value as text: numbers as a user would write them (`200`, `0.25`).
std::string field_text(const FieldValue& value);

/// A message's fields, in the order they were first set. Few per message
/// (a log line's dozen), so a flat vector searched by name beats a map.
class Fields {
 public:
  using Entry = std::pair<std::string, FieldValue>;

  /// The value of `name`, or nullptr.
  const FieldValue* find(std::string_view name) const;
  /// Sets `name`, replacing its value in place or adding it at the end.
  void set(std::string_view name, FieldValue value);
  /// Removes `name`; false when there was none.
  bool erase(std::string_view name);
  void clear() { entries_.clear(); }
  void reserve(std::size_t n) { entries_.reserve(n); }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  bool operator==(const Fields&) const = default;

 private:
  std::vector<Entry> entries_;
};

/// A message's reference to its fields, 8 bytes: shared by a message's
/// copies (broadcast), copied on the first edit of a shared one. Empty for a
/// message no parser has touched.
class FieldsRef {
 public:
  FieldsRef() = default;
  FieldsRef(const FieldsRef& other) : held_(other.held_) {
    if (held_ != nullptr) held_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  FieldsRef(FieldsRef&& other) noexcept : held_(std::exchange(other.held_, nullptr)) {}
  FieldsRef& operator=(FieldsRef other) noexcept {
    std::swap(held_, other.held_);
    return *this;
  }
  ~FieldsRef() { reset(); }

  /// The fields, or nullptr when the message has none.
  const Fields* get() const { return held_ == nullptr ? nullptr : &held_->fields; }
  /// The value of `name`, or nullptr.
  const FieldValue* find(std::string_view name) const { return held_ == nullptr ? nullptr : held_->fields.find(name); }
  /// Fields this message alone holds, made or copied as needed.
  Fields& edit();
  void reset();
  explicit operator bool() const { return held_ != nullptr && !held_->fields.empty(); }

 private:
  struct Held {
    std::atomic<std::uint32_t> refs{1};
    Fields fields;
  };
  Held* held_ = nullptr;
};

}  // namespace flow
