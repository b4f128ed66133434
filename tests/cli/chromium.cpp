#include "chromium.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <vector>

#include "process.hpp"

namespace flow::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Chromium starts in a second or two; a call answers in milliseconds.
constexpr auto call_timeout = 20s;

[[noreturn]] void start_in_child(int from_test, int to_test, const std::string& profile) {
  // The protocol's descriptors: chromium reads 3 and writes 4. Moved above
  // them first, since a pipe may already sit on 3 or 4 (with close-on-exec).
  int in = fcntl(from_test, F_DUPFD, 10), out = fcntl(to_test, F_DUPFD, 10);
  dup2(in, 3);
  dup2(out, 4);
  int null = open("/dev/null", O_WRONLY);
  dup2(null, STDOUT_FILENO);
  dup2(null, STDERR_FILENO);  // its complaints about D-Bus, absent in a container
  std::string user_data = "--user-data-dir=" + profile;
  std::vector<const char*> argv{
      "chromium",        "--headless",  "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
      user_data.c_str(), "about:blank", nullptr};
  execvp(argv[0], const_cast<char* const*>(argv.data()));
  _exit(127);
}

}  // namespace

HeadlessChromium::HeadlessChromium() {
  int to_browser[2], from_browser[2];
  if (pipe2(to_browser, O_CLOEXEC) != 0 || pipe2(from_browser, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  auto profile = temp_directory();
  // A browser that died answers a write with EPIPE, not a signal that ends the test.
  std::signal(SIGPIPE, SIG_IGN);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) start_in_child(to_browser[0], from_browser[1], profile);
  close(to_browser[0]);
  close(from_browser[1]);
  to_browser_ = to_browser[1];
  from_browser_ = from_browser[0];
}

HeadlessChromium::~HeadlessChromium() {
  if (pid_ > 0) {
    call("Browser.close", json::object(), false);
    close(to_browser_);
    close(from_browser_);
    kill(pid_, SIGKILL);  // gone already after Browser.close, or stuck
    waitpid(pid_, nullptr, 0);
  }
}

std::optional<json> HeadlessChromium::next_message(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto end = pending_.find('\0');
    if (end != std::string::npos) {
      auto message = json::parse(pending_.substr(0, end), nullptr, false);
      pending_.erase(0, end + 1);
      return message;
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{from_browser_, POLLIN, 0};
    if (left.count() <= 0 || poll(&ready, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buffer[65536];
    auto got = read(from_browser_, buffer, sizeof buffer);
    if (got <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(got));
  }
}

std::optional<json> HeadlessChromium::call(const std::string& method, const json& params, bool in_page) {
  int id = next_id_++;
  json request{{"id", id}, {"method", method}, {"params", params}};
  if (in_page) request["sessionId"] = session_;
  auto text = request.dump() + '\0';
  if (write(to_browser_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + call_timeout;
  // Events (messages without an id) and answers to other calls are passed over.
  while (auto message = next_message(deadline)) {
    if (!message->is_object() || message->value("id", 0) != id) continue;
    last_reply_ = message->dump();
    if (!message->contains("result")) return std::nullopt;
    return (*message)["result"];
  }
  return std::nullopt;
}

bool HeadlessChromium::open(const std::string& url, int width, int height) {
  auto target = call("Target.createTarget", {{"url", url}}, false);
  if (!target) return false;
  auto attached =
      call("Target.attachToTarget", {{"targetId", (*target)["targetId"]}, {"flatten", true}}, false);
  if (!attached) return false;
  session_ = (*attached)["sessionId"];
  return call("Emulation.setDeviceMetricsOverride",
              {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}}, true)
      .has_value();
}

std::optional<json> HeadlessChromium::evaluate(const std::string& expression) {
  auto result = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, true);
  if (!result || result->contains("exceptionDetails")) return std::nullopt;
  return (*result)["result"].value("value", json());
}

std::optional<std::string> HeadlessChromium::screenshot() {
  auto result = call("Page.captureScreenshot", {{"format", "png"}}, true);
  if (!result) return std::nullopt;
  return decode_base64((*result)["data"].get<std::string>());
}

std::string decode_base64(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    auto value = alphabet.find(c);
    if (value == std::string::npos) continue;  // '=' padding
    bits = (bits << 6) | static_cast<unsigned>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return bytes;
}

}  // namespace flow::test
