// parse(format="nginx_combined") and parse(format="apache_common"): the
// access logs of nginx's `combined` log_format and Apache's Common Log
// Format, read by hand (no regex) because they are the hot path of the
// 1 M-line benchmark (docs/fields.md, docs/performance_text.md).
#include <fmt/format.h>

#include <cstring>

#include "runtime/fields/parsers.hpp"

namespace flow::fields {
namespace {

/// The names each format gives its fields: nginx's variables, Apache's
/// mod_log_config directives (%h %l %u %t %r %>s %b) by what they stand for.
struct Names {
  const char* format;
  StaticName host;
  StaticName logname;  ///< empty: the format writes a literal '-' there (nginx)
  StaticName user;
  StaticName time;
  StaticName status;
  StaticName bytes;
};

constexpr Names kNginx{"nginx_combined", {"remote_addr"},    {}, {"remote_user"}, {"time_local"},
                       {"status"},       {"body_bytes_sent"}};
constexpr Names kApache{"apache_common", {"remote_host"}, {"remote_logname"}, {"remote_user"},
                        {"time"},        {"status"},      {"bytes"}};

/// A quoted value as the server wrote it: up to the closing '"'; a backslash
/// (Apache's \" and \\, nginx's escape=json) hides the byte after it. The
/// value is kept as logged, escapes and all, as awk would see it.
bool quoted(Cursor& at, std::string_view& value) {
  if (!at.take('"')) return false;
  auto rest = at.rest();
  // memchr for the quote, then for a backslash before it: most values have none.
  for (std::size_t from = 0;;) {
    auto close = rest.find('"', from);
    if (close == std::string_view::npos) return false;
    const void* slash = std::memchr(rest.data() + from, '\\', close - from);
    if (slash == nullptr) {
      value = rest.substr(0, close);
      at.skip(close + 1);
      return true;
    }
    from = static_cast<std::size_t>(static_cast<const char*>(slash) - rest.data()) + 2;
    if (from > rest.size()) return false;
  }
}

/// "GET /a?b HTTP/1.1" → method, path, protocol. A request line of another
/// shape ("-", a TLS handshake nginx logged as bytes) keeps only `request`.
void split_request(std::string_view request, Fields& out) {
  auto first = request.find(' ');
  if (first == std::string_view::npos || first == 0) return;
  auto rest = request.substr(first + 1);
  std::string_view protocol;
  if (auto last = rest.rfind(' ');
      last != std::string_view::npos && rest.substr(last + 1).starts_with("HTTP/")) {
    protocol = rest.substr(last + 1);
    rest = rest.substr(0, last);
  }
  out.add(StaticName{"method"}, request.substr(0, first));
  out.add(StaticName{"path"}, rest);
  if (!protocol.empty()) out.add(StaticName{"protocol"}, protocol);
}

/// A '-' stands for "no value" (no user, no referer): the field is left out,
/// as Vector's parse_nginx_log does, so `where(remote_user == "-")` is not needed.
void set_text(Fields& out, StaticName name, std::string_view value) {
  if (value != "-") out.add(name, value);
}

class AccessParser final : public LineParser {
 public:
  explicit AccessParser(bool combined) : combined_(combined), names_(combined ? kNginx : kApache) {}

  std::string parse(std::string_view line, Fields& out) const override {
    Cursor at(line);
    const char* format = names_.format;
    auto host = at.word();
    if (host.empty()) return expected(format, fmt::format("the {}", names_.host.text), at);
    out.add(names_.host, host);
    if (!at.take(' ')) return expected(format, "' '", at);
    if (names_.logname.text.empty()) {
      if (!at.take('-') || !at.take(' ')) return expected(format, "'- ' after the address", at);
    } else {
      auto logname = at.word();
      if (logname.empty() || !at.take(' ')) return expected(format, "the remote logname ('-' for none)", at);
      set_text(out, names_.logname, logname);
    }
    auto user = at.word();
    if (user.empty() || !at.take(' ')) return expected(format, "the remote user ('-' for none)", at);
    set_text(out, names_.user, user);
    if (!at.take('[')) return expected(format, "'[' before the time", at);
    auto time = at.until(']');
    if (!at.take(']')) return expected(format, "']' after the time", at);
    out.add(names_.time, time);
    if (!at.take(' ')) return expected(format, "' '", at);
    std::string_view request;
    if (at.peek() != '"') return expected(format, "'\"' before the request", at);
    if (auto open = at; !quoted(at, request)) return unclosed(format, "request", open);
    out.add(StaticName{"request"}, request);
    split_request(request, out);
    if (auto error = numbers(at, out); !error.empty()) return error;
    if (combined_) {
      if (auto error = quoted_pair(at, out); !error.empty()) return error;
    }
    while (at.take(' ') || at.take('\r')) {
    }
    if (!at.done()) return expected(format, "the end of the line", at);
    return "";
  }

  FieldChange change() const override {
    FieldChange change;
    auto text = [&](std::string_view name) {
      if (!name.empty()) change.sets.emplace_back(name, FieldType::Text);
    };
    for (auto name : {names_.host, names_.logname, names_.user, names_.time}) text(name.text);
    for (std::string_view name : {"request", "method", "path", "protocol"}) text(name);
    change.sets.emplace_back(names_.status.text, FieldType::Integer);
    change.sets.emplace_back(names_.bytes.text, FieldType::Integer);
    if (combined_) {
      text("http_referer");
      text("http_user_agent");
    }
    return change;
  }

 private:
  // The status and the size; Apache writes '-' for a response of no bytes (CLF),
  // which is 0 bytes, so the field stays a number.
  std::string numbers(Cursor& at, Fields& out) const {
    const char* format = names_.format;
    std::int64_t value = 0;
    if (!at.take(' ')) return expected(format, "' ' after the request", at);
    auto before = at;
    if (!to_integer(at.word(), value)) return expected(format, "the status (a number)", before);
    out.add(names_.status, value);
    if (!at.take(' ')) return expected(format, "' ' after the status", at);
    before = at;
    auto bytes = at.word();
    if (!combined_ && bytes == "-") {
      value = 0;
    } else if (!to_integer(bytes, value)) {
      return expected(format, "the size in bytes (a number)", before);
    }
    out.add(names_.bytes, value);
    return "";
  }

  static std::string quoted_pair(Cursor& at, Fields& out) {
    const char* format = kNginx.format;
    std::string_view referer;
    std::string_view agent;
    if (!at.take(' ') || at.peek() != '"') return expected(format, "'\"' before the referer", at);
    if (auto open = at; !quoted(at, referer)) return unclosed(format, "referer", open);
    set_text(out, StaticName{"http_referer"}, referer);
    if (!at.take(' ') || at.peek() != '"') return expected(format, "'\"' before the user agent", at);
    if (auto open = at; !quoted(at, agent)) return unclosed(format, "user agent", open);
    set_text(out, StaticName{"http_user_agent"}, agent);
    return "";
  }

  bool combined_;
  Names names_;
};

}  // namespace

std::unique_ptr<LineParser> make_access_parser(bool combined) {
  return std::make_unique<AccessParser>(combined);
}

}  // namespace flow::fields
