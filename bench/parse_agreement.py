#!/usr/bin/env python3
"""How often sluice reads a feed as Python feedparser does, on feeds it was never tuned on.

usage: bench/parse_agreement.py [--build build] [--feeds 600] [--seed 1] [--show 10]

Generates FEEDS documents from a seed, each a random combination of the things feeds vary in:
format (RSS 2.0, RSS 1.0, Atom 1.0, Atom 0.3), where each field comes from (core elements, Dublin
Core, iTunes, Media RSS, Atom inside RSS, in random order), the date form (RFC 822 with every zone
spelling, ISO 8601 in its basic, extended, ordinal and reduced forms, asctime, W3C-DTF with a space),
the markup (escaped, CDATA, entities, numeric references) and language tags. Both parsers read every
document; the fields both define are compared (titles and summaries as text, links, dates as UTC
seconds, author names, languages). Prints the agreement per field and overall, and the first
disagreements. Python feedparser is Debian's python3-feedparser, run by /usr/bin/python3.

This is an evaluation set beside the conformance kit: the kit's cases are examples; these are the
same kinds of variation, drawn at random.
"""
import argparse
import calendar
import datetime
import html
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

FEEDPARSER = r"""
import calendar, json, sys, warnings
warnings.simplefilter("ignore")
import feedparser
for line in sys.stdin:
    path = line.strip()
    d = feedparser.parse(open(path, "rb").read())
    def when(entry, key):
        value = entry.get(key + "_parsed")
        return calendar.timegm(value) if value else None
    out = {"feed": {"title": d.feed.get("title"), "language": d.feed.get("language")}, "entries": []}
    for e in d.entries:
        out["entries"].append({"title": e.get("title"), "link": e.get("link"), "summary": e.get("summary"),
                               "published": when(e, "published"), "updated": when(e, "updated"),
                               "author": e.get("author_detail", {}).get("name") if e.get("author_detail") else None})
    print(json.dumps(out))
    sys.stdout.flush()
"""

WORDS = ("harbour ferry storm council market library school bridge river festival election budget "
         "museum station garden hospital airport stadium theatre village").split()
ZONES = [("GMT", 0), ("UT", 0), ("Z", 0), ("EST", -300), ("EDT", -240), ("CST", -360), ("PDT", -420),
         ("PST", -480), ("+0100", 60), ("-0530", -330), ("+02:00", 120), ("-08:00", -480)]


def text_of(value):
    """Markup removed, entities decoded, whitespace collapsed: what a reader reads."""
    if value is None:
        return None
    value = re.sub(r"<[^>]*>", " ", value)
    return " ".join(html.unescape(value).split())


