#pragma once
// Debian's chromium, headless, driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ended by NUL on descriptors 3 and
// 4). A page that keeps an event stream open never finishes loading as
// --dump-dom and --virtual-time-budget need, so the test asks the live page
// what it shows instead, as often as it needs to.
#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace flow::test {

class HeadlessChromium {
 public:
  /// Starts `chromium --headless --no-sandbox --disable-gpu` with a fresh profile.
  HeadlessChromium();
  ~HeadlessChromium();  ///< closes the browser (killed if it does not go)
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  /// Opens `url` in a new tab of `width`×`height` pixels and attaches to it; false when chromium did not
  /// answer.
  bool open(const std::string& url, int width, int height);

  /// The value of a JavaScript `expression` in the page; nullopt when it threw or chromium did not answer.
  std::optional<nlohmann::json> evaluate(const std::string& expression);

  /// The page as PNG bytes; nullopt when chromium did not answer.
  std::optional<std::string> screenshot();

  /// What chromium answered last when a call failed, for the test's message.
  const std::string& last_reply() const { return last_reply_; }

 private:
  std::optional<nlohmann::json> call(const std::string& method, const nlohmann::json& params, bool in_page);
  std::optional<nlohmann::json> next_message(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int to_browser_ = -1, from_browser_ = -1;
  int next_id_ = 1;
  std::string session_;
  std::string pending_;  // read, not yet a whole message
  std::string last_reply_;
};

/// `text` decoded from base64 (the screenshot's encoding).
std::string decode_base64(const std::string& text);

}  // namespace flow::test
