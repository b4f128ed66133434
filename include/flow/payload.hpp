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
#include <new>
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
  Payload() { new (&owned_) std::string(); }
  Payload(std::string text) { new (&owned_) std::string(std::move(text)); }  // NOLINT: a string is a payload
  Payload(const char* text) { new (&owned_) std::string(text); }             // NOLINT
  /// A view of `size` bytes at `data` inside `block`; takes over one of the
  /// block's references (the caller retained it). `newline_follows`: the
  /// block holds a '\n' right after the view, so a sink may write both at once.
  static Payload view_of(SharedBytes* block, const char* data, std::size_t size, bool newline_follows = false) {
    Payload payload;
    payload.owned_.~basic_string();
    payload.block_ = block;
    payload.view_ = {data, size | (newline_follows ? kNewlineFollows : 0)};
    return payload;
  }

  Payload(const Payload& other) : block_(other.block_) {
    if (block_ == nullptr) {
      new (&owned_) std::string(other.owned_);
      return;
    }
    view_ = other.view_;
    block_->retain();
  }
  Payload(Payload&& other) noexcept : block_(other.block_) {
    if (block_ == nullptr) {
      new (&owned_) std::string(std::move(other.owned_));
      return;
    }
    view_ = other.view_;
    other.become_text();
  }
  Payload& operator=(const Payload& other) {
    if (this != &other) *this = Payload(other);
    return *this;
  }
  Payload& operator=(Payload&& other) noexcept {
    if (this == &other) return *this;
    if (other.block_ == nullptr) return *this = std::move(other.owned_);
    if (block_ != nullptr) {
      block_->release();
    } else {
      owned_.~basic_string();
    }
    block_ = other.block_;
    view_ = other.view_;
    other.become_text();
    return *this;
  }
  ~Payload() {
    if (block_ != nullptr) {
      block_->release();
    } else {
      owned_.~basic_string();
    }
  }
  // Assigning text copies it once into the payload's own string, with no
  // temporary Payload between (generate() assigns every message this way).
  Payload& operator=(const std::string& text) {
    if (block_ != nullptr) return *this = std::string(text);  // `text` may lie in this view's block
    owned_ = text;
    return *this;
  }
  Payload& operator=(std::string&& text) {
    own() = std::move(text);
    return *this;
  }
  Payload& operator=(const char* text) {
    if (block_ != nullptr) return *this = std::string(text);  // `text` may lie in this view's block
    owned_ = text;
    return *this;
  }

  std::string_view view() const {
    if (block_ == nullptr) [[likely]] return owned_;
    return {view_.data, view_size()};
  }
  operator std::string_view() const { return view(); }  // NOLINT: read like a string
  const char* data() const { return view().data(); }
  std::size_t size() const {
    if (block_ == nullptr) [[likely]] return owned_.size();
    return view_size();
  }
  bool empty() const { return size() == 0; }
  std::string str() const { return std::string(view()); }
  /// Whether the bytes live in a shared block (read's lines until changed).
  bool is_view() const { return block_ != nullptr; }
  /// A view whose block holds its line's '\n' right after it.
  bool newline_follows() const { return block_ != nullptr && (view_.size & kNewlineFollows) != 0; }

  /// The payload as a string of its own, to change in place: a view is
  /// copied out first (and lets go of its block).
  std::string& text() {
    if (block_ != nullptr) {
      std::string copy(view_.data, view_size());
      block_->release();
      block_ = nullptr;
      new (&owned_) std::string(std::move(copy));
    }
    return owned_;
  }
  /// Copies a view out, so that holding this payload long does not keep a
  /// whole shared block alive.
  void detach() { text(); }

  friend bool operator==(const Payload& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Payload& a, const Payload& b) { return a.view() == b.view(); }
  friend bool operator==(const Payload& a, const char* b) { return a.view() == std::string_view(b); }
  friend bool operator==(const Payload& a, const std::string& b) { return a.view() == std::string_view(b); }
  friend std::ostream& operator<<(std::ostream& out, const Payload& payload);

 private:
  static constexpr std::size_t kNewlineFollows = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);
  struct View {
    const char* data;
    std::size_t size;  ///< the top bit: newline_follows
  };
  std::size_t view_size() const { return view_.size & ~kNewlineFollows; }

  /// The own string, emptied of a view first.
  std::string& own() {
    if (block_ != nullptr) {
      block_->release();
      become_text();
    }
    return owned_;
  }
  /// From a view whose reference is gone (released or moved) to an empty string.
  void become_text() {
    block_ = nullptr;
    new (&owned_) std::string();
  }

  // One of the two, as block_ says: a payload is as small as a string and a pointer.
  union {
    std::string owned_;  ///< block_ == nullptr
    View view_;          ///< block_ != nullptr
  };
  SharedBytes* block_ = nullptr;
};

}  // namespace flow
