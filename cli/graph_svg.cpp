#include "cli/graph_svg.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace flow::cli {
namespace {

std::string reason(int error_number) {
  return std::generic_category().message(error_number);
}

// Both ends of a pipe, closed when they go out of scope unless taken.
struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) == 0) read = ends[0], write = ends[1];
  }
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return read >= 0; }
};

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

// Starts `dot -Tsvg` reading `input` and writing `output`, its errors to
// /dev/null (the DOT is flow's own; a failure is reported by its status).
int spawn_dot(const Pipe& input, const Pipe& output, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output.write, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  char program[] = "dot", format[] = "-Tsvg";
  char* argv[] = {program, format, nullptr};
  int status = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  return status;
}

}  // namespace

std::optional<std::string> render_svg(const std::string& dot_text, std::string& error) {
  Pipe input, output;
  if (!input.ok() || !output.ok())
    return error = fmt::format("cannot run dot: {}", reason(errno)), std::nullopt;
  pid_t pid = -1;
  if (int failed = spawn_dot(input, output, pid); failed != 0) {
    return error = fmt::format("cannot run dot: {}", reason(failed)), std::nullopt;
  }
  close(input.read), input.read = -1;
  close(output.write), output.write = -1;
  // dot reads the whole graph before it writes a byte, so writing all, then
  // reading all, cannot fill both pipes at once.
  write_all(input.write, dot_text);
  close(input.write), input.write = -1;
  std::string svg = read_all(output.read);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return error = "cannot run dot", std::nullopt;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || svg.empty()) {
    return error = fmt::format("dot exited with status {}",
                               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)),
           std::nullopt;
  }
  return svg;
}

}  // namespace flow::cli