def date_forms(rng, instant):
    """The instant written in a random form; (text, seconds it means), seconds None for date-only forms."""
    name, minutes = rng.choice(ZONES)
    local = instant + datetime.timedelta(minutes=minutes)
    day = local.strftime("%a"), local.strftime("%d"), local.strftime("%b"), local.strftime("%Y")
    hms = local.strftime("%H:%M:%S")
    iso_zone = "Z" if minutes == 0 else "%+03d:%02d" % (minutes // 60 if minutes >= 0 else -((-minutes) // 60), abs(minutes) % 60)
    seconds = calendar.timegm(instant.timetuple())
    forms = [
        ("%s, %s %s %s %s %s" % (day + (hms, name)), seconds),
        ("%s %s %s %s %s" % (day[1:] + (hms, name)), seconds),
        (local.strftime("%Y-%m-%dT%H:%M:%S") + iso_zone, seconds),
        (local.strftime("%Y-%m-%dT%H:%M:%S.123") + iso_zone, seconds),
        (local.strftime("%Y-%m-%d %H:%M:%S") + (" " + iso_zone if iso_zone != "Z" else ""), seconds if iso_zone != "Z" else calendar.timegm(local.timetuple())),
        (local.strftime("%Y-%m-%dT%H:%M") + iso_zone, seconds - local.second),
    ]
    if minutes == 0:
        forms.append((local.strftime("%a %b ") + str(local.day).rjust(2) + local.strftime(" %H:%M:%S %Y"), seconds))
    return rng.choice(forms)


def feed_document(rng, index):
    fmt = rng.choice(["rss20", "rss10", "atom10", "atom03"])
    items = []
    for k in range(rng.randint(1, 4)):
        title = "%s %s %d%s" % (rng.choice(WORDS).title(), rng.choice(WORDS), index * 10 + k,
                                rng.choice(["", " &amp; more", " \u2013 live", " (update)"]))
        instant = datetime.datetime(2000, 1, 1) + datetime.timedelta(seconds=rng.randint(0, 25 * 365 * 86400))
        date_text, _ = date_forms(rng, instant)
        body = "The %s and the %s & more %s." % (rng.choice(WORDS), rng.choice(WORDS), rng.choice(["&nbsp;", "&#8212;", "&#x2014;", "&hellip;", ""]))
        items.append((title, "https://news.example.org/%d/%d" % (index, k), date_text, body, rng.choice(["Ana Ruiz", "Jo Smith", "Kenji Mori"])))
    lang = rng.choice(["en", "en-US", "en_GB", "fr", "de-DE"])

    def escaped(markup):
        style = rng.choice(["escape", "cdata"])
        return "<![CDATA[%s]]>" % markup if style == "cdata" else html.escape(markup, quote=False)

    if fmt in ("rss20", "rss10"):
        head = ('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" '
                'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/">')
        if fmt == "rss10":
            head = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
                    'xmlns:dc="http://purl.org/dc/elements/1.1/">')
        parts = [head, "<channel>" if fmt == "rss20" else '<channel rdf:about="https://news.example.org/">',
                 "<title>Feed %d</title>" % index,
                 rng.choice(["<language>%s</language>" % lang, "<dc:language>%s</dc:language>" % lang])]
        if fmt == "rss10":
            parts.append("</channel>")
        for title, link, date_text, body, author in items:
            fields = []
            title_xml = title
            fields.append(rng.choice(["<title>%s</title>", "<dc:title>%s</dc:title>"]) % title_xml)
            if fmt == "rss20" and rng.random() < 0.3:
                fields.append("<itunes:title>Other %s</itunes:title>" % index)  # title beats it wherever it stands
            fields.append("<link>%s</link>" % link)
            if fmt == "rss20" and rng.random() < 0.3:
                fields.append('<atom:link rel="self" href="https://news.example.org/feed.xml"/>')
            if fmt == "rss20":
                fields.append(rng.choice(["<pubDate>%s</pubDate>", "<dc:date>%s</dc:date>"]) % date_text)
                fields.append(rng.choice(["<dc:creator>%s</dc:creator>" % author,
                                          "<author>%s@example.org (%s)</author>" % (author.split()[0].lower(), author)]))
            else:
                fields.append("<dc:date>%s</dc:date>" % date_text)
                fields.append("<dc:creator>%s</dc:creator>" % author)
            fields.append("<description>%s</description>" % escaped("<p>%s</p>" % body))
            if fmt == "rss20" and rng.random() < 0.3:
                fields.append("<media:description>Media text</media:description>")
            rng.shuffle(fields)
            tag = "<item>" if fmt == "rss20" else '<item rdf:about="%s">' % link
            parts.append(tag + "".join(fields) + "</item>")
        parts.append("</channel></rss>" if fmt == "rss20" else "</rdf:RDF>")
        return "".join(parts), fmt
    ns = "http://www.w3.org/2005/Atom" if fmt == "atom10" else "http://purl.org/atom/ns#"
    parts = ['<feed xmlns="%s" xml:lang="%s"%s><title>Feed %d</title>' % (ns, lang, ' version="0.3"' if fmt == "atom03" else "", index)]
    for title, link, date_text, body, author in items:
        fields = ["<title>%s</title>" % title,
                  '<link rel="alternate" type="text/html" href="%s"/>' % link,
                  "<id>%s</id>" % link,
                  ("<published>%s</published>" if fmt == "atom10" else "<issued>%s</issued>") % date_text,
                  "<author><name>%s</name></author>" % author,
                  '<summary type="%s">%s</summary>' % (("html", escaped("<p>%s</p>" % body)) if fmt == "atom10" else ("text/html", escaped("<p>%s</p>" % body)))]
        if fmt == "atom03":
            fields[-1] = '<summary type="text/html" mode="escaped">%s</summary>' % html.escape("<p>%s</p>" % body, quote=False)
        rng.shuffle(fields)
        parts.append("<entry>" + "".join(fields) + "</entry>")
    parts.append("</feed>")
    return "".join(parts), fmt


