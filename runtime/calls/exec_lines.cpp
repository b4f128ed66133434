#include "runtime/calls/exec_lines.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace flow::calls {
namespace {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kReadBytes = 1 << 16;

bool sigpipe_ignored() {
  struct sigaction action {};
  ::sigaction(SIGPIPE, nullptr, &action);
  return action.sa_handler == SIG_IGN;  // NOLINT: the macro is C's
}

/// How long a wait on a child goes before it asks whether the run has failed.
constexpr int kStopCheckMs = 100;

int remaining_ms(SteadyClock::time_point deadline) {
  auto left = std::chrono::ceil<Millis>(deadline - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

std::size_t lines_written(const Lines& lines, std::size_t offset) {
  return static_cast<std::size_t>(std::upper_bound(lines.ends.begin(), lines.ends.end(), offset) -
                                  lines.ends.begin());
}

// Writes what the pipe takes now; false when the reader has gone (EPIPE).
bool write_some(int fd, const Lines& lines, std::size_t& offset) {
  auto n = write_quietly(fd, lines.bytes.data() + offset, lines.bytes.size() - offset);
  if (n > 0) offset += static_cast<std::size_t>(n);
  return !(n < 0 && errno != EAGAIN && errno != EINTR);
}

}  // namespace

long write_quietly(int fd, const char* data, std::size_t size) {
  if (sigpipe_ignored()) return ::write(fd, data, size);
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &before);
  auto n = ::write(fd, data, size);
  int error = errno;
  if (n < 0 && error == EPIPE) {
    // The SIGPIPE this write raised is pending on this thread: take it back.
    timespec none{};
    ::sigtimedwait(&pipe_signal, nullptr, &none);
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  errno = error;
  return n;
}

LineChild::LineChild(const ChildSetup& setup, const std::string& label)
    : program_(setup.argv.front()), process_(setup) {
  if (process_.err() >= 0) stderr_ = std::make_unique<StderrPump>(process_.release_err(), label);
}

std::size_t LineChild::take_answers(std::vector<std::string>& answers, std::size_t wanted) {
  std::size_t taken = 0;
  std::size_t start = 0;
  while (taken < wanted) {
    auto end = buffer_.find('\n', std::max(start, scanned_));
    if (end == std::string::npos) break;
    answers.emplace_back(buffer_, start, end - start);
    start = end + 1;
    ++taken;
  }
  buffer_.erase(0, start);
  scanned_ = taken < wanted ? buffer_.size() : 0;
  answered_ += taken;
  return taken;
}

bool LineChild::output_waiting() {
  pollfd watch{process_.out(), POLLIN, 0};
  if (::poll(&watch, 1, 0) <= 0 || (watch.revents & POLLIN) == 0) return false;
  std::array<char, kReadBytes> chunk{};
  auto n = ::read(process_.out(), chunk.data(), chunk.size());
  if (n <= 0) return false;  // its end, or nothing after all: the exchange sees it
  buffer_.append(chunk.data(), static_cast<std::size_t>(n));
  return true;
}

Exchange LineChild::exchange(const Lines& lines, std::vector<std::string>& answers, Millis timeout,
                             const StopAsked& stopping) {
  Exchange result;
  std::size_t offset = 0;
  // Every earlier line was answered, so whatever it wrote since is more than
  // one answer for one line: taking it as this chunk's would shift every answer.
  if (!buffer_.empty() || output_waiting()) {
    result.extra_output = true;
    return result;
  }
  std::size_t wanted = lines.size();
  auto deadline = SteadyClock::now() + timeout;
  std::array<char, kReadBytes> chunk{};
  while (wanted > 0) {
    bool writing = offset < lines.bytes.size() && process_.in() >= 0;
    std::array<pollfd, 2> watch{pollfd{process_.out(), POLLIN, 0}, pollfd{process_.in(), POLLOUT, 0}};
    int ready = ::poll(watch.data(), writing ? 2 : 1, std::min(remaining_ms(deadline), kStopCheckMs));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (stopping && stopping()) {
        result.stopped = true;
        break;
      }
      if (SteadyClock::now() < deadline) continue;
      result.timed_out = true;
      break;
    }
    if (writing && watch[1].revents != 0 && !write_some(process_.in(), lines, offset)) {
      process_.close_in();  // it stopped reading: what it answers still counts
      result.exited = true;
    }
    if (watch[0].revents != 0) {
      auto n = ::read(process_.out(), chunk.data(), chunk.size());
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        result.exited = true;
        break;
      }
      if (n > 0) {
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        wanted -= take_answers(answers, wanted);
      }
    }
    deadline = SteadyClock::now() + timeout;  // something moved
  }
  result.written = lines_written(lines, offset);
  return result;
}

