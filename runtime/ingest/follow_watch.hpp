#pragma once
// The thread that watches the directories of followed files with inotify and
// wakes the runtime when something in them changed (a line appended, a file
// created, renamed, truncated or deleted): the follower reads only then, never
// polls. The same thread writes the checkpoints at most once per tick.
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace flow::ingest {

class Watcher {
 public:
  /// Watches `directories` (throws naming one that cannot be watched).
  /// `changed` is called from the watcher's thread after inotify events;
  /// `tick` about every `interval` (checkpoints), and once more as it stops.
  Watcher(const std::vector<std::string>& directories, std::function<void()> changed,
          std::function<void()> tick, std::chrono::milliseconds interval);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  /// Starts the thread.
  void start();
  /// Ends the thread and waits for it; idempotent.
  void stop();

 private:
  void loop();
  int inotify_ = -1;
  int stop_ = -1;  ///< an eventfd: written to end the loop
  std::function<void()> changed_, tick_;
  std::chrono::milliseconds interval_;
  std::thread thread_;
};

}  // namespace flow::ingest
