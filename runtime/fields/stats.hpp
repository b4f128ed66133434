#pragma once
// Internal to runtime/fields: what aggregate() keeps of one field's values
// for one key in one window (docs/windows.md): exact count, sum, min, max,
// and a log-bucket sketch for percentiles (1% relative accuracy, memory by
// the spread of the values, not their number).
#include <cstdint>
#include <map>
#include <optional>

#include "flow/fields.hpp"

namespace flow::fields {

/// The value as a number: an integer, a finite decimal, or text that reads
/// as one by expr::number_from_text (`"200"`, `" 0.25"`, `"+5"`, as awk
/// converts); nullopt for other text, nan and inf.
std::optional<FieldView> numeric(const FieldView& value);

/// Values into buckets whose bounds grow by a factor gamma = (1+a)/(1-a),
/// a = 1%: every value of a bucket is within 1% of the bucket's estimate
/// (DDSketch, Masson et al. 2019; HdrHistogram keeps a fixed number of
/// significant digits the same way). Zero (|v| < 1e-9) is counted apart.
class Sketch {
 public:
  static constexpr double kAccuracy = 0.01;
  /// Adds `value`; nan and inf are left out.
  void add(double value);
  /// The value of nearest rank ceil(percent/100 * n) (1 at least), within 1%.
  double percentile(int percent) const;
  std::uint64_t size() const { return count_; }

 private:
  std::map<int, std::uint64_t> positive_, negative_;  ///< bucket index → values
  std::uint64_t zeros_ = 0, count_ = 0;
};

/// One field's values under one key in one window.
class FieldStats {
 public:
  explicit FieldStats(bool percentiles) {
    if (percentiles) sketch_.emplace();
  }
  /// Adds the field's value; text that is no number is left out.
  void add(const FieldView& value);
  std::uint64_t count() const { return count_; }
  /// Integers while every value was one (and their sum fits), else decimals.
  FieldView sum() const;
  FieldView min() const;
  FieldView max() const;
  double average() const { return sum_ / static_cast<double>(count_); }
  double percentile(int percent) const { return sketch_ ? sketch_->percentile(percent) : 0; }

 private:
  std::uint64_t count_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
  std::int64_t integer_sum_ = 0, integer_min_ = 0, integer_max_ = 0;
  bool integers_ = true;  ///< every value so far an integer, and integer_sum_ exact
  std::optional<Sketch> sketch_;
};

}  // namespace flow::fields
