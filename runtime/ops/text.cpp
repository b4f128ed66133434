// Text operators: each works on a message's payload, or on every member's
// payload when the message is a batch.
#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "runtime/ops/builtins.hpp"
#include "runtime/ops/regex_prefilter.hpp"

namespace flow::ops {
namespace {

/// Calls `rewrite(payload)` on every payload the message stands for.
template <typename Rewrite>
void for_each_payload(Message& message, const Rewrite& rewrite) {
  if (!message.is_batch()) {
    rewrite(message.payload);
    return;
  }
  for (auto& member : message.members) for_each_payload(member, rewrite);
}

/// Keeps the messages (or batch members) for which `keep(payload)` holds and
/// reports each removed one. A batch left without members disappears without a
/// further report: its members were counted one by one already. Compacts in
/// place, so a filter allocates nothing.
struct Filtered {
  std::size_t seen = 0;  ///< payloads looked at
  std::size_t kept = 0;  ///< payloads that stay
};

template <typename Keep>
Filtered filter_in_place(Chunk& messages, const Keep& keep, OperatorContext& context) {
  Filtered payloads;
  std::size_t kept = 0;
  for (auto& message : messages) {
    bool stays = false;
    if (message.is_batch()) {
      auto members = filter_in_place(message.members, keep, context);
      payloads.seen += members.seen;
      payloads.kept += members.kept;
      stays = !message.members.empty();
    } else {
      ++payloads.seen;
      stays = keep(message.payload.view());
      payloads.kept += stays ? 1 : 0;
      if (!stays) context.filtered(message);
    }
    if (stays) {
      if (&messages[kept] != &message) messages[kept] = std::move(message);
      ++kept;
    }
  }
  messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(kept), messages.end());
  return payloads;
}

/// A filter that keeps few of read()'s lines would leave each survivor
/// holding the whole block it was cut from (docs/runtime_run.md, Payloads): when
/// fewer than a quarter stay, or the unit was too small to tell (one message
/// at a time with on_error=skip) and some went, the survivors are copied out.
template <typename Keep>
void filter(Chunk& messages, const Keep& keep, OperatorContext& context) {
  constexpr std::size_t kTooFewToTell = 64;
  auto [seen, kept] = filter_in_place(messages, keep, context);
  if (kept * 4 < seen || (seen < kTooFewToTell && kept < seen)) {
    for (auto& message : messages) detach_payloads(message);
  }
}

/// Compiles once per instance; RE2 matching is thread-safe, so workers share it.
std::unique_ptr<RE2> compile(const std::string& pattern) {
  auto regex = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!regex->ok()) throw std::invalid_argument(regex_error(pattern));
  return regex;
}

/// Lines that lack every literal the regex needs are dropped by the
/// prefilter, at a tenth of the regex's cost; the regex decides the rest.
/// `invert` keeps the lines that do not match (grep -v), which RE2 cannot
/// say in a pattern (it has no lookahead).
class Grep final : public Operator {
 public:
  Grep(const std::string& pattern, bool invert) : regex_(compile(pattern)), prefilter_(pattern), invert_(invert) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    filter(
        messages,
        [this](std::string_view line) {
          return (prefilter_.may_match(line) && RE2::PartialMatch(line, *regex_)) != invert_;
        },
        context);
  }

 private:
  std::unique_ptr<RE2> regex_;
  RegexPrefilter prefilter_;
  bool invert_;
};

class Replace final : public Operator {
 public:
  Replace(const std::string& pattern, std::string with) : regex_(compile(pattern)), with_(std::move(with)) {}

  void apply(Chunk& messages, OperatorContext& context) override {
    std::int64_t delta = 0;
    for (auto& message : messages) {
      for_each_payload(message, [&](Payload& payload) {
        // A view that does not match stays a view, uncopied.
        if (payload.is_view() && !RE2::PartialMatch(payload.view(), *regex_)) return;
        auto before = static_cast<std::int64_t>(payload.size());
        RE2::GlobalReplace(&payload.text(), *regex_, with_);
        delta += static_cast<std::int64_t>(payload.size()) - before;
      });
    }
    context.resized(delta);
  }

 private:
  std::unique_ptr<RE2> regex_;
  std::string with_;
};

