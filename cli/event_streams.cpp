#include "cli/event_streams.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <optional>

namespace flow::cli {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A page owed bytes that takes none for this long has stopped reading: it is
// dropped, as is every page still owed something this long after close().
constexpr auto stall = 1s;

// A stream with nothing new sends a comment this often, so that a proxy
// between flow and the page does not take the quiet for a dead connection.
constexpr auto keep_alive = 2s;

// What a page's socket may hold unsent. The system's default grows to
// megabytes for a page that reads nothing (seconds, even minutes, of
// snapshots before a write would block); this bounds what a stopped page
// holds and finds it out within a few seconds of snapshots.
constexpr int send_buffer_bytes = 64 * 1024;

// A page that reconnects waits a second, not the browser's default three.
constexpr const char* greeting = "retry: 1000\n\n";
const auto keep_alive_comment = std::make_shared<const std::string>(": keep-alive\n\n");

// Closes a page's socket. `at_once`: discard what it did not take (a reset),
// rather than leave the system to deliver it after the close.
void close_socket(int socket, bool at_once) {
  if (at_once) {
    linger now{1, 0};
    setsockopt(socket, SOL_SOCKET, SO_LINGER, &now, sizeof now);
  } else {
    // Bytes the page sent and nobody read would turn the close into a reset
    // that can discard the final event on its way.
    std::array<char, 512> unread{};
    while (recv(socket, unread.data(), unread.size(), MSG_DONTWAIT) > 0) {
    }
  }
  ::close(socket);
}

}  // namespace

struct EventStreams::Page {
  int socket = -1;
  std::shared_ptr<const std::string> writing;  // what it is being sent, from `offset`; null: nothing
  std::size_t offset = 0;
  std::uint64_t sent = 0;   // the sequence of the newest event it was given
  bool ends = false;        // `writing` is the final event: the stream ends after it
  bool done = false;        // closed: to be removed from the list
  Clock::time_point since;  // when it last took a byte, or was given something to take
};

EventStreams::EventStreams() : wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  thread_ = std::thread([this] { run(); });
}

EventStreams::~EventStreams() {
  close();
  if (wake_ >= 0) ::close(wake_);
}

void EventStreams::add(int socket, std::string first) {
  bool taken = false;
  auto opening = std::make_shared<const std::string>(greeting + first);
  {
    std::lock_guard lock(mutex_);
    if (!closing_ && pages_ < max_pages) {
      // Its opening holds the run so far: it is owed only events published
      // after this, or the final one, which every page gets.
      added_.push_back(Added{socket, std::move(opening), last_ ? 0 : sequence_});
      ++pages_;
      taken = true;
    }
  }
  if (!taken) return close_socket(socket, false);  // an empty stream: the browser tries again later
  setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &send_buffer_bytes, sizeof send_buffer_bytes);
  wake();
}

void EventStreams::publish(std::string event, bool last) {
  auto next = std::make_shared<const std::string>(std::move(event));
  {
    std::lock_guard lock(mutex_);
    latest_.swap(next);
    ++sequence_;
    last_ = last;
  }
  wake();
  // The previous event is freed here, outside the lock, unless a page is still being sent it.
}

void EventStreams::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
}

void EventStreams::wake() {
  std::uint64_t one = 1;
  if (wake_ >= 0 && ::write(wake_, &one, sizeof one) < 0) {
    // Full (never, at 2^64 - 2 wakes unread) or gone: the thread polls on a short timer instead.
  }
}

// Gives a page with nothing to send what it is owed: the newest event it has
// not had, else (after a quiet while) a keep-alive comment. False when there
// is nothing: then, once closing, its stream is over.
bool EventStreams::give(Page& page, const State& state, Clock::time_point now) {
  if (state.latest && page.sent != state.sequence) {
    page.writing = state.latest;
    page.sent = state.sequence;
    page.ends = state.last;
  } else if (!state.closing && now - page.since >= keep_alive) {
    page.writing = keep_alive_comment;
  } else {
    return false;
  }
  page.offset = 0;
  page.since = now;
  return true;
}

