#pragma once
// The live page's event streams (server-sent events), written by one thread
// of their own with non-blocking writes: a page holds no server thread while
// it watches, so pages that stopped reading cannot keep the page's files or
// anyone else's events from being served, and each is dropped once it has
// taken nothing for a second while it was owed something.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace flow::cli {

class EventStreams {
 public:
  EventStreams();   ///< starts the thread
  ~EventStreams();  ///< close()
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  /// Takes a connection whose response head is sent and writes the events to
  /// it from now on, `first` (whole events: the run so far) before any other;
  /// closes it at once when `max_pages` are watching already, or after close().
  void add(int socket, std::string first = {});

  /// Makes `event` (whole, `event: ...\ndata: ...\n\n`) the next each page is
  /// sent, after the one it is in the middle of. `last`: each page's stream
  /// ends after it, and a page that comes later gets it and nothing else.
  void publish(std::string event, bool last);

  /// Gives each page at most a second to take what it is still owed (the
  /// final event), closes them all and joins the thread. Safe to call twice.
  void close();

  /// Pages watching now.
  int pages() const { return pages_; }

  static constexpr int max_pages = 64;

 private:
  using Clock = std::chrono::steady_clock;
  struct Page;
  // What the thread reads under the lock, once a round.
  struct State {
    std::shared_ptr<const std::string> latest;
    std::uint64_t sequence = 0;
    bool last = false;
    bool closing = false;
  };

  void run();
  void wake();
  State take_state(std::vector<Page>& pages, Clock::time_point now);
  bool give(Page& page, const State& state, Clock::time_point now);
  void serve(Page& page, const State& state, Clock::time_point now);
  void listen(Page& page);
  void finish(Page& page, bool at_once);
  void forget_done(std::vector<Page>& pages);

  std::atomic<int> pages_{0};
  int wake_ = -1;                              // an eventfd: something to send, a page to add, or closing
  mutable std::mutex mutex_;                   // guards what follows
  std::shared_ptr<const std::string> latest_;  // the newest event; null when none is current
  std::uint64_t sequence_ = 0;                 // bumped by each publish
  bool last_ = false;                          // latest_ is the final event
  bool closing_ = false;
  // Sockets the thread has yet to take in, each with what it is sent first.
  struct Added {
    int socket;
    std::shared_ptr<const std::string> opening;
    std::uint64_t seen;  // the sequence its opening already covers
  };
  std::vector<Added> added_;
  std::thread thread_;
};

}  // namespace flow::cli
