// Where the tests find their fixtures (tests/fixtures: the seed story and the article schema, as
// published in the shared kit, and OPML exports); CMake passes the path in.
#pragma once

#include <filesystem>

namespace sluice::test {

// The seed story: scraped.txt, page.html, feed.xml and expected.json.
inline const std::filesystem::path kSeed = std::filesystem::path(SLUICE_FIXTURES_DIR) / "seed";
// Feed lists as Miniflux, FreshRSS, Feedly and newsboat export them: <reader>.opml.
inline const std::filesystem::path kOpml = std::filesystem::path(SLUICE_FIXTURES_DIR) / "opml";

}  // namespace sluice::test
