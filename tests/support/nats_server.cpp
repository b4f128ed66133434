#include "nats_server.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <stdexcept>

#include "child.hpp"
#include "process.hpp"

namespace flow::test {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free loopback port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

NatsServer::NatsServer() : port_(free_port()), store_(temp_directory()) { start(); }

NatsServer::~NatsServer() { stop(); }

std::string NatsServer::url() const { return fmt::format("nats://127.0.0.1:{}", port_); }

void NatsServer::start() {
  process_ = std::make_unique<Child>(
      FLOW_NATS_SERVER, std::vector<std::string>{"-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd", store_},
      true);
  // It logs "Server is ready" once it accepts clients; its JetStream is up before that.
  while (auto line = process_->read_line(std::chrono::seconds(20))) {
    if (line->find("Server is ready") != std::string::npos) return;
  }
  throw std::runtime_error(fmt::format("nats-server on port {} did not start: {}", port_, process_->out()));
}

void NatsServer::stop() {
  if (!process_) return;
  process_->send(SIGTERM);
  process_->finish(std::chrono::seconds(20));
  process_.reset();
}

void NatsServer::restart() {
  stop();
  start();
}

}  // namespace flow::test
