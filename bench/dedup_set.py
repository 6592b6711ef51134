"""The evaluation set of cross-feed story dedup: pairs of one story as two outlets carry it, and pairs
that must stay apart, made from the article texts of the extraction kit's ground truth.

make_set(kit_dir, seed) returns (originals, checks):
- originals: stories as the first feed ("wire") publishes them: {"title", "url", "text"}; half of the
  kit's articles, then a short item (a brief of 40 words) for each. The other half only lends material to the negatives, so a check never meets its
  own source in the index.
- checks: {"kind", "positive", "of" (index into originals, or None), "source" (negatives: the
  original they borrow from), "title", "url", "text" or "html"}: the article a second feed ("partner") carries.

Positive kinds are the transformations syndication applies: credit lines and partner footers, cut
first and last paragraphs, a rewritten lede, copy edits of 1-10% of the words, paragraphs reordered
or split, another headline, HTML instead of text. Negative kinds: a different story; a different
story quoting one paragraph of an indexed one; one carrying the same press-release paragraph; a follow-up repeating background paragraphs of the original; short items (under 50 words)
that share a headline or an opening with an indexed one.
"""
import gzip
import html
import json
import os
import random
import re

WORD = re.compile(r"\w+", re.UNICODE)

CREDITS = ["By Maria Lopez, Associated Press", "(Reuters) -", "By Staff Writer | Wire Service",
           "AFP - Agence France-Presse", "Syndicated from The Daily Ledger", "By James O'Neil, Bloomberg"]
DATELINES = ["WASHINGTON (AP) -", "LONDON, March 3 (Reuters) -", "PARIS -", "NEW YORK -", "TOKYO (AFP) -"]
FOOTERS = ["Related: More stories from our partners", "Read more: the full coverage is on our site",
           "This story was originally published by a partner outlet and is republished with permission.",
           "Copyright 2026 The Associated Press. All rights reserved. This material may not be published, "
           "broadcast, rewritten or redistributed.",
           "Sign up for our newsletter to get the day's top stories in your inbox."]


def words(text):
    return WORD.findall(text.lower())


def paragraphs_of(text):
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def shingles(text, k=3):
    w = words(text)
    return {" ".join(w[i:i + k]) for i in range(max(1, len(w) - k + 1))}


def load_stories(kit_dir):
    stories = []
    for name in ("scrapinghub", "wcxb-dev"):
        path = os.path.join(kit_dir, name, "ground-truth.json")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            truth = json.load(f)
        for page_id in sorted(truth):
            body = truth[page_id].get("articleBody") or ""
            paras = [p for p in paragraphs_of(body) if len(words(p)) >= 8]
            if len(paras) >= 4 and 150 <= sum(len(words(p)) for p in paras) <= 3000:
                stories.append({"id": f"{name}/{page_id}", "url": truth[page_id].get("url") or "",
                                "paragraphs": paras})
    # Pages of one site can share whole paragraphs (disclaimers, author notes): of stories that
    # overlap at all, one is kept, so every pair in the set is apart unless a check makes it so.
    kept, seen = [], set()
    for story in stories:
        marks = shingles(" ".join(story["paragraphs"]), 5)
        if len(marks & seen) > len(marks) // 20:
            continue
        seen |= marks
        kept.append(story)
    return kept


def title_of(story):
    first = words(story["paragraphs"][0])
    return " ".join(first[:8]).capitalize()


def brief(story):
    """A short item (40 words) the wire sends besides the story."""
    text = " ".join(story["paragraphs"][1].split()[:40])
    return {"title": "Brief: " + " ".join(words(text)[:6]), "text": text}


def edit_words(paragraphs, fraction, rng, vocabulary):
    """Copy edits: fraction of the words replaced, dropped or doubled by another word."""
    out = []
    for para in paragraphs:
        tokens = para.split()
        edited = []
        for token in tokens:
            if rng.random() >= fraction:
                edited.append(token)
                continue
            kind = rng.random()
            if kind < 0.6:
                edited.append(rng.choice(vocabulary))
            elif kind < 0.8:
                pass
            else:
                edited.extend([token, rng.choice(vocabulary)])
        out.append(" ".join(edited))
    return out