/// upper() and lower(): ASCII only, so a multi-byte UTF-8 sequence is never cut.
template <char From, char To>
class ShiftCase final : public Operator {
  static bool shifts(char c) { return c >= From && c <= From + 25; }

  // A line with nothing to change stays as it is, a view included.
  static void shift(Payload& payload) {
    auto line = payload.view();
    auto first = std::find_if(line.begin(), line.end(), shifts);
    if (first == line.end()) return;
    auto offset = static_cast<std::size_t>(first - line.begin());
    auto& text = payload.text();
    for (auto it = text.begin() + static_cast<std::ptrdiff_t>(offset); it != text.end(); ++it) {
      if (shifts(*it)) *it = static_cast<char>(*it - From + To);
    }
  }

 public:
  void apply(Chunk& messages, OperatorContext&) override {
    for (auto& message : messages) {
      for_each_payload(message, [](Payload& payload) { shift(payload); });
    }
  }
};

class Prefix final : public Operator {
 public:
  explicit Prefix(std::string text) : text_(std::move(text)) {}

  // A view becomes one new string, not a copy and then an insert.
  void prepend(Payload& payload) const {
    if (!payload.is_view()) {
      payload.text().insert(0, text_);
      return;
    }
    std::string joined;
    joined.reserve(text_.size() + payload.size());
    joined.append(text_).append(payload.view());
    payload = std::move(joined);
  }

  void apply(Chunk& messages, OperatorContext& context) override {
    std::int64_t payloads = 0;
    for (auto& message : messages) {
      if (!message.is_batch() && !message.payload.is_view()) {  // the common case, inline
        message.payload.text().insert(0, text_);
        ++payloads;
        continue;
      }
      for_each_payload(message, [&](Payload& payload) {
        prepend(payload);
        ++payloads;
      });
    }
    context.resized(payloads * static_cast<std::int64_t>(text_.size()));
  }

 private:
  std::string text_;
};

/// Decides message k by a hash of (seed, k): no lock between workers, and
/// with one worker the same seed keeps the same messages on every run.
class Sample final : public Operator {
 public:
  Sample(double probability, std::uint64_t seed) : seed_(seed) {
    // Compare in 64-bit integers: probability 1 must keep everything.
    threshold_ = probability >= 1 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(std::ldexp(probability, 64));
    keep_all_ = probability >= 1;
  }

  void apply(Chunk& messages, OperatorContext& context) override {
    filter(messages, [this](std::string_view) { return keep_next(); }, context);
  }

 private:
  bool keep_next() {
    if (keep_all_) return true;
    auto index = next_.fetch_add(1, std::memory_order_relaxed);
    return mix(seed_ + index * 0x9E3779B97F4A7C15ULL) < threshold_;
  }

  // splitmix64's finaliser: consecutive inputs give independent-looking outputs.
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t seed_;
  std::uint64_t threshold_ = 0;
  bool keep_all_ = false;
  std::atomic<std::uint64_t> next_{0};
};

}  // namespace

std::unique_ptr<Operator> make_grep(const OperatorCall& call) {
  return std::make_unique<Grep>(required_arg<std::string>(call, "pattern"),
                                optional_arg<bool>(call, "invert").value_or(false));
}

std::unique_ptr<Operator> make_replace(const OperatorCall& call) {
  return std::make_unique<Replace>(required_arg<std::string>(call, "pattern"),
                                   required_arg<std::string>(call, "with"));
}

std::unique_ptr<Operator> make_upper(const OperatorCall&) { return std::make_unique<ShiftCase<'a', 'A'>>(); }

std::unique_ptr<Operator> make_lower(const OperatorCall&) { return std::make_unique<ShiftCase<'A', 'a'>>(); }

std::unique_ptr<Operator> make_prefix(const OperatorCall& call) {
  return std::make_unique<Prefix>(required_arg<std::string>(call, "text"));
}

std::unique_ptr<Operator> make_sample(const OperatorCall& call) {
  auto probability = optional_decimal(call, "probability");
  if (!probability) throw std::invalid_argument("sample: missing argument 'probability'");
  auto seed = optional_arg<std::int64_t>(call, "seed").value_or(1);
  return std::make_unique<Sample>(*probability, static_cast<std::uint64_t>(seed));
}

}  // namespace flow::ops
