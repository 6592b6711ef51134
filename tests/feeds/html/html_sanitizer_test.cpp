#include "feeds/html/html_sanitizer.h"

#include <gtest/gtest.h>

namespace sluice::feeds {
namespace {

struct SanitizeCase {
  const char* name;
  const char* html;
  const char* expected;
};

void PrintTo(const SanitizeCase& c, std::ostream* out) { *out << c.name; }

class Sanitizer : public testing::TestWithParam<SanitizeCase> {};

TEST_P(Sanitizer, KeepsOnlyWhatIsSafe) {
  EXPECT_EQ(sanitize_html(GetParam().html, "https://example.org/blog/post"), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Sanitizer,
    testing::Values(
        SanitizeCase{"ScriptWithContent", "a<script>alert(1)</script>b", "ab"},
        SanitizeCase{"StyleWithContent", "<style>p{}</style><p>x</p>", "<p>x</p>"},
        SanitizeCase{"IframeTagOnly", "<iframe src=\"https://evil.example/\">fallback</iframe>", "fallback"},
        SanitizeCase{"EventHandlers", "<a href=\"/x\" onclick=\"steal()\" onmouseover=\"y\">x</a>",
                     "<a href=\"https://example.org/x\">x</a>"},
        SanitizeCase{"JavascriptUrl", "<a href=\"javascript:alert(1)\">x</a>", "<a href=\"\">x</a>"},
        SanitizeCase{"DataUrlOnlyForImages", "<img src=\"data:image/png;base64,AA==\"><a href=\"data:text/html,x\">y</a>",
                     "<img src=\"data:image/png;base64,AA==\"><a href=\"\">y</a>"},
        SanitizeCase{"LazyImageSourcesPromoted",
                     "<img src=\"data:image/gif;base64,R0l=\" data-src=\"/big.jpg\" data-srcset=\"/a.jpg 480w, /b.jpg 960w\">"
                     "<img data-lazy-src=\"c.jpg\"><img src=\"real.jpg\" data-src=\"other.jpg\">",
                     "<img src=\"https://example.org/big.jpg\" srcset=\"/a.jpg 480w, /b.jpg 960w\">"
                     "<img src=\"https://example.org/blog/c.jpg\"><img src=\"https://example.org/blog/real.jpg\">"},
        SanitizeCase{"RelativeUrlsResolved", "<img src=\"pic.png\" alt=\"A\">", "<img alt=\"A\" src=\"https://example.org/blog/pic.png\">"},
        SanitizeCase{"AttributesSortedAndQuoted", "<span title='say \"hi\"' class=x>t</span>",
                     "<span class=\"x\" title=\"say &quot;hi&quot;\">t</span>"},
        SanitizeCase{"ReferencesKeptAsWritten", "<b>&#38; &amp; &eacute; &#X61;</b>", "<b>&#38; &amp; &eacute; &#x61;</b>"},
        SanitizeCase{"BareAmpersandEscaped", "AT&T", "AT&amp;T"},
        SanitizeCase{"HugeNumericReferences", "&#99999999999999999999; &#x1100000000000000000;",
                     "&#99999999999999999999; &#x1100000000000000000;"},
        SanitizeCase{"Cp1252References", "&#150; &#8212;", "&#x2013; &#8212;"},
        SanitizeCase{"StrayLessThan", "1 < 2", "1 &lt; 2"},
        SanitizeCase{"StyleFiltered", "<p style=\"color: red; background: url(x.png); position: fixed\">x</p>",
                     "<p style=\"color: red;\">x</p>"},
        SanitizeCase{"CommentsKept", "a<!-- note -->b", "a<!-- note -->b"},
        SanitizeCase{"UnclosedCommentEndsText", "a<!-- <script>", "a"},
        SanitizeCase{"UnknownElementsLoseTagsOnly", "<blink>x</blink><custom-tag>y</custom-tag>", "xy"},
        SanitizeCase{"VoidElementsKeepTheirStyle", "<br><hr/><p/><BR></br ><img src=x>", "<br><hr /><p></p><br /><img src=\"https://example.org/blog/x\">"},
        SanitizeCase{"ProcessingInstructionsAndDeclarations", "<?php x ?><!DOCTYPE html>ok", "ok"},
        SanitizeCase{"ScriptContentIsRawTextToItsEndTag",
                     "a<script>/* <script> */ x = '<b>'</SCRIPT >b<style>p{}</style><p>c</p>", "ab<p>c</p>"},
        SanitizeCase{"CdataIsTextInHtml", "<![CDATA[<script>alert(1)</script><b>x</b>]]&gt;", "&lt;![CDATA[<b>x</b>]]&gt;"},
        // Inline SVG and MathML: their vocabulary as they spell it, namespaces declared, and still
        // nothing that runs (handlers, scripts, javascript: links) or styles.
        SanitizeCase{"InlineSvg",
                     "<svg viewbox=\"0 0 10 10\"><circle r=\"5\" onclick=\"x()\"/><script>alert(1)</script>"
                     "<a xlink:href=\"javascript:alert(1)\"><rect style=\"fill: red\"/></a>"
                     "<a xlink:href=\"/more\"><foreignobject><p>HTML inside</p></foreignobject></a></svg>",
                     "<svg viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"5\">"
                     "<a xlink:href=\"\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><rect></a>"
                     "<a xlink:href=\"https://example.org/more\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                     "<foreignObject><p>HTML inside</p></foreignObject></a></svg>"},
        SanitizeCase{"SvgCannotRewriteOrImportLinks",
                     "<svg><a xlink:href=\"#x\"><set attributeName=\"xlink:href\" to=\"javascript:alert(1)\"/>"
                     "<animate attributeName=\"href\" values=\"javascript:alert(1)\"/><text>t</text></a>"
                     "<use xlink:href=\"https://evil.example/x.svg#a\"/><use xlink:href=\"#shape\"/>"
                     "<g xml:base=\"javascript:alert(1)//\"></g></svg>",
                     "<svg xmlns=\"http://www.w3.org/2000/svg\"><a xlink:href=\"https://example.org/blog/post#x\" "
                     "xmlns:xlink=\"http://www.w3.org/1999/xlink\"><text>t</text></a><use>"
                     "<use xlink:href=\"https://example.org/blog/post#shape\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                     "<g></g></svg>"},
        SanitizeCase{"InlineMathMl", "<math display=\"block\"><mi mathvariant=\"bold\" style=\"x\" onload=\"y\">a</mi><mo>+</mo></math>",
                     "<math display=\"block\" xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi mathvariant=\"bold\">a</mi>"
                     "<mo>+</mo></math>"},
        SanitizeCase{"SvgElementsOutsideSvgLoseTheirTags", "<circle r=\"1\">x</circle><mi>y</mi>", "xy"}),
    [](const testing::TestParamInfo<SanitizeCase>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace sluice::feeds
