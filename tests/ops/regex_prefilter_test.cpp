#include "runtime/ops/regex_prefilter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <re2/re2.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>

#include "temp_files.hpp"

using flow::ops::RegexPrefilter;
using Strings = std::vector<std::string>;

namespace {

/// A copy of `text` in a heap block of exactly its size, so that
/// AddressSanitizer reports any read past its end (a std::string's spare
/// capacity would hide one).
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view text) : bytes_(new char[text.size()]), size_(text.size()) {
    if (size_ > 0) std::memcpy(bytes_.get(), text.data(), size_);
  }
  std::string_view view() const { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_;
};

bool is_pure_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool may_match(const RegexPrefilter& prefilter, std::string_view text) {
  return prefilter.may_match(ExactBuffer(text).view());
}

bool contains(std::string_view text, std::string_view lower_atom) {
  return RegexPrefilter::contains_ignoring_ascii_case(ExactBuffer(text).view(), lower_atom);
}

Strings sorted(Strings strings) {
  std::sort(strings.begin(), strings.end());
  return strings;
}

/// Flips the case of each ASCII letter with probability 1/2.
std::string in_random_case(std::string text, std::mt19937& random) {
  for (auto& c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) && (random() & 1U)) c = static_cast<char>(c ^ 0x20);
  }
  return text;
}

/// Mostly printable ASCII, sometimes any byte at all (UTF-8 or not).
char random_byte(std::mt19937& random) {
  if (random() % 300 == 0) return static_cast<char>(random() % 256);
  return static_cast<char>(' ' + random() % 95);
}

/// Lengths 0..100, with extra weight right around the 16- and 32-byte block
/// edges the vectorised search has to get right.
std::size_t random_length(std::mt19937& random) {
  static const std::size_t kEdges[] = {0,  1,  2,  3,  4,  5,  6,  14, 15, 16, 17, 18,
                                       19, 20, 21, 22, 30, 31, 32, 33, 34, 35, 36, 37};
  if (random() % 2 == 0) return kEdges[random() % std::size(kEdges)];
  return random() % 101;
}

/// Pieces of the patterns' literals (and near misses, and non-ASCII look-alikes).
const Strings kPieces = {"error",
                         "ERROR",
                         "fatal",
                         "FATAL",
                         "rror",
                         "erro",
                         "fatal",
                         " ",
                         "-",
                         "_",
                         "\n",
                         "\xE2\x84\xAA"
                         "elvin",  // KELVIN SIGN: lower-cases to 'k' in Unicode
                         "kelvin",
                         "status",
                         "\xC5\xBF"
                         "tatus",  // LONG S: lower-cases to 's'
                         "aaa",
                         "aa",
                         "abc",
                         "cd",
                         "ab",
                         "\xC3\x89",
                         "\xC3\xA9",
                         "\xC3\x89"
                         "clair",
                         "caf\xC3\xA9",
                         "cafe",
                         "worker 7 started",
                         "started",
                         "cache miss",
                         "cache hit",
                         "host-1 INFO",
                         "host-2 DEBUG",
                         "xyz",
                         "yzzw",
                         "warning",
                         "erroring",
                         "bcd",
                         "foo.bar",
                         "fooXbar",
                         "qaq",
                         ".log",
                         "help",
                         "helper",
                         "a-b-c",
                         "2026-11-28",
                         "12345",
                         "E",
                         "\x45RROR"};

std::string random_text(std::mt19937& random) {
  const std::size_t length = random_length(random);
  std::string text;
  while (text.size() < length) {
    if (random() % 4 == 0) {
      text += in_random_case(kPieces[random() % kPieces.size()], random);
    } else {
      text += random_byte(random);
    }
  }
  text.resize(length);  // may cut a piece at the end: atoms cut by the end must not count
  return text;
}

const Strings kPatterns = {"\\b(ERROR|FATAL)\\b",
                           "ERROR",
                           "error",
                           "(?i)fatal",
                           "[Ee]rror",
                           "(ERROR|[e]rror)",
                           "\\x45RROR",
                           "^2026-11-28",
                           "started$",
                           "\\d+",
                           ".*",
                           "a{3}",
                           "(abc){2,}",
                           "ab|cd",
                           "abc|d",
                           "\xC3\x89",
                           "\xC3\x89"
                           "clair",
                           "caf[e\xC3\xA9]",
                           "(?i)kelvin",
                           "(?i)status",
                           "\\x{212A}elvin",
                           "",
                           "worker \\d+ started",
                           "cache (miss|hit)",
                           "host-[12] (INFO|DEBUG)",
                           "x?yz+w",
                           "(?i)(warn|error)ing",
                           "[a-c]bcd",
                           "foo.bar",
                           "q[^x]q",
                           "\\.log\\b",
                           "(hello|help)(er)?",
                           "a.b.c",
                           "(?s).",
                           "E"};

}  // namespace

