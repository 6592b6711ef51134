// libFuzzer target: any bytes as a configuration file, through the loader and, for text that is
// not YAML, the syntax-error explainer. It must throw ConfigError or return a Config, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "config/config_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    static_cast<void>(sluice::config::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml"));
  } catch (const sluice::config::ConfigError&) {
  }
  return 0;
}