Exchange LineChild::write_all(const Lines& lines, Millis timeout, const StopAsked& stopping) {
  Exchange result;
  std::size_t offset = 0;
  auto deadline = SteadyClock::now() + timeout;
  while (offset < lines.bytes.size()) {
    pollfd watch{process_.in(), POLLOUT, 0};
    int ready = ::poll(&watch, 1, std::min(remaining_ms(deadline), kStopCheckMs));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (stopping && stopping()) {
        result.stopped = true;
        break;
      }
      if (SteadyClock::now() < deadline) continue;
      result.timed_out = true;
      break;
    }
    if (!write_some(process_.in(), lines, offset)) {
      process_.close_in();
      result.exited = true;
      break;
    }
    deadline = SteadyClock::now() + timeout;
  }
  result.written = lines_written(lines, offset);
  return result;
}

std::string LineChild::describe(int status, const std::string& note) {
  auto text = fmt::format("{} (pid {}) {}{}", program_, process_.pid(), describe_status(status), note);
  auto tail = stderr_ ? stderr_->tail(Millis(500)) : std::string();
  if (!tail.empty()) text += fmt::format("; its last standard error: {}", tail);
  return text;
}

std::string LineChild::gone(const std::string& note) {
  // Its output ended or its input closed: it is exiting, or it closed them
  // and went on; give it a moment, then end it.
  auto status = process_.wait_for(Millis(1000));
  return describe(status ? *status : process_.stop(Millis(200)), note);
}

std::string LineChild::finish(Millis wait, Millis stated) {
  process_.close_in();
  auto status = process_.wait_for(wait);
  if (!status) {
    auto stopped = process_.stop(Millis(500));
    return fmt::format("{} (pid {}) did not exit within {} ms of the end of its input ({} then)", program_,
                       process_.pid(), stated.count(), describe_status(stopped));
  }
  return clean_exit(*status) ? std::string() : describe(*status);
}

}  // namespace flow::calls

namespace flow::calls {
namespace {

// Feeds `input` and drains the output until it ends, or until `deadline`.
bool feed_and_drain(ChildProcess& process, std::string_view input, std::string& output,
                    SteadyClock::time_point deadline) {
  std::size_t offset = 0;
  std::array<char, kReadBytes> chunk{};
  if (input.empty()) process.close_in();
  while (process.in() >= 0 || process.out() >= 0) {
    std::array<pollfd, 2> watch{pollfd{process.in(), POLLOUT, 0}, pollfd{process.out(), POLLIN, 0}};
    int ready = ::poll(watch.data(), watch.size(), remaining_ms(deadline));  // a -1 descriptor is skipped
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return false;
    if (watch[0].revents != 0) {
      auto n = write_quietly(process.in(), input.data() + offset, input.size() - offset);
      if (n > 0) offset += static_cast<std::size_t>(n);
      if (offset == input.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) process.close_in();
    }
    if (watch[1].revents != 0) {
      auto n = ::read(process.out(), chunk.data(), chunk.size());
      if (n > 0) output.append(chunk.data(), static_cast<std::size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    }
  }
  return true;
}

}  // namespace

OnceResult run_once(const ChildSetup& setup, std::string_view input, Millis timeout,
                    const std::string& label) {
  auto deadline = SteadyClock::now() + timeout;
  ChildProcess process(setup);
  std::unique_ptr<StderrPump> pump;
  if (process.err() >= 0) pump = std::make_unique<StderrPump>(process.release_err(), label);
  OnceResult result;
  bool drained = feed_and_drain(process, input, result.output, deadline);
  auto status =
      drained ? process.wait_for(std::chrono::ceil<Millis>(deadline - SteadyClock::now())) : std::nullopt;
  auto describe = [&](const std::string& what) {
    auto tail = pump ? pump->tail(Millis(500)) : std::string();
    return tail.empty() ? what : fmt::format("{}; its last standard error: {}", what, tail);
  };
  if (!status) {
    auto stopped = process.stop(Millis(200));
    result.error =
        describe(fmt::format("{} (pid {}) did not finish within {} ms ({} then)", setup.argv.front(),
                             process.pid(), timeout.count(), describe_status(stopped)));
  } else if (!clean_exit(*status)) {
    result.error =
        describe(fmt::format("{} (pid {}) {}", setup.argv.front(), process.pid(), describe_status(*status)));
  }
  return result;
}

}  // namespace flow::calls
