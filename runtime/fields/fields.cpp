// Fields and the reference messages hold to them (flow/fields.hpp).
#include "flow/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "flow/model.hpp"

namespace flow {

FieldView view_of(const FieldValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return std::string_view(*text);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  return std::get<double>(value);
}

FieldValue value_of(const FieldView& value) {
  if (const auto* text = std::get_if<std::string_view>(&value)) return std::string(*text);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  return std::get<double>(value);
}

std::string field_text(const FieldView& value) {
  if (const auto* text = std::get_if<std::string_view>(&value)) return std::string(*text);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return fmt::format("{}", *integer);
  return fmt::format("{}", std::get<double>(value));
}

// Text kept as offsets into the line held before is copied first: the
// offsets would read the new line.
std::vector<NameAt> split_field_names(std::string_view list) {
  std::vector<NameAt> names;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  for (std::size_t from = 0;;) {
    auto end = std::min(list.find(',', from), list.size());
    auto begin = from;
    auto last = end;
    while (begin < last && blank(list[begin])) ++begin;
    while (last > begin && blank(list[last - 1])) --last;
    names.push_back({std::string(list.substr(begin, last - begin)), begin});
    if (end == list.size()) return names;
    from = end + 1;
  }
}

std::string_view Fields::hold(const Payload& line) {
  for (Slot& slot : slots_) {
    if (slot.kind != Kind::Held) continue;
    slot.kind = Kind::Own;
    slot.text = append(held_.view().substr(slot.text.at, slot.text.size));
  }
  held_ = line;
  return held_.view();
}

FieldView Fields::value_of(const Slot& slot) const {
  switch (slot.kind) {
    case Kind::Own:
      return std::string_view(own_.data() + slot.text.at, slot.text.size);
    case Kind::Held:
      return std::string_view(held_.data() + slot.text.at, slot.text.size);
    case Kind::Integer:
      return slot.integer;
    case Kind::Decimal:
      break;
  }
  return slot.decimal;
}

Fields::Entry Fields::at(std::size_t index) const {
  const Slot& slot = slots_[index];
  return {name_of(slot), value_of(slot)};
}

std::optional<FieldView> Fields::find(std::string_view name) const {
  for (const Slot& slot : slots_) {
    if (name_of(slot) == name) return value_of(slot);
  }
  return std::nullopt;
}

Fields::Slot* Fields::slot_of(std::string_view name) {
  for (Slot& slot : slots_) {
    if (name_of(slot) == name) return &slot;
  }
  return nullptr;
}

Fields::Span Fields::append(std::string_view bytes) {
  Span span{static_cast<std::uint32_t>(own_.size()), static_cast<std::uint32_t>(bytes.size())};
  own_.append(bytes);
  return span;
}

namespace {
bool inside(std::string_view part, std::string_view whole) {
  std::less_equal<const char*> before;
  return !whole.empty() && before(whole.data(), part.data()) &&
         before(part.data() + part.size(), whole.data() + whole.size());
}
}  // namespace

// Text inside the held line is kept as its offset there. Other text is
// copied into own_; a `text` that lies in own_ (a field's own value set
// again under another name) is copied by its offset, as append may move own_.
void Fields::store(Slot& slot, const FieldView& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    slot.kind = Kind::Integer;
    slot.integer = *integer;
    return;
  }
  if (const auto* decimal = std::get_if<double>(&value)) {
    slot.kind = Kind::Decimal;
    slot.decimal = *decimal;
    return;
  }
  auto text = std::get<std::string_view>(value);
  if (auto line = held_.view(); inside(text, line)) {
    slot.kind = Kind::Held;
    slot.text = {static_cast<std::uint32_t>(text.data() - line.data()),
                 static_cast<std::uint32_t>(text.size())};
    return;
  }
  slot.kind = Kind::Own;
  if (inside(text, own_)) {
    auto at = static_cast<std::size_t>(text.data() - own_.data());
    slot.text = {static_cast<std::uint32_t>(own_.size()), static_cast<std::uint32_t>(text.size())};
    own_.append(own_, at, text.size());
    return;
  }
  slot.text = append(text);
}

