// Checkpoints of read(follow=true) with `flow run --state DIR`: a restart goes
// on where every line was delivered, a kill -9 loses nothing (a writer thread
// appends and rotates the log meanwhile, and rotates it again while flow is
// down) and repeats at most what was in flight.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "follow_support.hpp"

using namespace flow::test;

namespace {

std::string line_of(int i) {
  return fmt::format("line {:05}", i);
}

/// Appends lines [first, last) in steps of `step`, renaming the log to
/// `log`.N (and so starting a new one) before each line in `rotate_at`. A
/// rotation waits until the file's first line arrived at `out`: a file made
/// and rotated away before the follower ever looked is not followed (as with
/// tail -F; docs/ingest.md), and logrotate does not rotate within milliseconds.
void write_lines(const std::string& log, int first, int last, const std::vector<int>& rotate_at, int& rotated,
                 const std::string& out, int file_start) {
  const int step = 20;
  for (int i = first; i < last; i += step) {
    std::string text;
    for (int j = i; j < std::min(last, i + step); ++j) {
      if (std::find(rotate_at.begin(), rotate_at.end(), j) != rotate_at.end()) {
        append(log, text);
        text.clear();
        if (!out.empty() && !wait_until([&] { return line_counts(out).count(line_of(file_start)) == 1; })) {
          throw std::runtime_error(fmt::format("{} never arrived", line_of(file_start)));
        }
        if (std::rename(log.c_str(), fmt::format("{}.{}", log, ++rotated).c_str()) != 0) {
          throw std::runtime_error("cannot rotate " + log);
        }
        file_start = j;
      }
      text += line_of(j) + "\n";
    }
    append(log, text);
  }
}

}  // namespace

TEST_CASE("a restart with --state goes on where the lines were delivered", "[ingest][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, numbered("first ", 0, 50));
  auto file = follow_pipeline(dir, log);
  auto flow = start_flow(dir, file, {"--state", dir + "/state"});
  REQUIRE(wait_for_lines(dir + "/out.txt", 50));
  flow->send(SIGINT);
  REQUIRE(flow->finish(std::chrono::seconds(20)) == 130);

  // One entry, by device and inode, at the end of what was delivered.
  auto checkpoints = nlohmann::json::parse(read_file(dir + "/state/logs.follow.json"));
  struct stat info {};
  REQUIRE(::stat(log.c_str(), &info) == 0);
  REQUIRE(checkpoints.at("files").size() == 1);
  const auto& entry = checkpoints.at("files")[0];
  CHECK(entry.at("inode").get<std::uint64_t>() == info.st_ino);
  CHECK(entry.at("dev").get<std::uint64_t>() == info.st_dev);
  CHECK(entry.at("path") == log);
  CHECK(entry.at("offset").get<std::uint64_t>() == static_cast<std::uint64_t>(info.st_size));

  append(log, numbered("second ", 0, 3));
  auto again = start_flow(dir, file, {"--state", dir + "/state"});
  REQUIRE(wait_for_lines(dir + "/out.txt", 53));
  again->send(SIGINT);
  REQUIRE(again->finish(std::chrono::seconds(20)) == 130);
  auto out = line_counts(dir + "/out.txt");
  CHECK(total(out) == 53);  // the first 50 are not read again
  for (int i = 0; i < 3; ++i) CHECK(out[fmt::format("second {}", i)] == 1);
}

TEST_CASE("the pipeline attribute state keeps checkpoints as --state does", "[ingest][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, numbered("x ", 0, 5));
  write_file(dir + "/attr.flow",
             fmt::format("pipeline attr [state=\"{0}/kept\"]\n\nsource logs = read(\"{1}\", follow=true)\n"
                         "sink   out  = write(\"{0}/out.txt\")\n\nlogs -> out\n",
                         dir, log));
  auto flow = start_flow(dir, dir + "/attr.flow");
  REQUIRE(wait_for_lines(dir + "/out.txt", 5));
  flow->send(SIGINT);
  REQUIRE(flow->finish(std::chrono::seconds(20)) == 130);
  auto checkpoints = nlohmann::json::parse(read_file(dir + "/kept/logs.follow.json"));
  CHECK(checkpoints.at("files")[0].at("offset").get<std::uint64_t>() == numbered("x ", 0, 5).size());
}

