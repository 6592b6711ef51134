#include "pipeline/clean/blocks.h"

namespace sluice::pipeline {

std::string blocks_html(const std::vector<Block>& blocks) {
  std::string out;
  bool in_list = false;
  for (const Block& block : blocks) {
    const bool item = block.kind == Block::Kind::list_item;
    if (item != in_list) out += item ? "<ul>" : "</ul>";
    in_list = item;
    switch (block.kind) {
      case Block::Kind::heading: {
        const std::string level = std::to_string(block.level < 2 ? 2 : block.level > 6 ? 6 : block.level);
        out += "<h" + level + ">" + block.html + "</h" + level + ">";
        break;
      }
      case Block::Kind::list_item: out += "<li>" + block.html + "</li>"; break;
      case Block::Kind::quote: out += "<blockquote><p>" + block.html + "</p></blockquote>"; break;
      case Block::Kind::preformatted: out += "<pre>" + block.html + "</pre>"; break;
      case Block::Kind::paragraph: case Block::Kind::table_row: out += "<p>" + block.html + "</p>"; break;
      case Block::Kind::caption: out += "<figure><figcaption>" + block.html + "</figcaption></figure>"; break;
    }
  }
  if (in_list) out += "</ul>";
  return out;
}

std::vector<std::string> blocks_text(const std::vector<Block>& blocks) {
  std::vector<std::string> out;
  out.reserve(blocks.size());
  for (const Block& block : blocks)
    if (block.kind != Block::Kind::caption || !out.empty()) out.push_back(block.text);
  return out;
}

}  // namespace sluice::pipeline
