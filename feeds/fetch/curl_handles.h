// Move-only owners of libcurl's C handles; each frees its handle once and never throws doing so.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace sluice::feeds {

namespace detail {
struct EasyFree {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct MultiFree {
  void operator()(CURLM* handle) const noexcept { curl_multi_cleanup(handle); }
};
struct ListFree {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
}  // namespace detail

class CurlEasy {
 public:
  CurlEasy();  // throws std::bad_alloc when libcurl cannot make a handle
  CURL* get() const noexcept { return handle_.get(); }

 private:
  std::unique_ptr<CURL, detail::EasyFree> handle_;
};

class CurlMulti {
 public:
  CurlMulti();  // throws std::bad_alloc when libcurl cannot make a handle
  CURLM* get() const noexcept { return handle_.get(); }

 private:
  std::unique_ptr<CURLM, detail::MultiFree> handle_;
};

class CurlHeaderList {
 public:
  void append(const std::string& line);  // throws std::bad_alloc
  curl_slist* get() const noexcept { return list_.get(); }

 private:
  std::unique_ptr<curl_slist, detail::ListFree> list_;
};

// Runs curl_global_init once per process, before any handle is made.
void ensure_curl_initialized();

}  // namespace sluice::feeds
