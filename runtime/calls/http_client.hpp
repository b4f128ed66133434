#pragma once
// One HTTP request over libcurl, on an easy handle kept for the next one so
// its connection stays open (keep-alive). A pool hands each of a node's
// workers a handle of its own: never two transfers on one handle at once.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace flow::calls {

struct HttpRequest {
  std::string method;  ///< POST, PUT, PATCH, GET, DELETE
  std::string url;
  std::string_view body;                 ///< sent as is (not for GET or DELETE)
  std::string content_type;              ///< the Content-Type header of the body
  std::chrono::milliseconds timeout{0};  ///< of the whole request: connect, send, wait, read
};

/// What one attempt came to: an answer, or why there was none.
struct HttpAttempt {
  long status = 0;          ///< the final answer's status; 0 when there was none
  std::string body;         ///< the answer's body
  std::string retry_after;  ///< its Retry-After header, "" when absent
  std::string error;        ///< without an answer: curl's words for what went wrong
  bool timed_out = false;   ///< without an answer: it took longer than the timeout
  bool retryable = false;   ///< without an answer: a network error worth another try
  long connections = 0;     ///< connections this attempt opened (0: it reused one)
};

/// Makes curl_global_init happen once, before the first handle, from whichever thread comes first.
void init_curl_once();

class CurlHandle;

/// Easy handles to lend, one per worker at a time; made when none is free.
class HandlePool {
 public:
  HandlePool();
  ~HandlePool();
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  /// Performs `request` on a handle of the pool. `stop` is asked while the
  /// transfer runs: true aborts it (the run failed). Never throws for the
  /// network; the attempt says what happened.
  HttpAttempt perform(const HttpRequest& request, const std::function<bool()>& stop);

 private:
  std::unique_ptr<CurlHandle> take();
  void give_back(std::unique_ptr<CurlHandle> handle);

  std::mutex mutex_;
  std::vector<std::unique_ptr<CurlHandle>> idle_;
};

}  // namespace flow::calls
