#pragma once
// A real nats-server with JetStream for the tests of cut edges: on a free
// loopback port, with its store in a fresh temporary directory; stopped (and
// its store left for the directory's cleanup) when the object goes.
#include <memory>
#include <string>

namespace flow::test {

class Child;

class NatsServer {
 public:
  /// Starts the server and waits until it says it is ready (throws if it does not).
  NatsServer();
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  /// nats://127.0.0.1:PORT
  std::string url() const;
  /// Stops it (SIGTERM: it flushes its file store) and starts it again on the
  /// same port and store, waiting until it is ready.
  void restart();
  /// Stops it (SIGTERM); start_again() brings it back on the same port and store.
  void stop();
  void start_again() { start(); }

 private:
  void start();

  int port_ = 0;
  std::string store_;
  std::unique_ptr<Child> process_;
};

/// A loopback TCP port nothing listens on now.
int free_port();

}  // namespace flow::test