TEST_CASE("prefilter for \\b(ERROR|FATAL)\\b needs one of its words, in any case", "[ops][prefilter]") {
  RegexPrefilter prefilter("\\b(ERROR|FATAL)\\b");
  REQUIRE(prefilter.active());
  CHECK(sorted(prefilter.atoms()) == Strings{"error", "fatal"});
  CHECK_FALSE(may_match(prefilter, "2026-11-28T10:00:02Z host-1 DEBUG disk usage at 39%"));
  CHECK_FALSE(may_match(prefilter, ""));
  CHECK_FALSE(may_match(prefilter, "ERRO FATA rror atal"));
  CHECK(may_match(prefilter, "x ERROR y"));
  CHECK(may_match(prefilter, "x FATAL y"));
  CHECK(may_match(prefilter, "x error y"));  // a false positive: the regex decides
  CHECK(may_match(prefilter, "ERRORS"));     // likewise (\b fails)
  CHECK(may_match(prefilter, "some padding to pass one block, then FATAL"));
}

TEST_CASE("prefilter compares letters case-insensitively, other bytes exactly", "[ops][prefilter]") {
  RegexPrefilter fatal("(?i)fatal");
  REQUIRE(fatal.active());
  CHECK(may_match(fatal, "x Fatal y"));
  CHECK(may_match(fatal, "a line long enough for the vector path: fAtAl"));
  RegexPrefilter dashed("host-1");
  REQUIRE(dashed.atoms() == Strings{"host-1"});
  CHECK(may_match(dashed, "a line long enough for the vector path: HOST-1"));
  CHECK_FALSE(may_match(dashed, "a line long enough for the vector path: HOST\r1"));  // '\r' | 0x20 == '-'
}

TEST_CASE("prefilter is inactive without usable atoms", "[ops][prefilter]") {
  for (const std::string pattern :
       {"", "\\d+", ".*", "ab|cd", "abc|d", "\xC3\x89", "caf[e\xC3\xA9]", "(unclosed", "x\\C+yz", "q[^x]q"}) {
    INFO("pattern: " << pattern);
    RegexPrefilter prefilter(pattern);
    CHECK_FALSE(prefilter.active());
    CHECK(prefilter.atoms().empty());
    CHECK(may_match(prefilter, "nothing in common"));
    CHECK(may_match(prefilter, ""));
  }
}

TEST_CASE("prefilter lets through any text with non-ASCII bytes, which Unicode may lower-case to an atom",
          "[ops][prefilter]") {
  RegexPrefilter kelvin("(?i)kelvin");
  REQUIRE(kelvin.atoms() == Strings{"kelvin"});
  const std::string kelvin_sign_text =
      "\xE2\x84\xAA"
      "ELVIN";  // U+212A, then ELVIN
  REQUIRE(RE2::PartialMatch(kelvin_sign_text, RE2("(?i)kelvin", RE2::Quiet)));
  CHECK(may_match(kelvin, kelvin_sign_text));
  CHECK(may_match(kelvin, "caf\xC3\xA9"));
  CHECK_FALSE(may_match(kelvin, "cafe"));
}

TEST_CASE("prefilter never rejects a text its regex matches (random texts)", "[ops][prefilter][property]") {
  std::mt19937 random(20261129);
  Strings texts;
  for (int i = 0; i < 4000; ++i) texts.push_back(random_text(random));

  std::size_t active_patterns = 0;
  for (const auto& pattern : kPatterns) {
    RE2 regex(pattern, RE2::Quiet);
    REQUIRE(regex.ok());
    RegexPrefilter prefilter(pattern);
    std::size_t matched = 0, rejected = 0, ascii_unmatched = 0;
    Strings unsound;
    for (const auto& text : texts) {
      const bool maybe = may_match(prefilter, text);
      const bool matches = RE2::PartialMatch(text, regex);
      if (matches) ++matched;
      if (!matches && is_pure_ascii(text)) ++ascii_unmatched;
      if (!maybe) ++rejected;
      if (matches && !maybe) unsound.push_back(text);
    }
    INFO(fmt::format("pattern {:?}: atoms {}, {} of {} texts match, {} of {} unmatched ASCII texts rejected",
                     pattern, fmt::join(prefilter.atoms(), ","), matched, texts.size(), rejected,
                     ascii_unmatched));
    CHECK(unsound.empty());
    if (!unsound.empty()) FAIL_CHECK(fmt::format("first unsound text: {:?}", unsound.front()));
    if (prefilter.active()) {
      ++active_patterns;
      // Most random texts lack a given pattern's atoms: a prefilter that lets
      // many of them through is broken (e.g. case-sensitive), not just
      // conservative. Texts with non-ASCII bytes always pass, by design.
      CHECK(rejected * 2 > ascii_unmatched);
    } else {
      CHECK(rejected == 0);
    }
  }
  CHECK(active_patterns >= 20);
}