TEST_CASE("after kill -9 and a restart with --state every line of a rotated, growing log arrives",
          "[ingest][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  const int before_kill = 1200, during_downtime = 1500, total_lines = 2000;
  // A slow stage keeps lines read but not yet delivered in flight when the kill comes.
  auto file = follow_pipeline(dir, log, "delay(1ms)");
  auto state = dir + "/state";
  int rotated = 0;
  auto out_path = dir + "/out.txt";
  write_lines(log, 0, 20, {}, rotated, "", 0);
  auto flow = start_flow(dir, file, {"--state", state});
  std::string writer_error;
  std::thread writer([&] {
    try {
      write_lines(log, 20, before_kill, {400, 800}, rotated, out_path, 0);
    } catch (const std::exception& error) {
      writer_error = error.what();
    }
  });
  // Killed once the third file is being read: lines of it are still read, in flight, or not yet read.
  bool arrived = wait_until([&] { return line_counts(out_path).count(line_of(820)) == 1; });
  flow->send(SIGKILL);
  flow->finish(std::chrono::seconds(20));
  writer.join();
  INFO(flow->err());
  REQUIRE(writer_error.empty());
  REQUIRE(arrived);
  CHECK(flow->killed_by() == SIGKILL);
  auto delivered_before = total(line_counts(dir + "/out.txt"));
  auto checkpoint_at_kill = read_file(state + "/logs.follow.json");
  auto listing_at_kill = run_command("ls -li " + dir).out;
  auto out_at_kill = read_file(dir + "/out.txt");
  // While flow is down the log grows and is rotated once more.
  write_lines(log, before_kill, during_downtime, {1300}, rotated, "", 800);

  auto again = start_flow(dir, file, {"--state", state});
  write_lines(log, during_downtime, total_lines, {1800}, rotated, out_path, 1300);
  bool all = wait_until([&] { return line_counts(dir + "/out.txt").size() == total_lines; });
  again->send(SIGINT);
  if (!all) {
    auto seen = line_counts(dir + "/out.txt");
    std::string missing;
    for (int i = 0; i < total_lines; ++i) {
      if (seen.count(line_of(i)) == 0) missing += fmt::format(" {}", i);
    }
    again->finish(std::chrono::seconds(20));
    FAIL_CHECK("missing:" << missing.substr(0, 400) << "\nat kill:" << checkpoint_at_kill << listing_at_kill
                          << out_at_kill.substr(out_at_kill.size() - 300) << "\n"
                          << again->err() << read_file(state + "/logs.follow.json")
                          << run_command("ls -li " + dir).out);
  }
  REQUIRE(again->finish(std::chrono::seconds(20)) == 130);

  auto out = line_counts(dir + "/out.txt");
  std::size_t duplicates = 0;
  for (int i = 0; i < total_lines; ++i) {
    INFO(line_of(i));
    REQUIRE(out[line_of(i)] >= 1);
    duplicates += static_cast<std::size_t>(out[line_of(i)] - 1);
  }
  CHECK(out.size() == total_lines);  // nothing else
  // Read twice: at most what was in flight at the kill (two edges of 64, a
  // pull of 64 in the stage) and what was delivered since the last
  // checkpoint write (250 ms of a 1 ms stage): never the log from its start.
  INFO("delivered before the kill: " << delivered_before);
  CHECK(duplicates <= 64 + 64 + 64 + 250);
  CHECK(duplicates < delivered_before);
}

TEST_CASE("a run that fails moves no checkpoint past lines it did not deliver", "[ingest][checkpoint]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, numbered("kept ", 0, 40));
  // The sink's disk is full: every write fails, the run fails, and the lines
  // it had taken are let go at its end, never written.
  write_file(dir + "/full.flow",
             fmt::format("pipeline follow\n\nsource logs = read(\"{}\", follow=true)\nsink   out  = "
                         "write(\"/dev/full\")\n\nlogs -> out\n",
                         log));
  auto failing = start_flow(dir, dir + "/full.flow", {"--state", dir + "/state"});
  REQUIRE(failing->finish(std::chrono::seconds(20)) == 1);
  if (std::ifstream(dir + "/state/logs.follow.json").good()) {
    auto checkpoints = nlohmann::json::parse(read_file(dir + "/state/logs.follow.json"));
    for (const auto& entry : checkpoints.at("files")) CHECK(entry.at("offset").get<std::uint64_t>() == 0);
  }
  // The next run, with room on its disk, reads every line.
  auto file = follow_pipeline(dir, log);
  auto again = start_flow(dir, file, {"--state", dir + "/state"});
  REQUIRE(wait_for_lines(dir + "/out.txt", 40));
  again->send(SIGINT);
  REQUIRE(again->finish(std::chrono::seconds(20)) == 130);
  auto out = line_counts(dir + "/out.txt");
  CHECK(total(out) == 40);
  for (int i = 0; i < 40; ++i) CHECK(out[fmt::format("kept {}", i)] == 1);
}
