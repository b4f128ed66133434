// read(path, follow=true): reading one followed file's lines
// (follow_source.hpp), across truncations, rotations and gzip files still
// being written, with a receipt per pull for the checkpoints.
#include <chrono>
#include <stdexcept>

#include "runtime/ingest/follow_source.hpp"

namespace flow::ingest {

bool Follow::read_lines(Tracked& entry, Chunk& out, std::size_t max, bool stopping) {
  auto& file = *entry.file;
  auto first = out.size();
  auto begin = file.line_end();
  bool ended = false, stalled = false;
  while (out.size() < max) {
    if (auto line = file.next_line(max_line_)) {
      out.emplace_back().payload = std::string(*line);
      continue;
    }
    if (stopping) break;  // what is not read yet is read next time, from the checkpoint
    bool more = false;
    try {
      more = file.fill();
    } catch (const std::runtime_error&) {
      if (!file.gzip()) throw;
      stalled = true;  // a gzip file still being written, or damaged: again when its size changes
      break;
    }
    if (more) {
      entry.grew = std::chrono::steady_clock::now();
      continue;
    }
    // Lines of the old content in hand go out first, under the old epoch's receipt.
    if (!entry.gone && out.size() == first && file.truncated()) {
      ++truncations_;
      file.restart();
      if (ledger_) entry.epoch = ledger_->track(file.key(), Checkpoint{file.path(), 0, 0, 0});
      entry.head_reported = 0;  // the new content's head is reported anew (inode reuse is told by it)
      begin = 0;
      continue;
    }
    ended = entry.gone ? done_waiting(entry) : file.finished();
    if (ended && entry.gone) {
      // A file that will not grow again: its last line needs no newline.
      auto partial = file.take_partial();
      if (!partial.empty()) out.emplace_back().payload = std::move(partial);
    }
    break;
  }
  if (ledger_ && file.head_length() != entry.head_reported) {
    entry.head_reported = file.head_length();
    ledger_->head(file.key(), file.head_hash(), file.head_length());
  }
  if (ledger_ && out.size() > first) {
    auto receipt = ledger_->receipt(file.key(), entry.epoch, begin, file.line_end());
    for (auto i = first; i < out.size(); ++i) out[i].receipt = receipt;
  }
  if (stalled) {
    stalled_[file.key()] = Stall{file.size(), file.line_end(), entry.epoch};
    return true;
  }
  if (!ended) return false;
  if (entry.gone) {
    if (ledger_) ledger_->closed(file.key());
    if (file.head_full() && !file.gzip()) read_heads_[file.head_hash()] = file.line_end();
  } else {
    finished_.insert(file.key());  // kept in the checkpoints, not opened again while it matches
  }
  return true;
}

bool Follow::done_waiting(Tracked& entry) {
  bool done = entry.file->deleted() || std::chrono::steady_clock::now() - entry.grew >= kRotateWait;
  if (!done && !entry.lingering) {
    entry.lingering = true;
    ++lingering_;
  }
  if (done && entry.lingering) --lingering_;
  return done;
}

}  // namespace flow::ingest
