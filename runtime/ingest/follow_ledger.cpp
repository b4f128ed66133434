#include "runtime/ingest/follow_ledger.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

namespace flow::ingest {
namespace {

constexpr int kFormatVersion = 1;

std::string read_whole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw std::runtime_error(
        fmt::format("cannot read checkpoints '{}': {}", path, std::generic_category().message(errno)));
  }
  std::string text;
  char buffer[8192];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

std::map<FileKey, Checkpoint> parse(const std::string& path, const std::string& text) {
  std::map<FileKey, Checkpoint> result;
  if (text.empty()) return result;
  try {
    auto json = nlohmann::json::parse(text);
    for (const auto& file : json.at("files")) {
      FileKey key{file.at("dev").get<std::uint64_t>(), file.at("inode").get<std::uint64_t>()};
      result[key] = Checkpoint{file.at("path").get<std::string>(), file.at("offset").get<std::uint64_t>(),
                               std::stoull(file.at("head_hash").get<std::string>(), nullptr, 16),
                               file.at("head_length").get<std::uint64_t>()};
    }
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("cannot read checkpoints '{}': {}", path, error.what()));
  }
  return result;
}

// The whole file or, after a crash at any point, the old one: never half of each.
void write_atomically(const std::string& path, const std::string& text) {
  auto temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    ok = n > 0 || (n < 0 && errno == EINTR);
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  int error = ok ? 0 : errno;
  if (ok && ::fsync(fd) != 0) ok = false, error = errno;
  if (fd >= 0 && ::close(fd) != 0 && ok) ok = false, error = errno;
  if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) ok = false, error = errno;
  if (!ok) {
    throw std::runtime_error(
        fmt::format("cannot write checkpoints '{}': {}", path, std::generic_category().message(error)));
  }
}

}  // namespace

std::uint64_t head_hash_of(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

/// Shared by the lines of one pull from one file; holds the ledger alive, never the operator.
class Ledger::Range final : public Receipt {
 public:
  Range(std::shared_ptr<Ledger> ledger, FileKey key, std::uint64_t epoch, std::uint64_t begin,
        std::uint64_t end)
      : ledger_(std::move(ledger)), key_(key), epoch_(epoch), begin_(begin), end_(end) {}

 private:
  void done() override {
    ledger_->finish(key_, epoch_, begin_, end_, ledger_->run_failed());
    delete this;
  }
  std::shared_ptr<Ledger> ledger_;
  FileKey key_;
  std::uint64_t epoch_, begin_, end_;
};

Ledger::Ledger(std::string file) : file_(std::move(file)) {
  // The state directory is made on first use, as Vector's data_dir is not: one step fewer to a first run.
  auto slash = file_.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    auto directory = file_.substr(0, slash);
    if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
      throw std::runtime_error(fmt::format("cannot make the state directory '{}': {}", directory,
                                           std::generic_category().message(errno)));
    }
  }
  loaded_ = parse(file_, read_whole(file_));
}

Ledger::~Ledger() {
  try {
    std::lock_guard lock(mutex_);
    if (changed_) write_locked();
  } catch (const std::exception&) {
    // Nobody is left to tell; the last periodic write stands, and a restart repeats at most what followed it.
  }
}

std::uint64_t Ledger::track(FileKey key, const Checkpoint& start) {
  std::lock_guard lock(mutex_);
  auto& entry = entries_[key];
  entry.checkpoint = start;
  entry.finished.clear();
  entry.closed = false;
  changed_ = true;
  return ++entry.epoch;
}

void Ledger::moved(FileKey key, const std::string& path) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end() || found->second.checkpoint.path == path) return;
  found->second.checkpoint.path = path;
  changed_ = true;
}

void Ledger::head(FileKey key, std::uint64_t hash, std::uint64_t length) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) return;
  found->second.checkpoint.head_hash = hash;
  found->second.checkpoint.head_length = length;
  changed_ = true;
}

void Ledger::closed(FileKey key) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) return;
  found->second.closed = true;
  if (found->second.pending == 0) entries_.erase(found);
  changed_ = true;
}

ReceiptRef Ledger::receipt(FileKey key, std::uint64_t epoch, std::uint64_t begin, std::uint64_t end) {
  {
    std::lock_guard lock(mutex_);
    ++entries_[key].pending;
  }
  // The receipt owns itself from here: its done() deletes it (flow/message.hpp).
  // NOLINTBEGIN(clang-analyzer-cplusplus.NewDeleteLeaks)
  return ReceiptRef(new Range(shared_from_this(), key, epoch, begin, end));
  // NOLINTEND(clang-analyzer-cplusplus.NewDeleteLeaks)
}

bool Ledger::run_failed() const {
  std::lock_guard lock(mutex_);
  return failed_ && failed_->load(std::memory_order_acquire);
}

void Ledger::watch_failure(std::shared_ptr<const std::atomic<bool>> failed) {
  std::lock_guard lock(mutex_);
  failed_ = std::move(failed);
}

void Ledger::finish(FileKey key, std::uint64_t epoch, std::uint64_t begin, std::uint64_t end,
                    bool abandoned) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) return;
  auto& entry = found->second;
  --entry.pending;
  // Let go by a failed run, not delivered: the checkpoint stays before these
  // bytes for good, and the entry is kept, so a restart reads them again.
  if (abandoned) entry.stuck = true;
  if (entry.epoch == epoch && !abandoned) {
    entry.finished[begin] = end;
    // The prefix grows while the next range begins where it ends.
    for (auto next = entry.finished.begin();
         next != entry.finished.end() && next->first == entry.checkpoint.offset;
         next = entry.finished.erase(next)) {
      entry.checkpoint.offset = next->second;
      changed_ = true;
    }
  }
  if (entry.closed && entry.pending == 0 && !entry.stuck) {
    entries_.erase(found);
    changed_ = true;
  }
}

void Ledger::write_if_changed() {
  std::lock_guard lock(mutex_);
  if (changed_) write_locked();
}

void Ledger::write_locked() {
  auto files = nlohmann::json::array();
  for (const auto& [key, entry] : entries_) {
    const auto& point = entry.checkpoint;
    files.push_back({{"path", point.path},
                     {"dev", key.dev},
                     {"inode", key.ino},
                     {"offset", point.offset},
                     {"head_length", point.head_length},
                     {"head_hash", fmt::format("{:016x}", point.head_hash)}});
  }
  nlohmann::json json{{"version", kFormatVersion}, {"files", files}};
  write_atomically(file_, json.dump(2) + "\n");
  changed_ = false;
}

}  // namespace flow::ingest
