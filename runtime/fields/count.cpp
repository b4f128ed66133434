// count() and aggregate(): messages counted by key over tumbling windows of
// their time (Message::created), one message out per key per window
// (docs/windows.md).
#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "runtime/fields/count.hpp"
#include "runtime/fields/render.hpp"
#include "runtime/fields/stats.hpp"

namespace flow::fields {
namespace {

/// The key of keys past max_keys: every field of the key says it.
constexpr std::string_view kOther = "_other";

/// Heterogeneous lookup: a key built in a reused buffer finds its slot without a copy.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

/// One key in one window: the message it continues, the key's values, and
/// what it counted.
struct Slot {
  Message carrier;
  std::vector<FieldValue> key;
  std::uint64_t count = 0;
  std::vector<FieldStats> stats;  ///< per distinct field aggregated
};

struct Window {
  std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>> index;  ///< key → slot
  std::vector<Slot> slots;  ///< in the order their keys first came
  std::optional<std::size_t> other;
};

/// A window going out, a flush's room of rows at a time: taken out of the
/// open ones, so a message for it from here on opens it again (late).
struct Closing {
  std::int64_t index = 0;
  Window window;
  std::size_t next = 0;  ///< the next slot to give out
  std::string start, end;
};

class Counter final : public Operator {
 public:
  explicit Counter(CountSpec spec)
      : spec_(std::move(spec)), wall_origin_(std::chrono::system_clock::now()), clock_origin_(Clock::now()) {
    for (const auto& aggregation : spec_.aggregations) {
      auto found = std::find(fields_.begin(), fields_.end(), aggregation.field);
      stat_of_.push_back(static_cast<std::size_t>(found - fields_.begin()));
      if (found == fields_.end()) {
        fields_.push_back(aggregation.field);
        percentiles_.push_back(false);
      }
      if (aggregation.kind == Aggregation::Kind::Percentile) percentiles_[stat_of_.back()] = true;
    }
  }

  void apply(Chunk& messages, OperatorContext& context) override {
    std::lock_guard lock(mutex_);
    for (auto& message : messages) take(message, context);
    messages.clear();
  }

  bool holds_messages() const override { return true; }

  std::optional<Clock::time_point> flush_deadline() const override {
    std::lock_guard lock(mutex_);
    if (closing_) return window_start(closing_->index + 1);  // past: its other rows are due
    if (windows_.empty()) return std::nullopt;
    return window_start(windows_.begin()->first + 1);
  }

  void input_ended() override {
    std::lock_guard lock(mutex_);
    ended_ = true;
  }

  void flush(Chunk& out) override { flush_some(out, std::numeric_limits<std::size_t>::max()); }

