// The warning for a multi-worker node that may reorder the lines a file or
// standard output receives.
#include <catch2/catch.hpp>

#include "support.hpp"

using flow::test::diagnostics_of;

TEST_CASE("an unordered multi-worker stage before a write warns at its workers", "[check]") {
  CHECK(diagnostics_of("source lines = read(\"in.txt\")\n"
                       "stage  parse = upper() [workers=2]\n"
                       "sink   out   = write(\"out.txt\")\n"
                       "lines -> parse -> out\n") ==
        "t.flow:2:25: warning: stage 'parse' has 2 workers, which finish in any order, and feeds sink 'out' "
        "(write): its lines can come out in another order than they came in; add ordered=true to keep their "
        "order, or ordered=false to say it does not matter\n"
        "    stage  parse = upper() [workers=2]\n"
        "                            ^^^^^^^^^\n");
}

TEST_CASE("reordering is warned through later nodes and from a defaults statement", "[check]") {
  // The second stage has one worker, but it passes on the order it is given.
  auto text = diagnostics_of(
      "stage [workers=4]\n"
      "source lines = read(\"in.txt\")\n"
      "stage  parse = upper()\n"
      "stage  tag   = prefix(\"x \") [workers=1]\n"
      "sink   out   = stdout()\n"
      "lines -> parse -> tag -> out\n");
  CHECK(text ==
        "t.flow:1:8: warning: stage 'parse' has 4 workers, which finish in any order, and feeds sink 'out' "
        "(stdout): its lines can come out in another order than they came in; add ordered=true to keep their "
        "order, or ordered=false to say it does not matter\n"
        "    stage [workers=4]\n"
        "           ^^^^^^^^^\n");
}

TEST_CASE("no reordering warning for ordered, one worker, an explicit ordered=false or another sink",
          "[check]") {
  const char* tail = "sink out = write(\"out.txt\")\nlines -> parse -> out\n";
  const char* head = "source lines = read(\"in.txt\")\n";
  for (const char* stage : {"stage parse = upper() [workers=2, ordered=true]\n", "stage parse = upper()\n",
                            "stage parse = upper() [workers=2, ordered=false]\n"}) {
    INFO(stage);
    CHECK(diagnostics_of(std::string(head) + stage + tail).empty());
  }
  CHECK(diagnostics_of(std::string(head) + "stage parse = upper() [workers=2]\nsink out = discard()\n"
                                           "lines -> parse -> out\n")
            .empty());
}

TEST_CASE("a write or stdout sink with several workers warns at its workers, and asks for one", "[check]") {
  CHECK(diagnostics_of("source lines = read(\"in.txt\")\n"
                       "sink   out   = write(\"out.txt\") [workers=3]\n"
                       "lines -> out\n") ==
        "t.flow:2:34: warning: sink 'out' (write) has 3 workers, which write in the order they finish: its "
        "lines can come out in another order than they came in; workers=1 keeps their order\n"
        "    sink   out   = write(\"out.txt\") [workers=3]\n"
        "                                     ^^^^^^^^^\n");
  CHECK(diagnostics_of("source lines = read(\"in.txt\")\n"
                       "sink   out   = discard() [workers=3]\n"
                       "lines -> out\n")
            .empty());
}

TEST_CASE("a partitioned node warns that each key keeps its order and the order across keys does not hold",
          "[check][partition]") {
  CHECK(diagnostics_of("source lines = read(\"in.txt\") | parse_json()\n"
                       "stage  work  = upper() [workers=2, partition=by(user)]\n"
                       "sink   out   = write(\"out.txt\")\n"
                       "lines -> work -> out\n") ==
        "t.flow:2:25: warning: stage 'work' has 2 workers and partition=by(user), and feeds sink 'out' "
        "(write): "
        "each key's lines keep their order, but lines of different keys can come out in another order than "
        "they came in; add ordered=false to say that does not matter, or ordered=true instead of partition= "
        "to keep the whole order\n"
        "    stage  work  = upper() [workers=2, partition=by(user)]\n"
        "                            ^^^^^^^^^\n");
  CHECK(
      diagnostics_of("source lines = read(\"in.txt\") | parse_json()\n"
                     "sink   out   = write(\"out.txt\") [workers=3, partition=by(user, path)]\n"
                     "lines -> out\n") ==
      "t.flow:2:34: warning: sink 'out' (write) has 3 workers and partition=by(user, path): each key's lines "
      "keep their order, but lines of different keys can come out in another order than they came in; "
      "workers=1 keeps the whole order\n"
      "    sink   out   = write(\"out.txt\") [workers=3, partition=by(user, path)]\n"
      "                                     ^^^^^^^^^\n");
}
