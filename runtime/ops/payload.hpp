#pragma once
// A message's bytes. Either a string of its own, or a view into a block of
// bytes shared with other payloads: read() cuts its lines out of the block it
// read them into, so a line that is only kept or dropped (grep, sample) and
// written is never copied nor allocated. Changing a payload (text()) gives it
// a string of its own first.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace flow {

/// Bytes shared by the payloads that view them, freed with the last one.
class SharedBytes {
 public:
  /// A block of `capacity` bytes, held once by the caller.
  static SharedBytes* make(std::size_t capacity);
  char* data() { return reinterpret_cast<char*>(this + 1); }
  std::size_t capacity() const { return capacity_; }
  void retain(std::uint32_t count = 1) { refs_.fetch_add(count, std::memory_order_relaxed); }
  void release();
  /// How many holders the block has now (for tests).
  std::uint32_t references() const { return refs_.load(std::memory_order_relaxed); }

 private:
  explicit SharedBytes(std::size_t capacity) : capacity_(capacity) {}
  std::atomic<std::uint32_t> refs_{1};
  std::size_t capacity_;
};

class Payload {
 public:
  Payload() = default;
  Payload(std::string text) : owned_(std::move(text)) {}  // NOLINT: a string is a payload
  Payload(const char* text) : owned_(text) {}             // NOLINT
  /// A view of `size` bytes at `data` inside `block`; takes over one of the
  /// block's references (the caller retained it). `newline_follows`: the
  /// block holds a '\n' right after the view, so a sink may write both at once.
  static Payload view_of(SharedBytes* block, const char* data, std::size_t size, bool newline_follows = false) {
    Payload payload;
    payload.block_ = block;
    payload.view_data_ = data;
    payload.view_size_ = size | (newline_follows ? kNewlineFollows : 0);
    return payload;
  }

  Payload(const Payload& other) : owned_(other.owned_), block_(other.block_), view_data_(other.view_data_),
                                  view_size_(other.view_size_) {
    if (block_ != nullptr) block_->retain();
  }
  Payload(Payload&& other) noexcept
      : owned_(std::move(other.owned_)), block_(std::exchange(other.block_, nullptr)),
        view_data_(other.view_data_), view_size_(other.view_size_) {}
  Payload& operator=(const Payload& other) {
    if (this != &other) *this = Payload(other);
    return *this;
  }
  Payload& operator=(Payload&& other) noexcept {
    if (this != &other) {
      drop_view();
      owned_ = std::move(other.owned_);
      block_ = std::exchange(other.block_, nullptr);
      view_data_ = other.view_data_;
      view_size_ = other.view_size_;
    }
    return *this;
  }
  ~Payload() { drop_view(); }

  std::string_view view() const {
    return block_ != nullptr ? std::string_view(view_data_, view_size()) : std::string_view(owned_);
  }
  operator std::string_view() const { return view(); }  // NOLINT: read like a string
  const char* data() const { return view().data(); }
  std::size_t size() const { return block_ != nullptr ? view_size() : owned_.size(); }
  bool empty() const { return size() == 0; }
  std::string str() const { return std::string(view()); }
  /// Whether the bytes live in a shared block (read's lines until changed).
  bool is_view() const { return block_ != nullptr; }
  /// A view whose block holds its line's '\n' right after it.
  bool newline_follows() const { return block_ != nullptr && (view_size_ & kNewlineFollows) != 0; }

  /// The payload as a string of its own, to change in place: a view is
  /// copied out first (and lets go of its block).
  std::string& text() {
    if (block_ != nullptr) {
      owned_.assign(view_data_, view_size());
      drop_view();
    }
    return owned_;
  }
  /// Copies a view out, so that holding this payload long does not keep a
  /// whole shared block alive.
  void detach() {
    if (block_ != nullptr) text();
  }

  friend bool operator==(const Payload& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Payload& a, const Payload& b) { return a.view() == b.view(); }
  friend bool operator==(const Payload& a, const char* b) { return a.view() == std::string_view(b); }
  friend bool operator==(const Payload& a, const std::string& b) { return a.view() == std::string_view(b); }
  friend std::ostream& operator<<(std::ostream& out, const Payload& payload);

 private:
  static constexpr std::size_t kNewlineFollows = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);
  std::size_t view_size() const { return view_size_ & ~kNewlineFollows; }

  void drop_view() {
    if (block_ != nullptr) std::exchange(block_, nullptr)->release();
  }

  std::string owned_;
  SharedBytes* block_ = nullptr;
  const char* view_data_ = nullptr;
  std::size_t view_size_ = 0;  ///< the top bit: newline_follows
};

}  // namespace flow
