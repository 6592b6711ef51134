// Where the tests find the shared fixtures: CMake passes the path of ../shared in.
#pragma once

#include <filesystem>

namespace sluice::test {

// The seed story: scraped.txt, page.html, feed.xml and expected.json.
inline const std::filesystem::path kSeed = std::filesystem::path(SLUICE_SHARED_DIR) / "fixtures/seed";

}  // namespace sluice::test
