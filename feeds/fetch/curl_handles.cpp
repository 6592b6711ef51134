#include "feeds/fetch/curl_handles.h"

#include <mutex>
#include <new>
#include <stdexcept>

namespace sluice::feeds {

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("cannot initialise libcurl");
  });
}

CurlEasy::CurlEasy() {
  ensure_curl_initialized();
  handle_.reset(curl_easy_init());
  if (!handle_) throw std::bad_alloc();
}

CurlMulti::CurlMulti() {
  ensure_curl_initialized();
  handle_.reset(curl_multi_init());
  if (!handle_) throw std::bad_alloc();
}

void CurlHeaderList::append(const std::string& line) {
  curl_slist* grown = curl_slist_append(list_.get(), line.c_str());
  if (!grown) throw std::bad_alloc();
  static_cast<void>(list_.release());
  list_.reset(grown);
}

}  // namespace sluice::feeds
