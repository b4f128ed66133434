#pragma once
// Named fields a message carries beside its text (docs/fields.md): made by
// the parsers (parse_json, parse_regex, parse(format=...)), read by
// expressions (where, set, route), keys (count, aggregate, partition) and
// format(). A field's value is text or a number.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "flow/payload.hpp"

namespace flow {

/// Text, an integer (kept exact) or a decimal: a value of its own (set(),
/// an expression's constant, a count's key).
using FieldValue = std::variant<std::string, std::int64_t, double>;
/// A value as a message's fields hold it: its text is a view, valid while
/// the fields are and until they next change.
using FieldView = std::variant<std::string_view, std::int64_t, double>;

FieldView view_of(const FieldValue& value);
FieldValue value_of(const FieldView& value);

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

/// A field name in a written list, and the byte of the list where it starts.
struct NameAt {
  std::string name;
  std::size_t offset = 0;
};
/// "status, method" (count's by=, partition=by(...)'s inside): the names
/// between the commas, blanks around each left out. An empty one is kept as
/// "" for the caller to refuse in its own words.
std::vector<NameAt> split_field_names(std::string_view list);

/// The value as text: numbers as a user would write them (`200`, `0.25`).
std::string field_text(const FieldView& value);

/// A field name that outlives every message (a parser's string literal):
/// fields keep a pointer to it rather than a copy.
struct StaticName {
  std::string_view text;
};

/// A message's fields, in the order they were first set. Few per message
/// (a log line's dozen), so a flat vector searched by name beats a map.
///
/// Parsing is the hot path (docs/performance_text.md): the parsed line is
/// held, not copied (a Payload shares read()'s block), and a text field cut
/// from it is an offset into it; names and other text go into one string of
/// the fields' own. A parsed line costs three allocations however many
/// fields it has.
class Fields {
 public:
  struct Entry {
    std::string_view name;
    FieldView value;
  };
  class Iterator;

  /// Holds `line` while the fields live and returns its bytes: text set from
  /// a view inside them is kept as an offset, not copied.
  std::string_view hold(const Payload& line);

  /// The value of `name`, or nullopt.
  std::optional<FieldView> find(std::string_view name) const;
  /// Sets `name`, replacing its value in place or adding it at the end; its
  /// text is copied unless it lies in the held line. (A FieldValue is set as
  /// view_of(value).)
  void set(std::string_view name, const FieldView& value);
  /// Adds `name` at the end without looking for it first: for a parser whose
  /// names are distinct by construction (an access log's), where set()'s
  /// search would cost more than the rest of the line.
  void add(std::string_view name, const FieldView& value);
  void add(StaticName name, const FieldView& value);
  /// Removes `name`; false when there was none.
  bool erase(std::string_view name);
  void clear();
  /// Room for `count` fields and `bytes` of names and copied text.
  void reserve(std::size_t count, std::size_t bytes = 0);
  bool empty() const { return slots_.empty(); }
  std::size_t size() const { return slots_.size(); }
  Entry at(std::size_t index) const;
  Iterator begin() const;
  Iterator end() const;
  bool operator==(const Fields& other) const;

 private:
  enum class Kind : std::uint8_t { Own, Held, Integer, Decimal };
  /// Where text lies: `at`/`size` into own_ (Own text) or held_ (Held text).
  struct Span {
    std::uint32_t at;
    std::uint32_t size;
  };
  /// A name and its value, 24 bytes: the name at `name.at` in own_, or at
  /// `name.pointer` for a StaticName.
  struct Slot {
    union {
      std::size_t at;
      const char* pointer;
    } name;
    union {
      Span text;
      std::int64_t integer;
      double decimal;
    };
    std::uint32_t name_size;
    Kind kind;
    bool static_name;
  };
  std::string_view name_of(const Slot& slot) const {
    return {slot.static_name ? slot.name.pointer : own_.data() + slot.name.at, slot.name_size};
  }
  FieldView value_of(const Slot& slot) const;
  Slot* slot_of(std::string_view name);
  void store(Slot& slot, const FieldView& value);
  Span append(std::string_view bytes);

  Payload held_;
  std::string own_;
  std::vector<Slot> slots_;
};

class Fields::Iterator {
 public:
  using value_type = Entry;
  using difference_type = std::ptrdiff_t;
  Iterator(const Fields* fields, std::size_t index) : fields_(fields), index_(index) {}
  Entry operator*() const { return fields_->at(index_); }
  Iterator& operator++() {
    ++index_;
    return *this;
  }
  bool operator==(const Iterator& other) const { return index_ == other.index_; }

 private:
  const Fields* fields_;
  std::size_t index_;
};

inline Fields::Iterator Fields::begin() const {
  return {this, 0};
}
inline Fields::Iterator Fields::end() const {
  return {this, slots_.size()};
}

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
  /// The value of `name`, or nullopt.
  std::optional<FieldView> find(std::string_view name) const {
    if (held_ == nullptr) return std::nullopt;
    return held_->fields.find(name);
  }
  /// Fields this message alone holds, made or copied as needed.
  Fields& edit();
  void reset();
  /// Fields are made and dropped once per parsed line: the last dropped on
  /// a thread, up to a chunk's worth (a parser makes a chunk of them, the
  /// where() after it drops most), are kept emptied for the next lines
  /// parsed there, so that a line costs no allocation (docs/performance_text.md).
  static constexpr std::size_t kKeptPerThread = 256;
  explicit operator bool() const { return held_ != nullptr && !held_->fields.empty(); }

 private:
  struct Held {
    std::atomic<std::uint32_t> refs{1};
    Fields fields;
  };
  class Kept;
  static Kept& kept();
  static Held* make();
  Held* held_ = nullptr;
};

}  // namespace flow
