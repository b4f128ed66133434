#include "runtime/calls/exec_child.hpp"

#include "flow/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace flow::calls {
namespace {

constexpr std::size_t kTailLines = 5;
constexpr int kPipeBytes = 1 << 18;  // fewer wake-ups per line than the default 64 KiB

struct Pipe {
  int read = -1;
  int write = -1;
};

// Both ends close-on-exec: a descriptor of flow's (a socket, another child's
// pipe) never leaks into a child, even one spawned at the same moment on
// another thread. dup2 onto 0-2 in the child clears the flag there.
Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0)
    throw SpawnError(fmt::format("cannot make a pipe: {}", std::generic_category().message(errno)));
  ::fcntl(fds[1], F_SETPIPE_SZ, kPipeBytes);  // a smaller pipe still works
  return {fds[0], fds[1]};
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// The child gets default dispositions and an empty mask whatever flow's
// threads have: flow ignores SIGPIPE and SIGXFSZ, and a child that inherited
// that would meet EPIPE where `sed` or `head` expect to die quietly.
struct SpawnAttributes {
  posix_spawnattr_t attr{};
  SpawnAttributes() {
    posix_spawnattr_init(&attr);
    sigset_t all;
    sigfillset(&all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

struct FileActions {
  posix_spawn_file_actions_t actions{};
  FileActions() { posix_spawn_file_actions_init(&actions); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& text : strings)
    pointers.push_back(const_cast<char*>(text.c_str()));  // NOLINT: spawn's API
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  bool python_set = false;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    env.emplace_back(*entry);
    if (env.back().rfind("PYTHONUNBUFFERED=", 0) == 0) python_set = true;
  }
  if (!python_set) env.emplace_back("PYTHONUNBUFFERED=1");
  return env;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return name != nullptr ? fmt::format("was killed by SIG{}", name)
                           : fmt::format("was killed by signal {}", WTERMSIG(status));
  }
  return fmt::format("ended with status {}", status);
}

bool clean_exit(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

namespace {

// The process groups of the children not yet reaped, for kill_child_groups:
// slots a signal handler can read without a lock. A full table (over 1024
// children at once) leaves a child out: then only its own stop ends it.
constexpr std::size_t kGroupSlots = 1024;
std::array<std::atomic<pid_t>, kGroupSlots> live_groups{};

void remember_group(pid_t group) {
  for (auto& slot : live_groups) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, group)) return;
  }
}

void forget_group(pid_t group) {
  for (auto& slot : live_groups) {
    pid_t held = group;
    if (slot.compare_exchange_strong(held, 0)) return;
  }
}

}  // namespace

ChildProcess::ChildProcess(const ChildSetup& setup) {
  Pipe in = make_pipe();
  Pipe out = setup.capture_stdout ? make_pipe() : Pipe{};
  Pipe err = setup.capture_stderr ? make_pipe() : Pipe{};
  FileActions files;
  posix_spawn_file_actions_adddup2(&files.actions, in.read, STDIN_FILENO);
  if (out.write >= 0) posix_spawn_file_actions_adddup2(&files.actions, out.write, STDOUT_FILENO);
  if (err.write >= 0) posix_spawn_file_actions_adddup2(&files.actions, err.write, STDERR_FILENO);
  // Whatever a library opened without O_CLOEXEC stays in flow too.
  posix_spawn_file_actions_addclosefrom_np(&files.actions, STDERR_FILENO + 1);
  SpawnAttributes attributes;
  auto argv = c_strings(setup.argv);
  auto envp = c_strings(setup.env);
  int error = ::posix_spawnp(&pid_, argv[0], &files.actions, &attributes.attr, argv.data(), envp.data());
  close_fd(in.read);
  close_fd(out.write);
  close_fd(err.write);
  in_ = in.write;
  out_ = out.read;
  err_ = err.read;
  if (error != 0) {
    close_fd(in_);
    close_fd(out_);
    close_fd(err_);
    throw SpawnError(
        fmt::format("cannot start {}: {}", setup.argv[0], std::generic_category().message(error)));
  }
  remember_group(pid_);
  set_nonblocking(in_);
  if (out_ >= 0) set_nonblocking(out_);
}

ChildProcess::~ChildProcess() {
  stop(std::chrono::milliseconds(1000));
  close_fd(out_);
  close_fd(err_);
}

int ChildProcess::release_err() {
  int fd = err_;
  err_ = -1;
  return fd;
}

void ChildProcess::close_in() {
  close_fd(in_);
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds limit) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno == ECHILD)) {
      status_ = done == pid_ ? status : 0;
      forget_group(pid_);
      // What it left running in its group (a `sh -c "job &"`) ends with it.
      ::kill(-pid_, SIGTERM);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    // A child's exit is not something poll() can wait on without a pidfd:
    // look again, less often the longer it takes.
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (status_) return *status_;
  close_in();
  if (auto status = wait_for(grace)) return *status;
  ::kill(-pid_, SIGTERM);  // its whole group: what `sh -c` started too
  if (auto status = wait_for(grace)) return *status;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  return wait_for(std::chrono::hours(1)).value_or(0);
}

void ChildProcess::signal_group(int signal) {
  if (!status_) ::kill(-pid_, signal);
}

namespace {

bool all_exited(const std::vector<ChildProcess*>& children, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool all = true;
    for (auto* child : children) all = child->wait_for(std::chrono::milliseconds(0)).has_value() && all;
    if (all) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // see wait_for
  }
}

}  // namespace

void stop_all(const std::vector<ChildProcess*>& children, std::chrono::milliseconds grace) {
  for (auto* child : children) child->close_in();
  if (all_exited(children, grace)) return;
  for (auto* child : children) child->signal_group(SIGTERM);
  if (all_exited(children, grace)) return;
  for (auto* child : children) child->stop(std::chrono::milliseconds(0));
}

StderrPump::StderrPump(int fd, std::string prefix) : fd_(fd), prefix_(std::move(prefix)) {
  thread_ = std::thread([this] { run(); });
}

StderrPump::~StderrPump() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;  // the thread looks at this between polls
  }
  thread_.join();
  close_fd(fd_);
}

void StderrPump::run() {
  std::string pending;
  std::array<char, 4096> buffer{};
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) break;
    }
    pollfd watch{fd_, POLLIN, 0};
    // Wakes now and then to see whether it must stop; a signal (-1, EINTR)
    // is no readiness: a blocking read could then outwait a grandchild.
    if (::poll(&watch, 1, 100) <= 0) continue;
    auto n = ::read(fd_, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer.data(), static_cast<std::size_t>(n));
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      line(pending.substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  if (!pending.empty()) line(pending);
  std::lock_guard<std::mutex> lock(mutex_);
  ended_ = true;
  ended_cv_.notify_all();
}

void StderrPump::line(const std::string& text) {
  // One write per line: lines of two children never interleave mid-line.
  auto out = fmt::format("{}: {}\n", prefix_, text);
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, out.data(), out.size());
  std::lock_guard<std::mutex> lock(mutex_);
  last_.push_back(text);
  if (last_.size() > kTailLines) last_.pop_front();
}

std::string StderrPump::tail(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  ended_cv_.wait_for(lock, limit, [this] { return ended_; });
  std::string text;
  for (const auto& line : last_) text += (text.empty() ? "" : " | ") + line;
  return text;
}

}  // namespace flow::calls

void flow::kill_child_groups() noexcept {
  for (const auto& slot : flow::calls::live_groups) {
    pid_t group = slot.load();
    if (group > 0) ::kill(-group, SIGKILL);
  }
}
