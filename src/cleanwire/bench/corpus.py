"""A synthetic corpus of news page dumps with known duplicates, for the scale benchmark.

Everything here is made up: sites with page templates (menus, share bars, teasers,
footers), article bodies from a small English-like sentence model, and copies of
stories of every kind the deduper must find. The plan (which document is which copy
of which story, in which template) is drawn once from the seed; each document's text
then depends only on the seed and its own plan entry, so shards can be written in
parallel and the output is the same whatever `--jobs` is.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np

# Copy kinds, in plan codes. "exact" is the same page fetched twice (byte-identical).
IntOrArray = TypeVar("IntOrArray", int, "np.ndarray[Any, Any]")  # story numbers: one, or a whole plan

KINDS = ("original", "excerpt", "wrapped", "glued", "edited", "reordered", "exact")
COPY_WEIGHTS = {"excerpt": 30, "wrapped": 15, "glued": 20, "edited": 20, "reordered": 10, "exact": 5}
COPIES_PER_STORY = (1, 2, 3)
COPIES_PER_STORY_P = (0.45, 0.35, 0.20)
GENERATOR = "cleanwire.bench.corpus v2"  # bump when the output for a seed changes
PROFILES = ("default", "wire")
# The wire profile: most stories are republished, by a handful of sites or by hundreds (a wire story);
# mostly light edits and the same body in another site's template, some excerpts
WIRE_COPY_WEIGHTS = {"excerpt": 15, "wrapped": 35, "glued": 5, "edited": 35, "reordered": 5, "exact": 5}
WIRE_SINGLE_SHARE = 0.15  # share of documents that are a story alone
WIRE_MAX_CLUSTER = 500
WIRE_TAIL = 2.0  # cluster sizes 2..WIRE_MAX_CLUSTER drawn with probability ~ size ** -WIRE_TAIL
DOCS_PER_SITE = 200
BRIEF_SHARE = 12  # percent of stories that are short briefs
FOLLOWUP_SHARE = 8  # percent of full stories that quote a paragraph of an older one

STOPWORD_DETS = ("the", "the", "the", "a", "a", "this", "that", "their", "its", "his", "her", "our", "every", "some")
PREPS = ("in", "in", "of", "of", "on", "at", "for", "with", "from", "by", "after", "over", "under", "about", "into",
         "against", "during", "before", "between", "without", "through", "near")
PRONOUNS = ("he", "she", "they", "it", "we", "officials", "critics", "residents", "analysts")
CONJS = ("and", "but", "while", "because", "although", "as", "after", "since", "so", "when")
TIMES = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday",
         "last week", "this year", "last month", "earlier this week", "in recent months", "next year",
         "late on Friday", "this morning", "for the first time")
ADVERBS = ("also", "still", "already", "largely", "quickly", "quietly", "recently", "again", "nearly", "only",
           "finally", "openly", "sharply", "widely")
SECTIONS = ("Home", "World", "News", "Business", "Sport", "Politics", "Tech", "Science", "Health", "Opinion",
            "Entertainment", "Travel", "Lifestyle", "Culture", "Video", "Weather", "Local", "Money", "Markets",
            "Arts", "Books", "Style", "Food", "Education", "Environment", "Autos", "Real Estate", "Jobs",
            "Obituaries", "Crime", "Courts", "Football", "Cricket", "Tennis", "Golf", "Music", "Film", "TV",
            "Gadgets", "Games", "Property", "Columnists", "Letters", "Photos", "Podcasts", "Newsletters")
TOP_BAR = ("Skip to content", "Skip to site index", "Sign in", "Subscribe", "Search", "Menu", "Log in", "Register",
           "Today's paper", "Edition: International", "My account", "Newsletters")
SHARE = ("Share this article", "Follow us on social", "Facebook", "Twitter", "Email", "Print", "Share on Facebook",
         "Share on Twitter", "WhatsApp", "LinkedIn", "Reddit", "Copy link", "Save", "Share")
FOOTER = ("Privacy Policy", "Terms of Use", "Contact us", "About us", "Advertise with us", "Site map",
          "Connect with us", "Cookie settings", "Accessibility", "Careers", "Help", "Corrections", "RSS feeds",
          "Archive", "Do not sell my information", "Community guidelines")
MISC = ("Advertisement", "Loading...", "Show less", "Keep reading", "Read more", "Exit mobile version",
        "Story continues below advertisement", "Sponsored content", "Most popular", "Trending now", "Recommended")
READ_MORE = ("Read the full story at {outlet}", "You can read the rest here at {domain}.",
             "Continue reading this article on {outlet} ...", "Full story: {outlet}", "[...] Read the full article at "
             "http://www.{domain}/", "More at {outlet}", "Read more at {domain}", "The rest of this story is on "
             "{outlet}.", "Originally published by {outlet}. Read the whole article there.",
             "This is an excerpt. Read the complete story at {domain}", "Click here to read more on {outlet}",
             "Source: {outlet} (read the full report)")
ADDED = ("Update: This story has been updated with additional comments.", "(Additional reporting by {name}; "
         "Editing by {name2})", "Correction: An earlier version of this story misstated the date of the vote.",
         "This article was first published {time} and has since been revised.",
         "{name} contributed reporting.")
WORD_SWAPS = {"said": "stated", "Monday": "Tuesday", "percent": "per cent", "officials": "authorities",
              "week": "fortnight", "large": "big", "began": "started", "city": "town", "told": "informed"}
SYLLABLES = ("ba", "ber", "cal", "dor", "en", "fa", "gan", "hol", "is", "jor", "ka", "lin", "mar", "nel", "or",
             "pra", "quen", "ros", "sta", "tor", "ul", "ven", "wil", "yor", "zan", "bri", "cro", "del", "fen", "gri",
             "har", "lo", "mi", "no", "pe", "ri", "sa", "te", "vi", "ton", "land", "ment", "ver", "al", "ar", "est")
NOUN_ENDS = ("", "", "", "er", "ion", "ment", "ity", "ance", "ship", "ist")
VERB_ENDS = ("ed", "ed", "ed", "ened", "ized", "ated")
ADJ_ENDS = ("al", "ous", "ive", "ic", "ful", "less", "ish", "ary")
TLDS = (".com", ".com", ".co.uk", ".net", ".org", ".com.au", ".ca")

# Sentence skeletons: capital letters are slots, everything else is literal.
SKELETONS = (
    "D A N V D N P D N",
    "M , D N P D A N , V T that R would V D N",
    "P D N , D N V X N P D A N",
    "R Y V D N P D N of D A N",
    "the N of D N V P X percent T",
    "D N V that D A N had V P D N , M said",
    "T , D A N P L V D N and V D N",
    "R V D N was A , but D N P L Y V D N",
    "M , who V D N P L , V D A N P D N",
    "D N is expected to V D A N P D N",
    "there were X N P D N T , according to D N",
    "D A N has V D N since X",
    "R said D N would V D N P D N C D N V",
    "many N in L V D N , and some V that D N was A",
    "D N of D N V by X percent to X N",
)
QUOTE_SKELETONS = (
    '" R V D A N , and R will V P D N , " said M , D N P D N',
    '" this is D A N for D N , " M said',
    '" we have V D N P D N , C R V D A N , " M told D N',
)
HEADLINE_SKELETONS = ("M V N P L", "A N V P N", "L N V A N", "N V P N C N", "M Y V N of N", "X N V P L N")


@dataclass(frozen=True)
class Site:
    """One synthetic website: a name, a domain and the fixed parts of its page template."""

    name: str
    domain: str
    glued: bool  # the dump glued inline boundaries (menus and link lists flattened)
    blank_lines: bool  # blocks separated by blank lines
    header: tuple[str, ...]
    nav: tuple[str, ...]
    share: tuple[str, ...]
    footer: tuple[str, ...]
    section_label: str


@dataclass(frozen=True)
class Body:
    """A story: headline, byline, date and paragraphs (each a list of sentences)."""

    headline: str
    author: str
    date: str
    paragraphs: tuple[tuple[str, ...], ...]


class Vocabulary:
    """Made-up words with Zipf-like frequencies; the same for every seed."""

    def __init__(self) -> None:
        rng = random.Random(20260101)
        self.nouns = self._words(rng, 9000, NOUN_ENDS)
        self.verbs = self._words(rng, 3000, VERB_ENDS)
        self.adjs = self._words(rng, 2500, ADJ_ENDS)
        self.first = [w.capitalize() for w in self._words(rng, 600, ("", "a", "o", "ie", "en"))]
        self.last = [w.capitalize() for w in self._words(rng, 4000, ("", "son", "er", "ez", "ski", "ton"))]
        self.places = [w.capitalize() for w in self._words(rng, 800, ("", "ia", "burg", "ford", "stan", "ville"))]
        self.cum = {name: self._zipf(len(getattr(self, name))) for name in
                    ("nouns", "verbs", "adjs", "first", "last", "places")}

    @staticmethod
    def _words(rng: random.Random, count: int, ends: tuple[str, ...]) -> list[str]:
        """Return `count` distinct pronounceable words."""
        seen: set[str] = set()
        words: list[str] = []
        while len(words) < count:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 2, 3)))) + rng.choice(ends)
            if len(word) > 2 and word not in seen:
                seen.add(word)
                words.append(word)
        return words

    @staticmethod
    def _zipf(count: int) -> list[float]:
        """Cumulative weights 1/(rank + 20): Zipf-like, but no word takes more than ~1 % of the text."""
        weights: list[float] = np.cumsum(1.0 / (np.arange(1, count + 1) + 20.0)).tolist()
        return weights

    def draw(self, rng: random.Random, name: str, k: int) -> list[str]:
        """Draw k words of one class."""
        return rng.choices(getattr(self, name), cum_weights=self.cum[name], k=k)


class Writer:
    """Turns plan entries into page texts; holds the vocabulary and a per-process site table."""

    def __init__(self, seed: int, n_sites: int) -> None:
        self.seed = seed
        self.vocab = Vocabulary()
        self.n_sites = n_sites
        self._sites: dict[int, Site] = {}  # per Writer, not per module: sites are cheap to rebuild
        self._bodies: dict[int, Body] = {}  # a story copied hundreds of times is written once per Writer

    def rng(self, *parts: int) -> random.Random:
        """A generator seeded from the corpus seed and integer parts (stable across Python versions)."""
        value = self.seed
        for part in parts:
            value = (value * 1_000_003 + part + 1) % (1 << 62)
        return random.Random(value)

    # sites ----------------------------------------------------------------------------------------
    def site(self, index: int) -> Site:
        """The site with this index (built on first use)."""
        site = self._sites.get(index)
        if site is None:
            site = self._sites[index] = self._make_site(index)
        return site

    def _make_site(self, index: int) -> Site:
        rng = self.rng(1, index)
        v = self.vocab
        words = v.draw(rng, "places", 1) + v.draw(rng, "nouns", 1)
        pattern = rng.choice(("The {} {}", "{} {}", "{} Daily {}", "{} {} Online"))
        name = pattern.format(*(w.capitalize() for w in words))
        domain = "".join(w.lower() for w in words) + rng.choice(TLDS)
        nav = tuple(rng.sample(SECTIONS, rng.randint(7, 16)))
        header = tuple(rng.sample(TOP_BAR, rng.randint(2, 6)))
        share = tuple(rng.sample(SHARE, rng.randint(2, 6)))
        footer = tuple(rng.sample(FOOTER, rng.randint(4, 10))) + (
            f"© {rng.randint(2005, 2024)} {name}. All rights reserved.",)
        return Site(name=name, domain=domain, glued=rng.random() < 0.35, blank_lines=rng.random() < 0.3,
                    header=header, nav=nav, share=share, footer=footer, section_label=rng.choice(nav))

    # bodies ---------------------------------------------------------------------------------------
    def name(self, rng: random.Random) -> str:
        """A person's name."""
        return f"{self.vocab.draw(rng, 'first', 1)[0]} {self.vocab.draw(rng, 'last', 1)[0]}"

    def sentence(self, rng: random.Random, skeleton: str, pools: dict[str, Iterator[str]]) -> str:
        """Fill one skeleton from the word pools."""
        out: list[str] = []
        for slot in skeleton.split(" "):
            if len(slot) == 1 and slot.isupper():
                out.append(next(pools[slot]))
            else:
                out.append(slot)
        text = " ".join(out).replace(" ,", ",")
        if text.startswith('" '):
            return '"' + text[2:3].upper() + text[3:].replace(', "', ',"') + "."
        return text[:1].upper() + text[1:] + "."

    def pools(self, rng: random.Random, n: int) -> dict[str, Iterator[str]]:
        """Word pools for about n sentences, drawn in bulk (one call per class) for speed."""
        v = self.vocab
        k = n * 6
        names = [f"{f} {s}" if rng.random() < 0.6 else s for f, s in
                 zip(v.draw(rng, "first", n), v.draw(rng, "last", n))]
        numbers = [str(x) for x in rng.choices((2, 3, 4, 5, 7, 10, 12, 15, 20, 25, 30, 40, 100, 250, 1500, 2008),
                                               k=n)]
        return {
            "N": _cycle(v.draw(rng, "nouns", k)),
            "V": _cycle(v.draw(rng, "verbs", k // 2)),
            "A": _cycle(v.draw(rng, "adjs", k // 2)),
            "M": _cycle(names),
            "L": _cycle(v.draw(rng, "places", n)),
            "D": _cycle(rng.choices(STOPWORD_DETS, k=k)),
            "P": _cycle(rng.choices(PREPS, k=k // 2)),
            "R": _cycle(rng.choices(PRONOUNS, k=n)),
            "C": _cycle(rng.choices(CONJS, k=n)),
            "T": _cycle(rng.choices(TIMES, k=n)),
            "Y": _cycle(rng.choices(ADVERBS, k=n)),
            "X": _cycle(numbers),
        }

    def body(self, story: int) -> Body:
        """The story's article, the same wherever it is copied; a follow-up quotes a paragraph of an older story."""
        body = self._bodies.get(story)
        if body is None:
            body = self._bodies[story] = self._body(story)
        return body

    def _body(self, story: int) -> Body:
        own = self.own_body(story)
        older = borrowed_story(self.seed, story)
        if older is None:
            return own
        quoted = self.own_body(older).paragraphs[1]
        paragraphs = list(own.paragraphs)
        paragraphs.insert(len(paragraphs) // 2, quoted)
        return Body(headline=own.headline, author=own.author, date=own.date, paragraphs=tuple(paragraphs))

    def own_body(self, story: int) -> Body:
        """The story's own text: a brief of 1-3 short paragraphs or a full article of 7-15."""
        rng = self.rng(2, story)
        if is_brief(self.seed, story):
            sizes = [rng.randint(2, 3) for _ in range(rng.randint(1, 3))]
        else:
            sizes = [rng.randint(2, 6) for _ in range(rng.randint(7, 15))]
        pools = self.pools(rng, sum(sizes) + 8)
        paragraphs = []
        for size in sizes:
            sentences = []
            for _ in range(size):
                skel = rng.choice(QUOTE_SKELETONS) if rng.random() < 0.12 else rng.choice(SKELETONS)
                sentences.append(self.sentence(rng, skel, pools))
            paragraphs.append(tuple(sentences))
        headline = self.sentence(rng, rng.choice(HEADLINE_SKELETONS), pools)[:-1]
        if rng.random() < 0.5:
            headline = " ".join(w[:1].upper() + w[1:] for w in headline.split(" "))
        month = rng.choice(("January", "February", "March", "April", "May", "June", "July", "August", "September",
                            "October", "November", "December"))
        date_pattern = rng.choice(
            ("{m} {d}, {y}", "{d} {m} {y}", "{y}-{mm:02d}-{d:02d}", "{m} {d}, {y} {h}:{mi:02d} GMT"))
        date = date_pattern.format(
            m=month, d=rng.randint(1, 28), y=rng.randint(2005, 2024), mm=rng.randint(1, 12), h=rng.randint(0, 23),
            mi=rng.randint(0, 59))
        return Body(headline=headline, author=self.name(rng), date=date, paragraphs=tuple(paragraphs))

    # copies ---------------------------------------------------------------------------------------
    def excerpt(self, body: Body, rng: random.Random, outlet: Site) -> tuple[list[str], str]:
        """Leading paragraphs (15-50 % of the body) and a read-more line naming the original outlet."""
        paras = [" ".join(p) for p in body.paragraphs]
        total = sum(len(p) for p in paras)
        take = rng.randint(2, 4)
        if not 0.15 <= sum(len(p) for p in paras[:take]) / total <= 0.5:
            take, size = 0, 0
            while take < len(paras) - 1 and size < total * rng.uniform(0.25, 0.4):
                size += len(paras[take])
                take += 1
        out = paras[:max(take, 1)]
        if rng.random() < 0.3:
            out[-1] += rng.choice((" ...", " [...]"))
        more = rng.choice(READ_MORE).format(outlet=outlet.name, domain=outlet.domain)
        return out, more

    def glue(self, paragraphs: list[str], rng: random.Random) -> list[str]:
        """Lose the space (and punctuation) at 6-10 word boundaries and swap straight quotes for curly ones."""
        text = "\n".join(paragraphs)
        spaces = [i for i, ch in enumerate(text) if ch == " "]
        picks = sorted(rng.sample(spaces, min(len(spaces), rng.randint(6, 10))), reverse=True)
        chars = list(text)
        for i in picks:
            j = i
            if i > 0 and chars[i - 1] in ",;:-|":
                j = i - 1
            del chars[j:i + 1]
        text = "".join(chars)
        out, opening = [], True
        for ch in text:
            if ch == '"':
                out.append("“" if opening else "”")
                opening = not opening
            elif ch == "'":
                out.append("’")
            else:
                out.append(ch)
        return "".join(out).split("\n")

    def new_headline(self, headline: str, rng: random.Random, outlet: Site) -> str:
        """A changed headline, as glued copies carry."""
        words = headline.split(" ")
        how = rng.randrange(6)
        if how == 0:
            return headline.upper()
        if how == 1:
            return " ".join(w[:1].upper() + w[1:] for w in words)
        if how == 2 and len(words) > 4:
            return " ".join(words[:-2])
        if how == 3:
            return f"{headline} - {outlet.name}"
        if how == 4:
            return rng.choice(("UPDATE 1-", "Breaking: ", "EXCLUSIVE: ")) + headline
        return f"{words[0]}: {' '.join(words[1:]).lower()}"

    def edit(self, body: Body, rng: random.Random) -> list[str]:
        """Remove a sentence or two (not from the lead), change a few words, add one sentence."""
        paras = [list(p) for p in body.paragraphs]
        n_sent = sum(len(p) for p in paras)
        for _ in range(2 if n_sent >= 10 and rng.random() < 0.5 else 1):
            choices = [(i, j) for i, p in enumerate(paras) if i > 0 and len(p) > 1 for j in range(len(p))]
            if choices:
                i, j = rng.choice(choices)
                del paras[i][j]
        flat = [" ".join(p) for p in paras]
        for _ in range(rng.randint(3, 5)):
            i = rng.randrange(len(flat))
            words = flat[i].split(" ")
            k = rng.randrange(len(words))
            word = words[k]
            if word in WORD_SWAPS:
                words[k] = WORD_SWAPS[word]
            elif word.isdigit():
                words[k] = str(int(word) + rng.choice((-2, -1, 1, 2, 3)))
            else:
                words[k] = self.vocab.draw(rng, "nouns", 1)[0]
            flat[i] = " ".join(words)
        added = rng.choice(ADDED).format(name=self.name(rng), name2=self.name(rng), time=rng.choice(TIMES))
        where = rng.randrange(3)
        if where == 0:
            flat.insert(0, added)
        elif where == 1:
            flat.append(added)
        else:
            flat.insert(len(flat) // 2, added)
        return flat

    def reorder(self, body: Body, rng: random.Random) -> list[str]:
        """Move 2 or 3 paragraphs other than the lead to other places."""
        paras = [" ".join(p) for p in body.paragraphs]
        for _ in range(3 if len(paras) >= 6 else 2):
            if len(paras) < 3:
                break
            moved = paras.pop(rng.randrange(1, len(paras)))
            paras.insert(rng.randrange(1, len(paras) + 1), moved)
        return paras

    # pages ----------------------------------------------------------------------------------------
    def teasers(self, rng: random.Random, k: int) -> list[str]:
        """Headlines of other stories, as related-links lists show them."""
        pools = self.pools(rng, k + 2)
        return [self.sentence(rng, rng.choice(HEADLINE_SKELETONS), pools)[:-1] for _ in range(k)]

    def page(self, site: Site, headline: str, paragraphs: list[str], byline: str, date: str,
             rng: random.Random, tail: str | None = None) -> str:
        """Wrap body paragraphs in the site's template, with per-page teasers, captions and bylines."""
        join = "" if site.glued else "\n"
        lines: list[str] = []
        lines.append(site.name)
        lines.append(join.join(site.header) if site.glued else "\n".join(site.header))
        lines.append(join.join(site.nav) if site.glued else "\n".join(site.nav))
        if rng.random() < 0.5:
            lines.append(f"{site.section_label} | {rng.choice(SECTIONS)}")
        lines.append(headline)
        if rng.random() < 0.4:
            lines.append(self.teasers(rng, 1)[0] + ".")  # a standfirst
        lines.append(rng.choice(("By {a}", "{a}, Staff Writer", "Written by {a}", "{a} | {s}")).format(
            a=byline, s=site.name))
        lines.append(rng.choice(("Published {d}", "{d}", "Updated: {d}", "Posted on {d}")).format(d=date))
        share = site.share
        lines.append("".join(share) if site.glued else "\n".join(share))
        for i, para in enumerate(paragraphs):
            lines.append(para)
            if i == 1 and rng.random() < 0.4:
                lines.append(rng.choice(("Advertisement", "Story continues below advertisement", "Loading...")))
            if i == 0 and rng.random() < 0.35:
                teaser, photographer = self.teasers(rng, 1)[0], self.name(rng)  # drawn in this order
                agency = rng.choice(("AP", "Reuters", "AFP", "Getty Images"))
                lines.append(f"{teaser}. (Photo: {photographer}/{agency})")
        if tail:
            lines.append(tail)
        if rng.random() < 0.5:
            lines.append(f"{byline} is a reporter for {site.name}. Follow {byline.split(' ')[0]} on Twitter.")
        lines.append("".join(share) if site.glued else "\n".join(share))
        k = rng.randint(3, 7)
        lines.append(rng.choice(("Related stories", "More from " + site.name, "You may also like", "Most popular")))
        teasers = self.teasers(rng, k)
        lines.append(" ".join(teasers) if site.glued else "\n".join(teasers))
        if rng.random() < 0.6:
            lines.append(rng.choice(("Most read", "Trending now", "Editor's picks")))
            popular = self.teasers(rng, rng.randint(3, 6))
            lines.append(" ".join(popular) if site.glued else "\n".join(popular))
        lines.append(rng.choice(MISC))
        lines.append(f"Comments ({rng.randint(0, 300)})")
        lines.append(join.join(site.nav) if site.glued else "\n".join(site.nav[:rng.randint(3, len(site.nav))]))
        lines.append(join.join(site.footer) if site.glued else "\n".join(site.footer))
        return ("\n\n" if site.blank_lines else "\n").join(lines) + "\n"

    def document(self, story: int, kind: int, site_index: int, doc_seed: int, clean: bool) -> str:
        """The text of one planned document."""
        body = self.body(story)
        kind_name = KINDS[kind]
        site = self.site(site_index)
        # The original and its exact copies share a page seed: same page, fetched twice.
        rng = self.rng(3, story, site_index) if kind_name in ("original", "exact") else self.rng(4, doc_seed)
        headline, tail = body.headline, None
        origin = self.site(self._origin_site(story))
        if kind_name == "excerpt":
            paragraphs, tail = self.excerpt(body, rng, origin)
        elif kind_name == "glued":
            paragraphs = self.glue([" ".join(p) for p in body.paragraphs], rng)
            headline = self.new_headline(headline, rng, site)
        elif kind_name == "edited":
            paragraphs = self.edit(body, rng)
        elif kind_name == "reordered":
            paragraphs = self.reorder(body, rng)
        else:
            paragraphs = [" ".join(p) for p in body.paragraphs]
        if clean:
            return "\n\n".join(paragraphs) + "\n"
        return self.page(site, headline, paragraphs, body.author, body.date, rng, tail)

    def _origin_site(self, story: int) -> int:
        return _story_site(self.seed, story, self.n_sites)


def _story_site(seed: int, story: IntOrArray, n_sites: int) -> IntOrArray:
    """The site where a story first appeared (a pure function, so workers agree with the plan)."""
    return (story * 2654435761 + seed * 97) % n_sites


def _mix(seed: int, story: IntOrArray, salt: int) -> IntOrArray:
    """A stable pseudo-random number in [0, 100) for a story (works on ints and numpy arrays alike)."""
    return ((story * 2654435761 + seed * 40503 + salt * 7919) >> 5) % 100


def is_brief(seed: int, story: int) -> bool:
    """Briefs (about BRIEF_SHARE of stories) are short: in a page dump the template outweighs them."""
    return bool(_mix(seed, story, 1) < BRIEF_SHARE)


def borrowed_story(seed: int, story: int) -> int | None:
    """The older story a follow-up quotes one paragraph of (a hard negative: shared text, other story)."""
    if story < 10 or is_brief(seed, story) or _mix(seed, story, 2) >= FOLLOWUP_SHARE:
        return None
    older = story - 1 - _mix(seed, story, 3) % 9
    return None if is_brief(seed, older) else older


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


@dataclass
class Plan:
    """Which story, copy kind and template site each output position holds."""

    story: np.ndarray
    kind: np.ndarray
    site: np.ndarray
    n_sites: int


def make_plan(n_docs: int, seed: int, dup_share: float, profile: str = "default") -> Plan:
    """Draw the corpus plan: story sizes by profile until n_docs documents, copy kinds and sites, then shuffle.

    default: stories with 0-3 copies, `dup_share` of the documents copies. wire: WIRE_SINGLE_SHARE of
    the documents are stories alone, the others in clusters of 2-500 with a heavy tail (many of 2-5,
    some of 50-500), mostly light edits and template copies.
    """
    rng = np.random.default_rng(seed)
    n_sites = max(4, n_docs // DOCS_PER_SITE)
    if profile == "wire":
        sizes = _wire_sizes(rng, n_docs)
        weights_of = WIRE_COPY_WEIGHTS
    else:
        # A story has copies with probability p; mean copies per duplicated story is 1.75, so p solves
        # copies / docs = p * 1.75 / (1 + p * 1.75) = dup_share.
        mean_copies = float(np.dot(COPIES_PER_STORY, COPIES_PER_STORY_P))
        p = min(1.0, dup_share / (mean_copies * (1 - dup_share))) if dup_share < 1 else 1.0
        has = rng.random(n_docs) < p
        copies = np.where(has, rng.choice(COPIES_PER_STORY, size=n_docs, p=COPIES_PER_STORY_P), 0)
        sizes = 1 + copies
        weights_of = COPY_WEIGHTS
    ends = np.cumsum(sizes)
    n_stories = int(np.searchsorted(ends, n_docs) + 1)
    sizes = sizes[:n_stories].copy()
    sizes[-1] -= int(ends[n_stories - 1] - n_docs)
    story = np.repeat(np.arange(n_stories, dtype=np.int64), sizes)
    first = np.concatenate(([True], story[1:] != story[:-1]))
    names = list(weights_of)
    weights = np.array([weights_of[n] for n in names], dtype=float)
    copy_kind = np.array([KINDS.index(n) for n in names], dtype=np.int8)[
        rng.choice(len(names), size=n_docs, p=weights / weights.sum())]
    # A brief is too short to excerpt or reorder: its copies of those kinds are wrapped instead.
    brief = _mix(seed, story, 1) < BRIEF_SHARE
    reshaped = np.isin(copy_kind, [KINDS.index("excerpt"), KINDS.index("reordered")]) & brief
    copy_kind = np.where(reshaped, KINDS.index("wrapped"), copy_kind)
    kind = np.where(first, 0, copy_kind).astype(np.int8)
    home = _story_site(seed, story, n_sites)
    other = (home + 1 + rng.integers(0, n_sites - 1, size=n_docs)) % n_sites
    site = np.where((kind == 0) | (kind == KINDS.index("exact")), home, other)
    order = rng.permutation(n_docs)
    return Plan(story=story[order], kind=kind[order], site=site[order].astype(np.int64), n_sites=n_sites)


def _wire_sizes(rng: np.random.Generator, n_docs: int) -> np.ndarray:
    """Story sizes for the wire profile: singles, and clusters of 2..WIRE_MAX_CLUSTER ~ size ** -WIRE_TAIL."""
    values = np.arange(2, WIRE_MAX_CLUSTER + 1)
    p = values.astype(float) ** -WIRE_TAIL
    clustered = rng.choice(values, size=n_docs, p=p / p.sum())
    # interleave singles so that about WIRE_SINGLE_SHARE of the documents are stories alone
    mean = float(np.dot(values, p / p.sum()))
    single_p = WIRE_SINGLE_SHARE * mean / (WIRE_SINGLE_SHARE * mean + 1 - WIRE_SINGLE_SHARE)
    sizes: np.ndarray = np.where(rng.random(n_docs) < single_p, 1, clustered)
    return sizes


def doc_id(position: int) -> str:
    """The id of the document at this position of the corpus."""
    return f"d{position:08d}"


def _write_shard(args: tuple[Path, int, int, int, np.ndarray, np.ndarray, np.ndarray, int, bool]) -> int:
    """Write one shard file; runs in a worker process."""
    path, seed, n_sites, start, story, kind, site, _, clean = args
    writer = Writer(seed, n_sites)
    tmp = path.with_suffix(".jsonl.tmp")
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as out:
        for offset in range(len(story)):
            position = start + offset
            text = writer.document(int(story[offset]), int(kind[offset]), int(site[offset]), position, clean)
            out.write(json.dumps({"id": doc_id(position), "text": text}, ensure_ascii=False))
            out.write("\n")
    os.replace(tmp, path)
    return len(story)


def write_corpus(out_dir: Path, n_docs: int, seed: int = 1, shard_size: int = 10_000, clean: bool = False,
                 dup_share: float = 0.3, jobs: int = 1, profile: str = "default") -> dict[str, object]:
    """Write shards, gold.jsonl and manifest.json into out_dir; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = make_plan(n_docs, seed, dup_share, profile)
    tasks = []
    for shard, start in enumerate(range(0, n_docs, shard_size)):
        stop = min(n_docs, start + shard_size)
        tasks.append((out_dir / f"shard-{shard:05d}.jsonl", seed, plan.n_sites, start, plan.story[start:stop],
                      plan.kind[start:stop], plan.site[start:stop], shard, clean))
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            written = sum(pool.map(_write_shard, tasks))
    else:
        written = sum(map(_write_shard, tasks))
    counts = {name: int((plan.kind == code).sum()) for code, name in enumerate(KINDS)}
    with open(out_dir / "gold.jsonl", "w", encoding="utf-8", buffering=1 << 20) as gold:
        for position in range(n_docs):
            gold.write(json.dumps({"id": doc_id(position), "cluster": f"s{int(plan.story[position])}",
                                   "type": KINDS[int(plan.kind[position])], "site": int(plan.site[position])}))
            gold.write("\n")
    manifest: dict[str, object] = {
        "docs": written, "seed": seed, "shard_size": shard_size, "shards": len(tasks), "clean": clean,
        "dup_share": dup_share, "stories": int(len(np.unique(plan.story))), "sites": plan.n_sites, "types": counts,
        "generator": GENERATOR,
    }
    if profile != "default":  # a default corpus's manifest stays as it was
        manifest["profile"] = profile
        manifest.pop("dup_share")
        sizes = np.bincount(plan.story)
        manifest["cluster_sizes"] = {"1": int((sizes == 1).sum()), "2-5": int(((sizes >= 2) & (sizes <= 5)).sum()),
                                     "6-49": int(((sizes >= 6) & (sizes < 50)).sum()), "50+": int((sizes >= 50).sum()),
                                     "largest": int(sizes.max())}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


@click.command("make-corpus")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--docs", "n_docs", type=click.IntRange(1), default=10_000, show_default=True,
              help="Number of documents.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same corpus, byte for byte.")
@click.option("--shard-size", type=click.IntRange(1), default=10_000, show_default=True,
              help="Documents per shard-NNNNN.jsonl file.")
@click.option("--clean", is_flag=True, help="Write clean bodies only (no page template), for dedupe-only runs.")
@click.option("--dup-share", type=click.FloatRange(0, 0.9), default=0.3, show_default=True,
              help="Share of documents that are copies of another.")
@click.option("--jobs", type=click.IntRange(1), default=os.cpu_count() or 1, show_default="all cores",
              help="Worker processes (the output does not depend on it).")
@click.option("--profile", type=click.Choice(PROFILES), default="default", show_default=True,
              help="default: 30%% copies (--dup-share), 1-3 per story. wire: shaped like a news crawl, most "
                   "documents in clusters of heavy-tailed sizes (many of 2-5, some of 50-500), light edits, "
                   "template copies, excerpts (--dup-share is not used).")
def command(out_dir: Path, n_docs: int, seed: int, shard_size: int, clean: bool, dup_share: float,
            jobs: int, profile: str) -> None:
    """Write a synthetic corpus of page dumps with known duplicates (JSON lines shards + gold.jsonl)."""
    manifest = write_corpus(out_dir, n_docs, seed=seed, shard_size=shard_size, clean=clean, dup_share=dup_share,
                            jobs=jobs, profile=profile)
    click.echo(json.dumps(manifest), err=True)
