// YAML syntax errors said in the configuration's terms: yaml-cpp reports where its parser gave up
// and in its own words ("end of map not found"); an operator needs the key the line belongs to,
// what is wrong with it, and where to look (for a bracket never closed, the line that opened it).
#pragma once

#include <yaml-cpp/exceptions.h>

#include <string>

#include "config/config_error.h"

namespace sluice::config {

ConfigError yaml_syntax_error(const std::string& yaml, const std::string& source, const YAML::ParserException& error);

}  // namespace sluice::config
