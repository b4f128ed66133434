// A literal prefilter for RE2 regexes: a cheap test that rules out most texts
// a regex cannot match, so the regex only runs on the few that remain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flow::ops {

/// A necessary condition for a regex to match, checked much faster than the regex:
/// the literal strings ("atoms") that every match must contain one of, searched
/// for ASCII-case-insensitively. `may_match(text) == false` proves that
/// `RE2::PartialMatch(text, RE2(pattern, RE2::Quiet))` is false; `true` proves
/// nothing (the caller runs the regex). A text with any byte >= 0x80 always
/// may match: Unicode lower-casing can turn non-ASCII runes into an atom's
/// ASCII letters (KELVIN SIGN -> 'k'); see regex_prefilter.cpp.
///
/// Inactive (may_match always true) when the pattern does not compile, when
/// RE2 finds no atom every match needs (e.g. `\d+`, `ab|cd` with atoms shorter
/// than the minimum), or when an atom is not pure ASCII.
class RegexPrefilter {
 public:
  /// Atoms shorter than this are dropped by RE2. 3 is RE2's own default. On
  /// examples/data/app.log, 1 was slower than no prefilter (`\d` gives the
  /// atoms "0".."9", in every line); 2 matched 3 and helped only `\b(up|at)\b`;
  /// 4 lost useful atoms such as "at " (bench: ops_tests "[.bench][prefilter]").
  static constexpr int kDefaultMinAtomLength = 3;

  explicit RegexPrefilter(const std::string& pattern, int min_atom_length = kDefaultMinAtomLength);

  /// False: no usable atoms, and may_match is always true.
  bool active() const { return !finders_.empty(); }

  /// False only when the regex cannot match `text` (anywhere in it).
  bool may_match(std::string_view text) const;

  /// The lower-cased atoms RE2 derived from the pattern (empty when inactive).
  const std::vector<std::string>& atoms() const { return atoms_; }

  /// Whether `atom` occurs in `text` with ASCII letters compared
  /// case-insensitively (other bytes exactly). Exposed for tests; may_match
  /// uses the same search, prepared once per atom.
  static bool contains_ignoring_ascii_case(std::string_view text, std::string_view atom);

 private:
  /// One atom in the form the block search wants: its first and last byte and
  /// the bit that folds a text byte onto them (0x20 for letters, 0 otherwise).
  struct AtomFinder {
    explicit AtomFinder(std::string_view any_case_atom);  // non-empty
    bool found_in(std::string_view text) const;

    std::string atom;  // owned, so a copied prefilter stays valid
    std::uint8_t first = 0;
    std::uint8_t last = 0;
    std::uint8_t first_fold = 0;
    std::uint8_t last_fold = 0;
  };

  std::vector<std::string> atoms_;
  std::vector<AtomFinder> finders_;
};

}  // namespace flow::ops