def positive(kind, story, rng, vocabulary, other):
    paras = list(story["paragraphs"])
    title = title_of(story)
    if kind == "credit_and_footer":
        paras[0] = rng.choice(DATELINES) + " " + paras[0]
        paras = [rng.choice(CREDITS)] + paras + rng.sample(FOOTERS, 2)
    elif kind == "first_and_last_cut":
        paras = paras[1:-1]
    elif kind == "rewritten_lede":
        paras[0] = other["paragraphs"][0]
    elif kind.startswith("edits_"):
        paras = edit_words(paras, int(kind.split("_")[1]) / 100, rng, vocabulary)
    elif kind == "reordered_and_split":
        i = rng.randrange(1, len(paras) - 1)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
        longest = max(range(len(paras)), key=lambda j: len(paras[j]))
        tokens = paras[longest].split()
        half = len(tokens) // 2
        paras[longest:longest + 1] = [" ".join(tokens[:half]), " ".join(tokens[half:])]
    elif kind == "other_headline":
        title = "Opinion: " + " ".join(words(other["paragraphs"][0])[:7])
    if kind == "short_with_credit":
        item = brief(story)
        return {"title": item["title"], "text": rng.choice(DATELINES) + " " + item["text"]}
    if kind == "html_rendering":
        body = "".join(f"<p>{html.escape(p).replace(chr(39), '&#8217;')}</p>\n" for p in paras)
        page = (f"<html><head><title>{html.escape(title)}</title></head><body><article>"
                f"<h1>{html.escape(title)}</h1>\n{body}</article></body></html>")
        return {"title": title, "html": page}
    return {"title": title, "text": "\n\n".join(paras)}


def borrowable(story):
    """Paragraphs another story could quote: a paragraph, not most of the story (a kit text whose
    one paragraph holds nearly all its words is kept whole by any outlet that carries it)."""
    total = sum(len(words(p)) for p in story["paragraphs"])
    fit = [p for p in story["paragraphs"] if len(words(p)) * 3 <= total]
    return fit or [min(story["paragraphs"], key=len)]


def negative(kind, story, rng, spare):
    """A story that is not `story`: made from `spare` (not indexed), sharing what kind says."""
    paras = list(spare["paragraphs"])
    title = title_of(spare)
    if kind == "quotes_a_paragraph":
        paras.insert(rng.randrange(1, len(paras)), rng.choice(borrowable(story)))
    elif kind == "shares_a_press_release":
        # The same paragraph of a press release, in each story's own words around it.
        paras.insert(2, rng.choice(borrowable(story)))
    elif kind == "follow_up":
        # New reporting first, then background repeated from the original: at most two of its
        # paragraphs (of a paragraph's size), less than half of the follow-up.
        own = sum(len(words(p)) for p in paras)
        background = []
        for p in rng.sample(borrowable(story), min(2, len(borrowable(story)))):
            if (sum(len(words(b)) for b in background) + len(words(p))) < own:
                background.append(p)
        paras = paras + background
        title = title_of(story) + ": what happened next"
    elif kind == "short_same_headline":
        return {"title": brief(story)["title"], "text": " ".join(paras[0].split()[:40])}
    elif kind == "short_same_opening":
        opening = brief(story)["text"].split()[:12]
        return {"title": title, "text": " ".join(opening + paras[0].split()[:25])}
    return {"title": title, "text": "\n\n".join(paras)}


POSITIVE_KINDS = ["credit_and_footer", "first_and_last_cut", "rewritten_lede", "edits_1", "edits_2",
                  "edits_5", "edits_10", "reordered_and_split", "other_headline", "html_rendering", "short_with_credit"]
NEGATIVE_KINDS = ["different_story", "quotes_a_paragraph", "shares_a_press_release", "follow_up",
                  "short_same_headline", "short_same_opening"]


def make_set(kit_dir, seed=20261203, per_kind=None):
    rng = random.Random(seed)
    stories = load_stories(kit_dir)
    rng.shuffle(stories)
    half = len(stories) // 2
    indexed, spare = stories[:half], stories[half:]
    vocabulary = sorted({w for s in stories for p in s["paragraphs"] for w in p.split()})
    originals = [{"title": title_of(s), "url": s["url"] or f"https://wire.example/{i}",
                  "text": "\n\n".join(s["paragraphs"])} for i, s in enumerate(indexed)]
    # The wire's briefs follow its stories: originals[half + i] is the brief of originals[i].
    originals += [dict(brief(s), url=f"https://wire.example/brief/{i}") for i, s in enumerate(indexed)]
    checks = []
    count = per_kind or len(indexed)
    for kind in POSITIVE_KINDS:
        for n in range(min(count, len(indexed))):
            i = (n * 7 + len(kind)) % len(indexed)
            other = spare[rng.randrange(len(spare))]
            check = positive(kind, indexed[i], rng, vocabulary, other)
            of = i + len(indexed) if kind.startswith("short") else i
            check.update(kind=kind, positive=True, of=of, url=f"https://partner.example/{kind}/{n}")
            checks.append(check)
    for kind in NEGATIVE_KINDS:
        for n in range(min(count, len(spare))):
            i = rng.randrange(len(indexed))
            check = negative(kind, indexed[i], rng, spare[n])
            source = i + len(indexed) if kind.startswith("short") else i
            check.update(kind=kind, positive=False, of=None, source=source, url=f"https://partner.example/{kind}/{n}")
            checks.append(check)
    return originals, checks
