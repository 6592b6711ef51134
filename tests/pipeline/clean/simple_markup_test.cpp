// The simple layout of feed-item markup (simple_markup.h) against gumbo's: whenever it lays markup
// out, the layout is the one PageDom makes of gumbo's tree, node for node, attribute for attribute.
#include "pipeline/clean/simple_markup.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "feeds/html/gumbo_document.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {
namespace {

std::string describe(const PageLayout& layout) {
  std::string out;
  for (const PageNode& node : layout.nodes) {
    if (node.is_text) {
      out += "text parent=" + std::to_string(node.parent) + " end=" + std::to_string(node.end) + " |" +
             std::string(node.text) + "|\n";
      continue;
    }
    out += std::string(gumbo_normalized_tagname(node.tag)) + " parent=" + std::to_string(node.parent) +
           " end=" + std::to_string(node.end);
    for (std::uint32_t k = node.attributes_begin; k < node.attributes_end; ++k)
      out += " " + std::string(layout.attributes[k].name) + "=|" + std::string(layout.attributes[k].value) + "|";
    out += "\n";
  }
  out += "html=" + std::to_string(layout.html) + " head=" + std::to_string(layout.head) +
         " body=" + std::to_string(layout.body) + "\n";
  return out;
}

// Whether the simple layout took the markup; when it did, the test fails unless gumbo's layout is
// the same.
bool laid_out_as_gumbo_does(std::string_view html) {
  feeds::PreparedMarkup prepared = feeds::prepare_markup(html);
  PageLayout simple;
  const bool taken = lay_out_simple_markup(prepared.markup, simple);
  const feeds::GumboDocument gumbo(prepared);  // a copy: the simple layout points into prepared.markup
  PageLayout parsed;
  PageDom::lay_out_gumbo(gumbo.root(), parsed);
  if (taken) {
    EXPECT_EQ(describe(simple), describe(parsed)) << "markup: " << html;
  }
  return taken;
}

TEST(SimpleMarkup, FeedItemsAsPublishersWriteThemAreLaidOutWithoutGumbo) {
  const char* items[] = {
      R"(<figure><img src="https://cdn.example.org/1/lead.jpg" alt="A harbour" width="1200" height="800">)"
      R"(<figcaption>Boats at dawn. Photo: Agency</figcaption></figure><p>The first <a href="/x?a=1&amp;b=2">link</a>)"
      R"( and <em>emphasis</em>.</p><p>Second &ndash; with &#8220;quotes&#x201D; &amp; more&hellip;</p>)",
      "\n  <p>Leading white space is dropped.</p>\n",
      "<p>One<p>Two<p>Three",
      "<ul><li>One<li>Two</ul><ol><li><p>Para</p></li></ol>",
      "<div><p>Left open</div><blockquote><p>Quoted</blockquote>",
      "<p>one<div>two</div>",  // the p is the element open last: closed as HTML5 closes it
      "<h2>Heading</h2><p>Text<br>after a break<br/>and another</p><hr><p>Last</p>",
      "<pre>\nkept\n  as is</pre><pre>\r\nwindows</pre>",
      "Line one\r\nline two\rline three",
      "<p CLASS=Lead Id='x' data-a=\"1\" class=dropped hidden>Attributes</p>",
      "<p><img src=a.jpg alt=\"x\"/><img src='b.jpg'></p><p>AT&T and Q&A, 3 < 4 &</p>",
      "<dl><dt>Term<dd>Definition<dt>Next</dl>",
      "<p>video<video src=v.mp4><source src=v.webm>fallback text</video> after</p>",
      "<p><a href=\"https://example.org/?utm_source=feed&utm_medium=rss\">tracked</a></p>",
      "",
      "   ",
      "Just text &copy; 2026",
      "<P>Upper <B>case</B> tags</P>",
      "<section><header><h1>T</h1></header><article><p>x</p></article><footer>f</footer></section>",
      "<p><span><b><i><u>deep</u></i></b></span></p>",
      "<a href=x>one</a><a href=y>two</a>",
      "<p>Quoted:<blockquote>words</blockquote></p><p>After</p>",  // a </p> with no p open: an empty p
      "</div></p>\n<p>Stray end tags before anything are ignored</p>",
      "<pre>&nbsp; indented&#10;code</pre>",
  };
  for (const char* item : items) EXPECT_TRUE(laid_out_as_gumbo_does(item)) << "markup: " << item;
}

TEST(SimpleMarkup, LeavesToGumboWhatHtml5BuildsOtherwise) {
  const char* declined[] = {
      "<b><p>misnested</b></p>",        // the adoption agency
      "<p><span>x<div>y</div></span>",  // a block inside an open p that is not the element open last
      "<table><tr><td>cell</td></tr></table>",
      "<p>stray</span></p>",
      "<p>x</p></div>",
      "<custom-element>x</custom-element>",
      "<p>&unknownentity;</p>",
      "<p>&copy 2026</p>",  // a legacy reference without its ';'
      "<p>&notit;</p>",
      "<p>control \x01 character</p>",
      "<p>invalid \xC3\x28 UTF-8</p>",
      "<!DOCTYPE html><p>x</p>",
      "<p>x</br></p>",
      "<a href=1><a href=2>nested anchors</a></a>",
      "<h2><h3>nested headings</h3></h2>",
      "<form><input name=q></form>",
      "<p>&#0;</p>",
      "<p>&#x80;</p>",
      "<li>one<span><li>two",
      "<pre>&#10;x</pre>",
      "<pre>&#x0A;x</pre>",
      "<p>unterminated <a href=\"x",
      "<title>head element</title>",
  };
  for (const char* markup : declined) EXPECT_FALSE(laid_out_as_gumbo_does(markup)) << "markup: " << markup;
}

TEST(SimpleMarkup, PageDomUsesTheSimpleLayoutOnlyWhereItApplies) {
  const PageDom item("<p>Plain <em>item</em></p>");
  EXPECT_TRUE(item.laid_out_simply());
  EXPECT_EQ(item.text_of(item.body()), "Plain item");
  const PageDom table("<table><tr><td>Cell</td></tr></table>");
  EXPECT_FALSE(table.laid_out_simply());
  EXPECT_EQ(table.text_of(table.body()), "Cell");
  // A tag with a hundred attributes: duplicates are looked for by a walk, so gumbo reads it.
  std::string crowded = "<p";
  for (int n = 0; n < 100; ++n) crowded += " data-" + std::to_string(n) + "=x";
  const PageDom many(crowded + ">Crowded</p>");
  EXPECT_FALSE(many.laid_out_simply());
  EXPECT_EQ(many.text_of(many.body()), "Crowded");
}

// What random markup is made of: the pieces feed items are made of first (the elements, references
// and texts the simple layout reads: kTameTags, kTameReferences and kTameTexts of each pool),
// then pieces that trip parsers.
const char* const kTags[] = {"p",      "div",    "span", "a",    "b",      "i",       "em",     "strong", "u",
                              "s",      "code",   "font", "small", "big",   "tt",      "strike", "ul",     "ol",
                              "li",     "dl",     "dt",   "dd",   "h1",     "h2",      "h3",     "h6",     "pre",
                              "blockquote", "figure", "figcaption", "img", "br", "hr",    "wbr",    "sub",    "sup",
                              "section", "article", "aside", "header", "footer", "nav", "main",   "address", "center",
                              "details", "summary", "dir",  "hgroup", "fieldset", "video", "audio", "source", "track",
                              "canvas", "map",    "area", "embed", "param",  "label",   "time",   "mark",   "q",
                              "cite",   "abbr",   "ins",  "del",  "table",  "td",      "tr",     "button", "select",
                              "option", "form",   "input", "textarea", "iframe", "noscript", "object", "math", "nobr",
                              "menu",   "image",  "listing", "xmp", "plaintext", "ruby", "rt", "body", "html",
                              "head",   "title",  "meta", "link", "template", "picture", "x-custom", "P", "LI", "Div"};
const char* const kReferences[] = {
    "&amp;",   "&lt;",     "&gt;",     "&quot;",   "&apos;",   "&nbsp;",   "&mdash;",  "&ndash;",  "&hellip;",
    "&rsquo;", "&lsquo;",  "&ldquo;",  "&rdquo;",  "&laquo;",  "&raquo;",  "&copy;",   "&reg;",    "&trade;",
    "&euro;",  "&pound;",  "&eacute;", "&Eacute;", "&uuml;",   "&szlig;",  "&AElig;",  "&AMP;",    "&QUOT;",
    "&THORN;", "&Yuml;",   "&OElig;",  "&scaron;", "&circ;",   "&tilde;",  "&thinsp;", "&zwnj;",   "&zwj;",
    "&lrm;",   "&rlm;",    "&bull;",   "&prime;",  "&Prime;",  "&oline;",  "&frasl;",  "&larr;",   "&rarr;",
    "&uarr;",  "&darr;",   "&harr;",   "&minus;",  "&infin;",  "&ne;",     "&le;",     "&ge;",     "&asymp;",
    "&hearts;", "&fnof;",  "&permil;", "&lsaquo;", "&rsaquo;", "&dagger;", "&Dagger;", "&sbquo;",  "&bdquo;",
    "&ensp;",  "&emsp;",   "&frac12;", "&frac14;", "&frac34;", "&sup1;",   "&sup2;",   "&sup3;",   "&iquest;",
    "&not;",   "&shy;",    "&macr;",   "&micro;",  "&middot;", "&para;",   "&sect;",   "&yen;",    "&cent;",
    "&curren;", "&brvbar;", "&uml;",   "&ordf;",   "&ordm;",   "&plusmn;", "&acute;",  "&cedil;",  "&times;",
    "&divide;", "&ETH;",   "&eth;",    "&Oslash;", "&oslash;", "&Aring;",  "&aring;",  "&Ntilde;", "&ntilde;",
    "&amp",    "&copy",    "&copyx",   "&copy=",   "&not",     "&notin;",  "&notit;",  "&nbsp",    "&lt",
    "&ampx;",  "&unknown;", "&T",      "& ",       "&",        "&#",       "&#;",      "&#x;",     "&#65;",
    "&#x41;",  "&#X41;",   "&#8212;",  "&#x2014;", "&#0;",     "&#128;",   "&#x9F;",   "&#xD800;", "&#x110000;",
    "&#13;",   "&#10;",    "&#9;",     "&#32;",    "&#65",     "&#xFFFE;", "&#x1F600;", "&#99999999999;"};
const char* const kTexts[] = {" ",     "\n",    "\r\n",   "\r",    "\t",     "word",   "two words", "  lead",
                               "trail  ", "é",   "\xE2\x80\x94", "\xF0\x9F\x98\x80", "<",   "3 < 4", "a>b",
                               "\f",    "x=1",   "'q'",    "\"dq\"", "\xEF\xBB\xBF", "\x7F", "\x01", "\xC2\x85",
                               "\xEF\xB7\x90", "/", "=",   "<3"};
const char* const kAttributeNames[] = {"href", "src", "class", "id", "alt", "title", "CLASS", "data-x", "hidden",
                                        "aria-hidden", "srcset", "style", "on-x"};
constexpr std::size_t kTameTags = 67, kTameReferences = 99, kTameTexts = 12;

// Markup at random: tame, mostly of the first pieces of each pool; else of any.
std::string random_markup(std::mt19937& rng, bool tame) {
  auto pick = [&](const auto& pool, std::size_t tame_part) {
    const std::size_t size = tame && rng() % 30 != 0 ? tame_part : std::size(pool);
    return std::string(pool[rng() % size]);
  };
  auto attribute_value = [&] {
    std::string value;
    for (int n = static_cast<int>(rng() % 3); n > 0; --n)
      value += rng() % 3 == 0 ? pick(kReferences, kTameReferences) : pick(kTexts, kTameTexts);
    return value;
  };
  std::string html;
  std::vector<std::string> open;
  for (int piece = static_cast<int>(rng() % 24); piece > 0; --piece) {
    const auto choice = rng() % 10;
    if (choice < 3) {
      std::string tag = pick(kTags, kTameTags);
      html += "<" + tag;
      for (int a = static_cast<int>(rng() % 3); a > 0; --a) {
        html += rng() % 5 == 0 ? "" : " ";
        html += kAttributeNames[rng() % std::size(kAttributeNames)];
        switch (rng() % 5) {
          case 0: break;
          case 1: html += "=\"" + attribute_value() + "\""; break;
          case 2: html += "='" + attribute_value() + "'"; break;
          case 3: html += "=" + pick(kReferences, kTameReferences) + "x"; break;
          default: html += " = \"v\""; break;
        }
      }
      html += rng() % 8 == 0 ? "/>" : ">";
      open.push_back(tag);
    } else if (choice < 5) {
      // Mostly the element open last, so that the markup is often simple; else any.
      std::string tag = !open.empty() && rng() % 4 != 0 ? open.back() : pick(kTags, kTameTags);
      if (!open.empty() && tag == open.back()) open.pop_back();
      html += "</" + tag + (rng() % 10 == 0 ? " >" : ">");
    } else if (choice < 7) {
      html += pick(kReferences, kTameReferences);
    } else {
      html += pick(kTexts, kTameTexts);
    }
  }
  return html;
}

// Every layout the simple path makes of random markup must be gumbo's; returns how many it made.
int lay_out_random_markup(bool tame, int cases, std::uint32_t seed) {
  std::mt19937 rng(seed);
  int taken = 0;
  for (int n = 0; n < cases && !::testing::Test::HasFailure(); ++n) taken += laid_out_as_gumbo_does(random_markup(rng, tame));
  return taken;
}

TEST(SimpleMarkup, RandomFeedLikeMarkupLaidOutIsAlwaysLaidOutAsGumboLaysItOut) {
  constexpr int kCases = 6000;
  const int taken = lay_out_random_markup(true, kCases, 20261204);
  // The comparison means something only if the simple layout takes a fair share of the cases.
  EXPECT_GT(taken, kCases / 5);
  RecordProperty("laid_out_simply", taken);
}

TEST(SimpleMarkup, RandomHostileMarkupLaidOutIsAlwaysLaidOutAsGumboLaysItOut) {
  constexpr int kCases = 6000;
  const int taken = lay_out_random_markup(false, kCases, 41);
  EXPECT_GT(taken, kCases / 100);
  RecordProperty("laid_out_simply", taken);
}

}  // namespace
}  // namespace sluice::pipeline