void Fields::set(std::string_view name, const FieldView& value) {
  if (Slot* slot = slot_of(name)) {
    store(*slot, value);
    return;
  }
  add(name, value);
}

// The slot is filled where it lies: one built aside and copied in stalls
// the copy on its halves' separate stores (a quarter of a parse's time).
// The value goes in first, then the name. Both may view own_, which each
// append may move; store() copies a value of own_ by its offset, and a name
// of own_ (rare: a field named by another's value) is copied aside first.
void Fields::add(std::string_view name, const FieldView& value) {
  std::string aside;
  if (inside(name, own_)) name = aside.assign(name);
  Slot& slot = slots_.emplace_back();
  store(slot, value);
  Span at = append(name);
  slot.name.at = at.at;
  slot.name_size = at.size;
}

void Fields::add(StaticName name, const FieldView& value) {
  Slot& slot = slots_.emplace_back();
  slot.name.pointer = name.text.data();
  slot.name_size = static_cast<std::uint32_t>(name.text.size());
  slot.static_name = true;
  store(slot, value);
}

bool Fields::erase(std::string_view name) {
  auto found = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return name_of(s) == name; });
  if (found == slots_.end()) return false;
  slots_.erase(found);
  return true;
}

void Fields::clear() {
  slots_.clear();
  own_.clear();
  held_ = Payload();
}

void Fields::reserve(std::size_t count, std::size_t bytes) {
  slots_.reserve(count);
  own_.reserve(bytes);
}

bool Fields::operator==(const Fields& other) const {
  if (size() != other.size()) return false;
  for (std::size_t i = 0; i < size(); ++i) {
    auto mine = at(i);
    auto theirs = other.at(i);
    if (mine.name != theirs.name || mine.value != theirs.value) return false;
  }
  return true;
}

static_assert(FieldsRef::kKeptPerThread >= kLargestChunk, "a chunk's fields are kept whole");

namespace {
// Set when this thread's Kept is gone (thread exit): a FieldsRef released
// later, by another thread_local's or a static's destructor, frees its own.
thread_local bool kept_gone = false;
}  // namespace

// The emptied Held kept on this thread (FieldsRef::kKeptPerThread), each
// with the room its fields had: one thread makes and drops them (a parser
// and the where() after it), so no lock is needed and none is taken.
class FieldsRef::Kept {
 public:
  Kept() = default;
  Kept(const Kept&) = delete;
  Kept& operator=(const Kept&) = delete;
  ~Kept() {
    kept_gone = true;
    for (Held* held : held_) delete held;
  }
  Held* take() {
    if (held_.empty()) return new Held;
    Held* held = held_.back();
    held_.pop_back();
    held->refs.store(1, std::memory_order_relaxed);
    return held;
  }
  void give(Held* held) {
    if (held_.size() == kKeptPerThread) {
      delete held;
      return;
    }
    held->fields.clear();
    held_.push_back(held);
  }

 private:
  std::vector<Held*> held_;
};

FieldsRef::Kept& FieldsRef::kept() {
  thread_local Kept kept;
  return kept;
}

FieldsRef::Held* FieldsRef::make() {
  return kept_gone ? new Held : kept().take();
}

Fields& FieldsRef::edit() {
  if (held_ == nullptr) {
    held_ = make();
  } else if (held_->refs.load(std::memory_order_acquire) != 1) {
    Held* own = make();
    own->fields = held_->fields;
    reset();
    held_ = own;
  }
  return held_->fields;
}

void FieldsRef::reset() {
  if (held_ == nullptr) return;
  if (held_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (kept_gone) {
      delete held_;
    } else {
      kept().give(held_);
    }
  }
  held_ = nullptr;
}

}  // namespace flow
