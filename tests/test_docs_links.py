"""README.md and docs/*.md: every relative link and image resolves, every #anchor names a heading
of its target (GitHub's slugs), every docs page is one link from the README, and the README keeps
its quick start on the first screen."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_LIMIT = 8_000  # characters: the front door, not the manual
QUICK_START_LIMIT = 1_500  # the first code block ends within this many characters
QUICK_START_COMMANDS = ("bash run_cgan.sh testing_tags.txt", "bash run_gan.sh", "make test")

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s)]*)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:


def without_code(text: str) -> str:
    """Markdown with fenced blocks and code spans blanked out: links and headings there are text."""
    text = FENCE.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    return CODE_SPAN.sub("", text)


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: its rendered text lower-cased, punctuation dropped (letters,
    digits, '_', '-' and spaces stay), each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in `path`; repeated headings get -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        slug = github_slug(heading)
        found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return found


def link_targets(text: str) -> list[str]:
    prose = without_code(text)
    targets = [match.group(1).strip("<>") for match in INLINE_LINK.finditer(prose)]
    return targets + REFERENCE_LINK.findall(prose)


def broken_links(page: Path) -> list[str]:
    """One line per link of `page` that does not resolve: `page: target (why)`."""
    problems = []
    name = page.relative_to(REPO) if page.is_relative_to(REPO) else page
    for target in link_targets(page.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = unquote(target).partition("#")
        path = (page.parent / file_part).resolve() if file_part else page
        if not path.exists():
            problems.append(f"{name}: {target} (no such file)")
        elif anchor and path.suffix != ".md":
            problems.append(f"{name}: {target} (an anchor into a file that is not markdown)")
        elif anchor and anchor not in anchors(path):
            problems.append(f"{name}: {target} (no heading with anchor #{anchor} in {path.name})")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_every_link_resolves(page):
    assert not broken_links(page)


def test_the_check_catches_broken_links(tmp_path):
    (tmp_path / "other.md").write_text("# A heading, with `code` and punctuation!\n\n## Repeated\n\n## Repeated\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[fine](other.md#a-heading-with-code-and-punctuation) [second](other.md#repeated-1) [self](#top)\n"
        "# Top\n"
        "[gone](missing.md) ![gone too](missing.png) [bad anchor](other.md#no-such-heading)\n"
        "[into a non-markdown file](page.md.txt#x)\n"
        "```\n[in a code block](not-checked.md)\n```\n`[in a code span](not-checked.md)` [web](https://example.com/x)\n"
    )
    (tmp_path / "page.md.txt").write_text("")
    assert broken_links(page) == [
        f"{page}: missing.md (no such file)",
        f"{page}: missing.png (no such file)",
        f"{page}: other.md#no-such-heading (no heading with anchor #no-such-heading in other.md)",
        f"{page}: page.md.txt#x (an anchor into a file that is not markdown)",
    ]


def test_github_slugs():
    assert github_slug("The data set: procedural anime faces") == "the-data-set-procedural-anime-faces"
    assert github_slug("hw3 report: 8 GANs on 64 × 64 anime faces") == "hw3-report-8-gans-on-64--64-anime-faces"
    assert github_slug("Shipped: `dcgan_sn`, D's norm") == "shipped-dcgan_sn-ds-norm"
    assert github_slug("Word vectors, and [free text](x.md)") == "word-vectors-and-free-text"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README.parent / unquote(t).partition("#")[0]).resolve() for t in link_targets(README.read_text())}
    assert DOCS, "docs/ holds no pages"
    assert not [page.name for page in DOCS if page.resolve() not in linked]


def test_readme_is_short_with_the_quick_start_first():
    text = README.read_text(encoding="utf-8")
    assert len(text) <= README_LIMIT, f"README.md is {len(text):,} characters (at most {README_LIMIT:,})"
    first_block = FENCE.search(text)
    assert first_block is not None, "README.md has no code block"
    assert first_block.end() <= QUICK_START_LIMIT, f"the first code block ends at character {first_block.end():,}"
    missing = [command for command in QUICK_START_COMMANDS if command not in first_block.group(0)]
    assert not missing, f"the first code block lacks {missing}"
