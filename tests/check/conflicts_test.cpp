// Streams two nodes would corrupt: two readers of standard input, two writers
// of one file, a writer of the file a source reads.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;

TEST_CASE("a second read of standard input is an error under it naming the first", "[check]") {
  CHECK(diagnostics_of("source a = read(\"-\")\n"
                       "source b = read(\"-\")\n"
                       "sink out = discard()\n"
                       "a -> out\n"
                       "b -> out\n") ==
        "t.flow:2:12: error: standard input is already read by source 'a' (line 1, column 12): two readers "
        "would "
        "split its lines between them\n"
        "    source b = read(\"-\")\n"
        "               ^^^^\n");
}

TEST_CASE("two sinks writing one path is an error under the second naming the first", "[check]") {
  CHECK(
      diagnostics_of("source a = generate(count=1)\n"
                     "sink one = write(\"out.txt\")\n"
                     "sink two = prefix(\"x\") | write(\"out.txt\")\n"
                     "a -> one\n"
                     "a -> two\n") ==
      "t.flow:3:26: error: 'out.txt' is already written by sink 'one' (line 2, column 12): two writers would "
      "cut each other's lines\n"
      "    sink two = prefix(\"x\") | write(\"out.txt\")\n"
      "                             ^^^^^\n");
}

TEST_CASE("two spellings of one path are one file", "[check]") {
  auto text = diagnostics_of(
      "source a = generate(count=1)\n"
      "sink one = write(\"out.txt\")\n"
      "sink two = write(\"./sub/../out.txt\")\n"
      "a -> one\n"
      "a -> two\n");
  CHECK(text.find("t.flow:3:12: error: './sub/../out.txt' is already written by sink 'one'") == 0);
}

TEST_CASE("a --set that makes two sinks write one path is caught too", "[check]") {
  auto text = diagnostics_of(
      "source a = generate(count=1)\n"
      "sink one = write(\"one.txt\")\n"
      "sink two = write(\"two.txt\")\n"
      "a -> one\n"
      "a -> two\n",
      {Override{"two", "path", "\"one.txt\""}});
  CHECK(text.find("t.flow:3:12: error: 'one.txt' is already written by sink 'one'") == 0);
}

TEST_CASE("a sink writing the file a source reads is an error under the write naming the source", "[check]") {
  CHECK(
      diagnostics_of("sink out = write(\"in.txt\")\n"
                     "source lines = read(\"in.txt\")\n"
                     "lines -> out\n") ==
      "t.flow:1:12: error: 'in.txt' is already read by source 'lines' (line 2, column 16): writing it would "
      "empty it before it is read\n"
      "    sink out = write(\"in.txt\")\n"
      "               ^^^^^\n");
  auto spelled = diagnostics_of(
      "source lines = read(\"in.txt\")\n"
      "sink out = write(\"./sub/../in.txt\")\n"
      "lines -> out\n");
  CHECK(spelled.find(
            "t.flow:2:12: error: './sub/../in.txt' is the file 'in.txt' read by source 'lines' (line 1, "
            "column 16): writing it would empty it before it is read") == 0);
}

TEST_CASE("a hard link to the file a source reads is that file: device and inode, not the spelling",
          "[check]") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("flow-check-{:x}", std::random_device{}());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "in.txt") << "one\n";
  std::filesystem::create_hard_link(dir / "in.txt", dir / "alias.txt");
  auto text =
      diagnostics_of(fmt::format("source lines = read(\"{0}/in.txt\")\n"
                                 "sink out = write(\"{0}/alias.txt\")\n"
                                 "lines -> out\n",
                                 dir.string()));
  std::filesystem::remove_all(dir);
  CHECK(text.find(
            fmt::format("t.flow:2:12: error: '{0}/alias.txt' is the file '{0}/in.txt' read by source 'lines'",
                        dir.string())) == 0);
}

TEST_CASE("distinct paths, one reader of standard input and a shared device are fine", "[check]") {
  CHECK(diagnostics_of("source a = read(\"-\")\n"
                       "source b = read(\"in.txt\")\n"
                       "sink one = write(\"one.txt\")\n"
                       "sink two = write(\"two.txt\")\n"
                       "sink three = write(\"/dev/null\")\n"
                       "sink four = write(\"/dev/null\")\n"
                       "sink five = stdout()\n"
                       "sink six = stdout()\n"
                       "a -> one\n"
                       "a -> two\n"
                       "b -> three\n"
                       "b -> four\n"
                       "a -> five\n"
                       "b -> six\n") == "");
}
