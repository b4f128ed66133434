// read(path, follow=true): finding the files (follow_source.hpp) — the
// pattern's matches, files renamed or deleted since the last look, files a
// rotation moved away while flow was down, and gzip copies of files already
// read. The patterns themselves: follow_paths.cpp.
#include <set>
#include <stdexcept>

#include "runtime/ingest/follow_paths.hpp"
#include "runtime/ingest/follow_source.hpp"

namespace flow::ingest {

Follow::Tracked* Follow::tracked(FileKey key) {
  for (auto& entry : files_) {
    if (entry.file->key() == key) return &entry;
  }
  return nullptr;
}

void Follow::open(const std::string& path, bool gone) {
  auto file = FollowedFile::open(path);
  if (!file) return;
  Checkpoint start{path, 0, file->head_hash(), file->head_length()};
  if (ledger_) {
    auto found = ledger_->loaded().find(file->key());
    if (found != ledger_->loaded().end() &&
        file->head_matches(found->second.head_hash, found->second.head_length)) {
      // A file shorter than its checkpoint was truncated while flow was down: from its start.
      if (file->resume_at(found->second.offset))
        start.offset = found->second.offset;
      else
        file = FollowedFile::open(path);
      if (!file) return;
    }
  }
  if (file->gzip() && start.offset == 0) {
    try {
      start.offset = skip_known(*file);
    } catch (const std::runtime_error&) {
      stalled_[file->key()] = Stall{file->size(), 0, 0};  // still being written: again when it grows
      return;
    }
  }
  Tracked entry(std::move(file), 0, gone);
  if (ledger_) {
    entry.epoch = ledger_->track(entry.file->key(), start);
    // In the checkpoints before any of its lines go out: a crash before the
    // next tick must not leave a file nobody knows to look for by inode.
    ledger_->write_if_changed();
  }
  ++files_opened_;
  files_.push_back(std::move(entry));
}

void Follow::reopen(const std::string& path, std::map<FileKey, Stall>::iterator stall) {
  auto state = stall->second;
  stalled_.erase(stall);
  if (state.epoch == 0) return open(path, false);  // stalled before it began: as if new
  auto file = FollowedFile::open(path);
  if (!file) return;
  try {
    if (!file->resume_at(state.offset)) return;
  } catch (const std::runtime_error&) {
    stalled_[file->key()] = Stall{file->size(), state.offset, state.epoch};
    return;
  }
  files_.emplace_back(std::move(file), state.epoch, false);
}

std::uint64_t Follow::skip_known(FollowedFile& file) {
  file.read_head();
  if (!file.head_full()) return 0;
  auto offset = read_heads_.find(file.head_hash());
  std::uint64_t known = offset == read_heads_.end() ? 0 : offset->second;
  for (auto entry = files_.begin(); entry != files_.end(); ++entry) {
    const auto& other = *entry->file;
    if (other.gzip() || !other.head_full() || other.head_hash() != file.head_hash()) continue;
    // The copy takes over: it holds every byte the file had when it was
    // compressed, and the file is about to be deleted.
    known = other.line_end();
    if (ledger_) ledger_->closed(other.key());
    if (entry->lingering) --lingering_;
    files_.erase(entry);
    break;
  }
  // A copy shorter than that holds nothing new: it ends at once.
  if (known != 0) file.resume_at(known);
  return known;
}

void Follow::resume_rotated() {
  if (!ledger_) return;
  std::set<FileKey> matched;
  for (const auto& match : matches_of(pattern_)) matched.insert(match.key);
  for (const auto& [key, point] : ledger_->loaded()) {
    if (matched.count(key) != 0) continue;
    auto path = find_by_inode(directory_of(point.path), key);
    if (!path.empty()) {
      open(path, true);
      ++rotations_;
    }
  }
}

void Follow::rescan() {
  auto matches = matches_of(pattern_);
  std::set<FileKey> matched;
  for (const auto& match : matches) {
    matched.insert(match.key);
    if (finished_.count(match.key) != 0) continue;
    if (auto stall = stalled_.find(match.key); stall != stalled_.end()) {
      if (stall->second.size != match.size) reopen(match.path, stall);
      continue;
    }
    auto* entry = tracked(match.key);
    if (entry == nullptr) {
      // An empty file is opened once it has bytes: they say whether it is
      // gzip (logrotate's compress makes the .gz empty, then fills it).
      if (match.size > 0) open(match.path, false);
      continue;
    }
    if (entry->file->path() == match.path) continue;
    // Renamed, still matching (app.log → app.log.1 under app.log*): it goes on.
    ++rotations_;
    entry->file->set_path(match.path);
    if (ledger_) ledger_->moved(match.key, match.path);
  }
  for (auto& entry : files_) {
    if (entry.gone || matched.count(entry.file->key()) != 0) continue;
    entry.gone = true;  // renamed away or deleted: what it holds is still read
    ++rotations_;
  }
  for (auto done = finished_.begin(); done != finished_.end();) {
    if (matched.count(*done) != 0) {
      ++done;
      continue;
    }
    if (ledger_) ledger_->closed(*done);
    done = finished_.erase(done);
  }
}

}  // namespace flow::ingest
