// Fields and the reference messages hold to them (flow/fields.hpp).
#include "flow/fields.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace flow {

std::string field_text(const FieldValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return fmt::format("{}", *integer);
  return fmt::format("{}", std::get<double>(value));
}

const FieldValue* Fields::find(std::string_view name) const {
  auto found =
      std::find_if(entries_.begin(), entries_.end(), [name](const Entry& e) { return e.first == name; });
  return found == entries_.end() ? nullptr : &found->second;
}

void Fields::set(std::string_view name, FieldValue value) {
  auto found =
      std::find_if(entries_.begin(), entries_.end(), [name](const Entry& e) { return e.first == name; });
  if (found != entries_.end()) {
    found->second = std::move(value);
    return;
  }
  entries_.emplace_back(std::string(name), std::move(value));
}

bool Fields::erase(std::string_view name) {
  auto found =
      std::find_if(entries_.begin(), entries_.end(), [name](const Entry& e) { return e.first == name; });
  if (found == entries_.end()) return false;
  entries_.erase(found);
  return true;
}

Fields& FieldsRef::edit() {
  if (held_ == nullptr) {
    held_ = new Held;
  } else if (held_->refs.load(std::memory_order_acquire) != 1) {
    auto* own = new Held;
    own->fields = held_->fields;
    reset();
    held_ = own;
  }
  return held_->fields;
}

void FieldsRef::reset() {
  if (held_ == nullptr) return;
  if (held_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete held_;
  held_ = nullptr;
}

}  // namespace flow
