#include "runtime/calls/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

namespace flow::calls {

void init_curl_once() {
  // curl_global_init is not thread-safe before 7.84; a function-local static is.
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK)
    throw std::runtime_error(fmt::format("cannot start libcurl: {}", curl_easy_strerror(code)));
}

namespace {

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Only Retry-After is read from the head; curl hands each header line alone,
// and a redirect's head comes before the final one's: each status line starts afresh.
std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) static_cast<std::string*>(user)->clear();  // a new head begins
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
    if (match) *static_cast<std::string*>(user) = std::string(line.substr(name.size()));
  }
  return size * count;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& stop = *static_cast<const std::function<bool()>*>(user);
  return stop && stop() ? 1 : 0;  // non-zero aborts the transfer
}

// Network errors another try may get past; the others (a malformed URL, an
// unknown scheme, a certificate that does not verify) would fail again.
bool retryable_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

}  // namespace

class CurlHandle {
 public:
  CurlHandle() : curl_(curl_easy_init()) {
    if (curl_ == nullptr) throw std::runtime_error("cannot make a libcurl handle");
  }
  ~CurlHandle() {
    curl_slist_free_all(request_headers_);
    curl_easy_cleanup(curl_);
  }
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;

  HttpAttempt perform(const HttpRequest& request, const std::function<bool()>& stop) {
    HttpAttempt attempt;
    configure(request, attempt, stop);
    CURLcode code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &attempt.connections);
    if (code == CURLE_OK) {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &attempt.status);
      return attempt;
    }
    attempt.status = 0;
    attempt.body.clear();
    attempt.error = error_[0] != '\0' ? std::string(error_) : curl_easy_strerror(code);
    attempt.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    attempt.retryable = retryable_error(code);
    return attempt;
  }

 private:
  void configure(const HttpRequest& request, HttpAttempt& attempt, const std::function<bool()>& stop) {
    // Options persist on a handle between transfers; the connection cache too.
    error_[0] = '\0';
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
    curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl_, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &attempt.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &attempt.retry_after);
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, &stop);
    bool sends_body = request.method != "GET" && request.method != "DELETE";
    if (sends_body) {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    }
    // POST is curl's own; any other method's name goes on the request line.
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST,
                     request.method == "POST" || request.method == "GET" ? nullptr : request.method.c_str());
    set_headers(sends_body ? request.content_type : std::string());
  }

  void set_headers(const std::string& content_type) {
    if (content_type != content_type_ || request_headers_ == nullptr) {
      curl_slist_free_all(request_headers_);
      // Without it curl's "Expect: 100-continue" costs a round trip (or a
      // second, with servers that ignore it) for every body over 1 KB.
      request_headers_ = curl_slist_append(nullptr, "Expect:");
      if (!content_type.empty())
        request_headers_ = curl_slist_append(request_headers_, ("Content-Type: " + content_type).c_str());
      content_type_ = content_type;
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, request_headers_);
  }

  CURL* curl_;
  curl_slist* request_headers_ = nullptr;
  std::string content_type_;
  char error_[CURL_ERROR_SIZE] = {};
};

HandlePool::HandlePool() {
  init_curl_once();
}
HandlePool::~HandlePool() = default;

std::unique_ptr<CurlHandle> HandlePool::take() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return std::make_unique<CurlHandle>();
  auto handle = std::move(idle_.back());
  idle_.pop_back();
  return handle;
}

void HandlePool::give_back(std::unique_ptr<CurlHandle> handle) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(handle));
}

HttpAttempt HandlePool::perform(const HttpRequest& request, const std::function<bool()>& stop) {
  auto handle = take();
  auto attempt = handle->perform(request, stop);
  give_back(std::move(handle));
  return attempt;
}

}  // namespace flow::calls