TEST_CASE("atom search finds the atom at every offset and alignment, and not when cut by the end",
          "[ops][prefilter]") {
  for (const std::string atom :
       {"x", "ab", "fatal", "host-1", "a.b-c_d", "0123456789abcdefg", "a-much-longer-atom-of-thirty-one"}) {
    for (std::size_t length = atom.size(); length <= 80; ++length) {
      for (std::size_t offset = 0; offset + atom.size() <= length && offset <= 70; ++offset) {
        std::string text(length, '.');
        text.replace(offset, atom.size(), atom);
        INFO(fmt::format("atom {:?} at {} of {}", atom, offset, length));
        CHECK(contains(text, atom));
        for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        CHECK(contains(text, atom));
        // The same text ending one byte into the atom's last byte: not there.
        CHECK_FALSE(contains(std::string_view(text).substr(0, offset + atom.size() - 1), atom));
      }
      CHECK_FALSE(contains(std::string(length, '.'), atom));
    }
  }
}

TEST_CASE("atom search folds only letters, also in the first and last byte", "[ops][prefilter]") {
  const std::string padding(40, '.');
  CHECK(contains(padding + "1HOST-" + padding, "1host-"));
  CHECK(contains("1HOST-", "1host-"));
  // 0x11 | 0x20 == '1' and '\r' | 0x20 == '-': folding these would be wrong.
  CHECK_FALSE(contains(padding + "\x11host-" + padding, "1host-"));
  CHECK_FALSE(contains(padding + "1host\r" + padding, "1host-"));
  CHECK_FALSE(contains("\x11host-", "1host-"));
  CHECK_FALSE(contains("1host\r", "1host-"));
  CHECK(contains(padding + "x fatal y" + padding, "FaTaL"));  // the atom's case does not matter either
  CHECK(contains("anything", ""));
}

TEST_CASE("atom search rejects near misses that share first and last byte", "[ops][prefilter]") {
  const std::string atom = "fatal";
  for (std::size_t length = 0; length <= 80; ++length) {
    std::string text;
    while (text.size() < length) text += "fxtal fatax FATA ";
    text.resize(length);
    INFO("length " << length);
    CHECK_FALSE(contains(text, atom));
  }
}

TEST_CASE("prefilter is faster than RE2 on log lines (prints ns per line)", "[.bench][ops][prefilter]") {
  const std::string log = flow::test::read_text(FLOW_SOURCE_DIR "/examples/data/app.log");
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(!lines.empty());
  constexpr int kRounds = 5000;
  const double evaluations = static_cast<double>(lines.size()) * kRounds;
  auto ns_per_line = [&](const auto& keep) {
    std::size_t kept = 0;
    auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < kRounds; ++round) {
      for (const auto& line : lines) kept += keep(line) ? 1 : 0;
    }
    std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
    return std::pair{elapsed.count() / evaluations, static_cast<double>(kept) / evaluations};
  };
  for (const std::string pattern :
       {"\\b(ERROR|FATAL)\\b", "ERROR", "(?i)timeout", "cache (miss|hit)", "worker \\d+ started"}) {
    RE2 regex(pattern, RE2::Quiet);
    RegexPrefilter prefilter(pattern);
    auto [filter_ns, passed] =
        ns_per_line([&](const std::string& line) { return prefilter.may_match(line); });
    auto [regex_ns, matched] =
        ns_per_line([&](const std::string& line) { return RE2::PartialMatch(line, regex); });
    auto [both_ns, kept] = ns_per_line(
        [&](const std::string& line) { return prefilter.may_match(line) && RE2::PartialMatch(line, regex); });
    CHECK(kept == matched);
    fmt::print(
        "{:<22} atoms {:<16} prefilter {:5.1f} ns/line (passes {:4.1f}%)  RE2 {:5.1f} ns/line "
        "(matches {:4.1f}%)  prefilter+RE2 {:5.1f} ns/line\n",
        pattern, fmt::format("{}", fmt::join(prefilter.atoms(), ",")), filter_ns, passed * 100, regex_ns,
        matched * 100, both_ns);
  }
}

TEST_CASE("prefilter minimum atom length: cost of prefilter then RE2 (prints ns per line)",
          "[.bench][ops][prefilter]") {
  const std::string log = flow::test::read_text(FLOW_SOURCE_DIR "/examples/data/app.log");
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  constexpr int kRounds = 5000;
  const double evaluations = static_cast<double>(lines.size()) * kRounds;
  // Patterns whose literals are short, so the minimum decides which atoms survive.
  for (const std::string pattern :
       {"at \\d+%", "\\d+ ms\\b", "#\\d+", "\\b(up|at)\\b", "\\b(ERROR|FATAL)\\b"}) {
    RE2 regex(pattern, RE2::Quiet);
    std::string report = fmt::format("{:<20}", pattern);
    for (int min_atom_length = 1; min_atom_length <= 4; ++min_atom_length) {
      RegexPrefilter prefilter(pattern, min_atom_length);
      std::size_t kept = 0;
      auto start = std::chrono::steady_clock::now();
      for (int round = 0; round < kRounds; ++round) {
        for (const auto& line : lines)
          kept += prefilter.may_match(line) && RE2::PartialMatch(line, regex) ? 1 : 0;
      }
      std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
      CHECK(kept > 0);
      report += fmt::format("  min {}: {:5.1f} ns/line [{}]", min_atom_length, elapsed.count() / evaluations,
                            fmt::join(prefilter.atoms(), ","));
    }
    fmt::print("{}\n", report);
  }
}