// Writes what the page's socket takes, giving it the next thing whenever it
// has taken all of one; closes it when its stream is over, or when it has
// taken nothing for `stall` while it was owed something.
void EventStreams::serve(Page& page, const State& state, Clock::time_point now) {
  for (;;) {
    if (!page.writing && !give(page, state, now)) {
      if (state.closing) finish(page, false);
      return;
    }
    const std::string& bytes = *page.writing;
    auto sent = send(page.socket, bytes.data() + page.offset, bytes.size() - page.offset,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return finish(page, true);
    if (sent <= 0) {
      if (now - page.since >= stall) finish(page, true);
      return;
    }
    page.offset += static_cast<std::size_t>(sent);
    page.since = now;
    if (page.offset < bytes.size()) return;  // the socket is full: wait until it takes more
    page.writing.reset();
    if (page.ends) return finish(page, false);
  }
}

// Reads what a page sent after its request, to notice that it went away.
void EventStreams::listen(Page& page) {
  std::array<char, 512> unread{};
  for (;;) {
    auto got = recv(page.socket, unread.data(), unread.size(), MSG_DONTWAIT);
    if (got > 0) continue;
    if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) finish(page, true);
    return;
  }
}

void EventStreams::finish(Page& page, bool at_once) {
  if (page.done) return;
  close_socket(page.socket, at_once);
  page.done = true;
}

EventStreams::State EventStreams::take_state(std::vector<Page>& pages, Clock::time_point now) {
  std::vector<Added> added;
  State state;
  {
    std::lock_guard lock(mutex_);
    added.swap(added_);
    state = State{latest_, sequence_, last_, closing_};
  }
  for (auto& page : added)
    pages.push_back(Page{page.socket, std::move(page.opening), 0, page.seen, false, false, now});
  return state;
}

// Removes the pages whose streams are over; with none left, the snapshot kept
// for them would be stale by the time another connects: it waits for the next.
void EventStreams::forget_done(std::vector<Page>& pages) {
  auto done = std::remove_if(pages.begin(), pages.end(), [](const Page& page) { return page.done; });
  auto gone = static_cast<int>(pages.end() - done);
  pages.erase(done, pages.end());
  if (gone == 0) return;
  std::lock_guard lock(mutex_);
  pages_ -= gone;
  if (pages_ == 0 && !last_) latest_.reset();
}

void EventStreams::run() {
  std::vector<Page> pages;
  std::vector<pollfd> polled;
  std::optional<Clock::time_point> closing_deadline;
  for (;;) {
    auto now = Clock::now();
    State state = take_state(pages, now);
    if (state.closing && !closing_deadline) closing_deadline = now + stall;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      // What poll() saw for the pages it was asked about (the ones added since come after them).
      if (i + 1 < polled.size() && polled[i + 1].revents != 0) listen(pages[i]);
      if (!pages[i].done) serve(pages[i], state, now);
      if (closing_deadline && now >= *closing_deadline) finish(pages[i], true);
    }
    forget_done(pages);
    if (state.closing && pages.empty()) return;

    polled.assign(1, pollfd{wake_, POLLIN, 0});
    auto wake_at = closing_deadline.value_or(now + keep_alive);
    for (const auto& page : pages) {
      short events = page.writing ? POLLIN | POLLOUT : POLLIN;
      polled.push_back(pollfd{page.socket, events, 0});
      wake_at = std::min(wake_at, page.since + (page.writing ? stall : keep_alive));
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
    if (wake_ < 0) left = std::min<decltype(left)>(left, 50);  // no eventfd: look every 50ms
    poll(polled.data(), polled.size(), static_cast<int>(std::max<decltype(left)>(left, 0)));
    std::uint64_t wakes = 0;
    if (wake_ >= 0 && ::read(wake_, &wakes, sizeof wakes) < 0) {
      // Nothing to read: the timer or a page woke the thread.
    }
  }
}

}  // namespace flow::cli
