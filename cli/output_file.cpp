#include "cli/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace flow::cli {

OutputFile::OutputFile(std::string path) : path_(std::move(path)), file_(std::fopen(path_.c_str(), "w")) {
  if (!file_) fail(errno);
}

bool OutputFile::fail(int error_number) {
  if (error_.empty()) error_ = fmt::format("cannot write '{}': {}", path_, std::strerror(error_number));
  return false;
}

bool OutputFile::write(std::string_view text) {
  if (!ok()) return false;
  if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size()) return fail(errno);
  return true;
}

bool OutputFile::flush() {
  if (!ok()) return false;
  if (std::fflush(file_.get()) != 0) return fail(errno);
  return true;
}

bool OutputFile::close() {
  if (!file_) return ok();
  bool flushed = flush();
  // fclose also reports what the final write-back found (e.g. on NFS); the
  // stream is gone afterwards whatever it returns.
  int closed = std::fclose(file_.release());
  if (closed != 0 && flushed) return fail(errno);
  return ok();
}

bool write_whole_file(const std::string& path, std::string_view text, std::string& error) {
  OutputFile file(path);
  if (file.write(text) && file.close()) return true;
  error = file.error();
  return false;
}

void write_stdout(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

namespace {

int flush_standard(std::FILE* stream, const char* name, std::string& error, int earlier_errno) {
  int reason = 0;
  if (std::fflush(stream) != 0) {
    reason = errno;
  } else if (std::ferror(stream) != 0 || earlier_errno != 0) {
    reason = earlier_errno != 0 ? earlier_errno : EIO;  // an earlier write failed; errno is long gone
  } else {
    return exit_ok;
  }
  if (reason == EPIPE) return exit_broken_pipe;  // only seen where SIGPIPE is ignored
  error = fmt::format("cannot write {}: {}", name, std::strerror(reason));
  return exit_output_failed;
}

}  // namespace

int flush_stdout(std::string& error, int earlier_errno) {
  return flush_standard(stdout, "standard output", error, earlier_errno);
}

int write_stderr(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stderr) == text.size()) return 0;
  return errno != 0 ? errno : EIO;
}

int flush_stderr(std::string& error, int earlier_errno) {
  return flush_standard(stderr, "standard error", error, earlier_errno);
}

void guard_standard_descriptors() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // Opened the wrong way round, so using it still fails with EBADF as the
    // closed descriptor did: a closed stdin is not an empty one. open() takes
    // the lowest free number, which is this one.
    int opened = open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
    if (opened != fd && opened >= 0) {
      dup2(opened, fd);
      ::close(opened);
    }
  }
}

}  // namespace flow::cli