  // A window of max_keys rows may be more than the room downstream: the
  // rows go out `most` at a time, so an edge never holds past its capacity.
  void flush_some(Chunk& out, std::size_t most) override {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    std::size_t given = 0;
    while (given < most) {
      if (!closing_ && !close_next(now)) return;
      given += emit(*closing_, out, most - given);
      if (closing_->next < closing_->window.slots.size()) return;
      closing_.reset();
      windows_done_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  std::int64_t flush_resized() override {
    std::lock_guard lock(mutex_);
    return std::exchange(made_bytes_, 0);
  }

  std::vector<std::pair<std::string, std::uint64_t>> counts() const override {
    return {{"overflowed", overflowed_.load(std::memory_order_relaxed)},
            {"windows", windows_done_.load(std::memory_order_relaxed)},
            {"late", late_.load(std::memory_order_relaxed)}};
  }

 private:
  // Caller holds mutex_. A batch is its members, each counted by its own key
  // and time, as where() and parse() read them: a batch has no fields, and
  // as a carrier it would print its members' lines instead of the row.
  void take(Message& message, OperatorContext& context) {
    if (message.is_batch()) {
      for (auto& member : message.members) take(member, context);
      return;
    }
    if (!origin_) origin_ = message.created;
    auto since = message.created - *origin_;
    // Floor division: a message older than the first one (another worker's) falls in an earlier window.
    auto index = since.count() / spec_.every.count();
    if (since.count() < 0 && since.count() % spec_.every.count() != 0) --index;
    // Its window already went out (it waited long on an edge): it opens it
    // again, and a second row for that window follows.
    if (closed_below_ && index < *closed_below_) late_.fetch_add(1, std::memory_order_relaxed);
    Window& window = windows_[index];
    Slot& slot = slot_for(window, message);
    ++slot.count;
    if (const Fields* fields = message.fields.get()) {
      for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (auto value = fields->find(fields_[i])) slot.stats[i].add(*value);
      }
    }
    if (slot.count != 1) {
      context.filtered(message);
      return;
    }
    // The slot's first message goes on as its output (its receipt, source and
    // time): the source's balance holds, one message in for each that goes out.
    context.resized(-static_cast<std::int64_t>(message.payload.size()));
    slot.carrier = std::move(message);
    slot.carrier.payload = std::string();
    slot.carrier.fields.reset();
  }

  Slot& slot_for(Window& window, const Message& message) {
    key_.clear();
    found_.clear();
    const Fields* fields = message.fields.get();
    for (const auto& name : spec_.by) {
      // A message without the field counts under the empty key, as awk's $9 is "" on a short line.
      auto value = fields != nullptr ? fields->find(name) : std::nullopt;
      found_.push_back(value);
      if (value) append_key(*value);
      key_ += '\x1f';  // the unit separator: "a b" + "c" is not "a" + "b c"
    }
    if (auto found = window.index.find(std::string_view(key_)); found != window.index.end())
      return window.slots[found->second];
    if (window.slots.size() - (window.other ? 1 : 0) >= spec_.max_keys) {
      overflowed_.fetch_add(1, std::memory_order_relaxed);
      if (window.other) return window.slots[*window.other];
      window.other = window.slots.size();
      Slot& other = new_slot(window);
      other.key.assign(spec_.by.size(), FieldValue(std::string(kOther)));
      return other;
    }
    window.index.emplace(key_, window.slots.size());
    Slot& slot = new_slot(window);
    // The values are copied once per key and window, not per message.
    for (const auto& value : found_) slot.key.push_back(value ? value_of(*value) : FieldValue(std::string()));
    return slot;
  }

  /// The value's text, as field_text gives it, with no string of its own.
  void append_key(const FieldView& value) {
    if (const auto* text = std::get_if<std::string_view>(&value)) {
      key_ += *text;
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      fmt::format_to(std::back_inserter(key_), "{}", *integer);
    } else {
      fmt::format_to(std::back_inserter(key_), "{}", std::get<double>(value));
    }
  }

  Slot& new_slot(Window& window) {
    Slot& slot = window.slots.emplace_back();
    slot.stats.reserve(fields_.size());
    for (std::size_t i = 0; i < fields_.size(); ++i) slot.stats.emplace_back(percentiles_[i]);
    return slot;
  }

  Clock::time_point window_start(std::int64_t index) const {
    return *origin_ + std::chrono::duration_cast<Clock::duration>(spec_.every * index);
  }

  std::string wall_time(Clock::time_point at) const {
    return rfc3339(wall_origin_ +
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(at - clock_origin_));
  }

  // Caller holds mutex_: the first open window, when it is due, becomes closing_.
  bool close_next(Clock::time_point now) {
    if (windows_.empty()) return false;
    auto first = windows_.begin();
    if (!ended_ && window_start(first->first + 1) > now) return false;
    closed_below_ = std::max(closed_below_.value_or(first->first + 1), first->first + 1);
    Closing& closing = closing_.emplace();
    closing.index = first->first;
    closing.window = std::move(first->second);
    windows_.erase(first);
    Window& window = closing.window;
    // The overflow row goes last, after the keys in the order they came.
    if (window.other && *window.other + 1 != window.slots.size()) {
      std::rotate(window.slots.begin() + static_cast<std::ptrdiff_t>(*window.other),
                  window.slots.begin() + static_cast<std::ptrdiff_t>(*window.other) + 1, window.slots.end());
    }
    closing.start = wall_time(window_start(closing.index));
    closing.end = wall_time(window_start(closing.index + 1));
    return true;
  }

  /// Gives out up to `most` rows of the closing window; returns how many.
  std::size_t emit(Closing& closing, Chunk& out, std::size_t most) {
    std::size_t given = 0;
    for (; given < most && closing.next < closing.window.slots.size(); ++given) {
      Slot& slot = closing.window.slots[closing.next++];
      Message& row = slot.carrier;
      Fields& fields = row.fields.edit();
      fields.reserve(spec_.by.size() + 3 + spec_.aggregations.size());
      for (std::size_t i = 0; i < spec_.by.size(); ++i) fields.set(spec_.by[i], view_of(slot.key[i]));
      fields.set("count", static_cast<std::int64_t>(slot.count));
      for (std::size_t i = 0; i < spec_.aggregations.size(); ++i)
        aggregate(spec_.aggregations[i], slot, i, fields);
      fields.set("window_start", closing.start);
      fields.set("window_end", closing.end);
      std::string text;
      append_logfmt(text, fields);
      made_bytes_ += static_cast<std::int64_t>(text.size());
      row.payload = std::move(text);
      out.push_back(std::move(row));
    }
    return given;
  }

  void aggregate(const Aggregation& aggregation, const Slot& slot, std::size_t i, Fields& fields) const {
    const FieldStats& stats = slot.stats[stat_of_[i]];
    if (aggregation.kind == Aggregation::Kind::Sum) {
      fields.set(aggregation.output, stats.count() == 0 ? FieldView(std::int64_t{0}) : stats.sum());
      return;
    }
    if (stats.count() == 0)
      return;  // no number to tell: the field is left out, as SQL's MIN of no rows is NULL
    switch (aggregation.kind) {
      case Aggregation::Kind::Min:
        fields.set(aggregation.output, stats.min());
        break;
      case Aggregation::Kind::Max:
        fields.set(aggregation.output, stats.max());
        break;
      case Aggregation::Kind::Avg:
        fields.set(aggregation.output, stats.average());
        break;
      default:
        fields.set(aggregation.output, stats.percentile(aggregation.percent));
        break;
    }
  }

  const CountSpec spec_;
  std::vector<std::string> fields_;   ///< the distinct fields aggregated
  std::vector<bool> percentiles_;     ///< per field: whether a percentile is asked of it
  std::vector<std::size_t> stat_of_;  ///< per aggregation: its field's index in fields_
  const std::chrono::system_clock::time_point wall_origin_;
  const Clock::time_point clock_origin_;  ///< the run's clock when wall_origin_ was read

  mutable std::mutex mutex_;
  std::optional<Clock::time_point> origin_;  ///< the first message's time: window 0 starts there
  std::map<std::int64_t, Window> windows_;   ///< open, by index
  std::optional<Closing> closing_;           ///< the window whose rows are going out
  bool ended_ = false;
  std::optional<std::int64_t> closed_below_;  ///< every window before this one went out
  std::int64_t made_bytes_ = 0;
  std::string key_;
  std::vector<std::optional<FieldView>> found_;  ///< the key's values in the message being taken
  std::atomic<std::uint64_t> overflowed_{0}, windows_done_{0}, late_{0};
};

}  // namespace

std::unique_ptr<Operator> make_counter(CountSpec spec) {
  return std::make_unique<Counter>(std::move(spec));
}

}  // namespace flow::fields