def sluice_view(out):
    def seconds(value):
        if not value:
            return None
        return calendar.timegm(datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").timetuple())
    entries = []
    for e in out.get("entries", []):
        detail = e.get("author_detail") or {}
        entries.append({"title": e.get("title"), "link": e.get("link"), "summary": e.get("summary"),
                        "published": seconds(e.get("published")), "updated": seconds(e.get("updated")),
                        "author": detail.get("name")})
    return {"feed": {"title": out.get("feed", {}).get("title"), "language": out.get("feed", {}).get("language")},
            "entries": entries}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--feeds", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as work:
        paths = []
        for i in range(args.feeds):
            text, fmt = feed_document(rng, i)
            path = os.path.join(work, "%04d-%s.xml" % (i, fmt))
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
            paths.append(path)
        requests = "".join(json.dumps({"file": p, "url": "", "headers": {}}) + "\n" for p in paths)
        sluice = subprocess.run([os.path.join(args.build, "sluice"), "parse", "--batch"], input=requests,
                                capture_output=True, text=True, check=True).stdout.splitlines()
        reference = subprocess.run(["/usr/bin/python3", "-c", FEEDPARSER], input="\n".join(paths) + "\n",
                                   capture_output=True, text=True, check=True).stdout.splitlines()
    agree, total, shown = {}, {}, 0
    for path, ours, theirs in zip(paths, sluice, reference):
        mine, ref = sluice_view(json.loads(ours)), json.loads(theirs)
        pairs = [("feed.title", mine["feed"]["title"], ref["feed"]["title"]),
                 ("feed.language", mine["feed"]["language"], ref["feed"]["language"])]
        for a, b in zip(mine["entries"], ref["entries"]):
            pairs += [("entry.title", text_of(a["title"]), text_of(b["title"])), ("entry.link", a["link"], b["link"]),
                      ("entry.summary", text_of(a["summary"]), text_of(b["summary"])),
                      ("entry.date", a["published"] or a["updated"], b["published"] or b["updated"]),
                      ("entry.author", a["author"], b["author"])]
        if len(mine["entries"]) != len(ref["entries"]):
            pairs.append(("entries", len(mine["entries"]), len(ref["entries"])))
        for field, a, b in pairs:
            if b is None:
                continue  # feedparser has no answer: nothing to agree with
            total[field] = total.get(field, 0) + 1
            if a == b:
                agree[field] = agree.get(field, 0) + 1
            elif shown < args.show:
                shown += 1
                print("DIFF %s %s: sluice=%r feedparser=%r" % (os.path.basename(path), field, a, b))
    print("%-16s %8s %8s %8s" % ("field", "agree", "total", "%"))
    for field in sorted(total):
        print("%-16s %8d %8d %8.1f" % (field, agree.get(field, 0), total[field], 100.0 * agree.get(field, 0) / total[field]))
    all_agree, all_total = sum(agree.values()), sum(total.values())
    print("%-16s %8d %8d %8.1f" % ("all", all_agree, all_total, 100.0 * all_agree / all_total))


if __name__ == "__main__":
    sys.exit(main())
