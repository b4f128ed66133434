// Sinks: discard, stdout and write. A sink's operator leaves in the chunk what
// it delivered; these deliver everything they are given.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {
namespace {

class Discard final : public Operator {
 public:
  void apply(Chunk&, OperatorContext&) override {}
};

/// Every payload (every member's, for a batch) followed by a newline.
void append_lines(const Message& message, std::string& text) {
  if (!message.is_batch()) {
    text += message.payload;
    text += '\n';
    return;
  }
  for (const auto& member : message.members) append_lines(member, text);
}

/// Writes whole chunks under a lock with one fwrite each, so lines from
/// different workers (or different sinks on the same stream) never interleave.
class LineWriter : public Operator {
 public:
  /// `shared`: a lock shared with other writers of the same stream; nullptr: its own.
  LineWriter(std::FILE* stream, std::mutex* shared, std::string name)
      : stream_(stream), mutex_(shared != nullptr ? *shared : own_mutex_), name_(std::move(name)) {}

  void apply(Chunk& messages, OperatorContext&) override {
    std::string text;
    for (const auto& message : messages) append_lines(message, text);
    std::lock_guard lock(mutex_);
    if (std::fwrite(text.data(), 1, text.size(), stream_) != text.size()) {
      throw std::runtime_error(fmt::format("cannot write to {}: {}", name_, std::strerror(errno)));
    }
  }

 protected:
  std::FILE* stream_;

 private:
  std::mutex own_mutex_;
  std::mutex& mutex_;
  std::string name_;
};

std::mutex& stdout_mutex() {
  static std::mutex mutex;
  return mutex;
}

class Stdout final : public LineWriter {
 public:
  Stdout() : LineWriter(stdout, &stdout_mutex(), "standard output") {}
  ~Stdout() override { std::fflush(stream_); }
};

std::FILE* open_for_writing(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    throw std::runtime_error(fmt::format("cannot open '{}' for writing: {}", path, std::strerror(errno)));
  }
  return file;
}

class Write final : public LineWriter {
 public:
  explicit Write(const std::string& path) : LineWriter(open_for_writing(path), nullptr, fmt::format("'{}'", path)) {}
  ~Write() override { std::fclose(stream_); }
};

}  // namespace

std::unique_ptr<Operator> make_discard(const OperatorCall&) { return std::make_unique<Discard>(); }

std::unique_ptr<Operator> make_stdout(const OperatorCall&) { return std::make_unique<Stdout>(); }

std::unique_ptr<Operator> make_write(const OperatorCall& call) {
  return std::make_unique<Write>(required_arg<std::string>(call, "path"));
}

}  // namespace flow::ops
