#include "child.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

#include "process.hpp"

namespace flow::test {

Child::Child(const std::string& program, const std::vector<std::string>& args, bool merge_stderr)
    : err_path_(temp_directory() + "/stderr") {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    if (merge_stderr) dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (!merge_stderr && !freopen(err_path_.c_str(), "w", stderr)) _exit(127);
    // What the test runner ignores the child would inherit; flow keeps ignored signals ignored.
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, SIG_DFL);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  out_fd_ = pipe_fds[0];
}

Child::~Child() {
  if (out_fd_ >= 0) close(out_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool Child::fill(std::chrono::milliseconds timeout) {
  pollfd ready{out_fd_, POLLIN, 0};
  if (poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buffer[4096];
  auto got = read(out_fd_, buffer, sizeof buffer);
  if (got <= 0) {
    at_end_ = true;
    return false;
  }
  pending_.append(buffer, static_cast<std::size_t>(got));
  out_.append(buffer, static_cast<std::size_t>(got));
  return true;
}

std::optional<std::string> Child::read_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending_.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(left)) return std::nullopt;
  }
  auto end = pending_.find('\n');
  auto line = pending_.substr(0, end);
  pending_.erase(0, end + 1);
  return line;
}

void Child::send(int signal) { kill(pid_, signal); }

int Child::finish(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(left)) break;
  }
  // Still running past the deadline: kill it, so a hang fails the test instead of stalling it.
  if (!at_end_) kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  err_ = read_file(err_path_);
  killed_by_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace flow::test
