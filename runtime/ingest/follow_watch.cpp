#include "runtime/ingest/follow_watch.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

namespace flow::ingest {
namespace {

// Events on a directory watch name the entry they concern; any of these may
// mean a line to read or a file to open, close or read again from its start.
constexpr std::uint32_t kEvents =
    IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE;

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(fmt::format("{}: {}", what, std::generic_category().message(error)));
}

}  // namespace

Watcher::Watcher(const std::vector<std::string>& directories, std::function<void()> changed,
                 std::function<void()> tick, std::chrono::milliseconds interval)
    : changed_(std::move(changed)), tick_(std::move(tick)), interval_(interval) {
  inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ < 0) fail("cannot start inotify", errno);
  stop_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_ < 0) {
    int error = errno;
    ::close(inotify_);
    fail("cannot make an eventfd", error);
  }
  for (const auto& directory : directories) {
    if (::inotify_add_watch(inotify_, directory.c_str(), kEvents | IN_ONLYDIR) < 0) {
      int error = errno;
      ::close(inotify_);
      ::close(stop_);
      fail(fmt::format("cannot watch the directory '{}'", directory), error);
    }
  }
}

Watcher::~Watcher() {
  stop();
  ::close(inotify_);
  ::close(stop_);
}

void Watcher::start() {
  thread_ = std::thread([this] { loop(); });
}

void Watcher::stop() {
  if (!thread_.joinable()) return;
  std::uint64_t one = 1;
  (void)!::write(stop_, &one, sizeof one);
  thread_.join();
}

void Watcher::loop() {
  alignas(inotify_event) char events[16384];
  auto next_tick = std::chrono::steady_clock::now() + interval_;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - std::chrono::steady_clock::now());
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (n > 0 && (fds[1].revents & POLLIN) != 0) break;
    if (n > 0 && (fds[0].revents & POLLIN) != 0) {
      // The events themselves are not needed: the follower looks at its files again.
      while (::read(inotify_, events, sizeof events) > 0) {
      }
      changed_();
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      tick_();
      next_tick = std::chrono::steady_clock::now() + interval_;
    }
  }
  tick_();
}

}  // namespace flow::ingest
