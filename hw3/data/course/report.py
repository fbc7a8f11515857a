"""The texts an import writes besides the data: `import_report.txt` (every excluded row, by
reason) and `test_tags.txt`, 25 tags lines of pairs the test split holds, for
`hw3 report --tags` (a line whose pair has no real test face would have nothing beside it)."""

from __future__ import annotations

from collections import Counter

from hw3.data.tag_files import BAD_ROW_KINDS
from hw3.tags import NUM_EYES, pair_from_index

REPORT_NAME = "import_report.txt"
IMAGE_KINDS = {
    "missing_image": "the image file named by the tags line does not exist",
    "unreadable_image": "the file is not an image (or cannot be opened)",
    "corrupt_image": "the image stops decoding part-way (e.g. a truncated JPEG)",
    "degenerate_image": "a face of nothing: smaller than 32 px a side, fully transparent, or one colour",
    "duplicate_image": "the same 64 x 64 pixels as a face kept earlier",
    "held_out_surplus": "a held-out pair's face beyond the test split's quota for that pair",
}
REASONS = {**BAD_ROW_KINDS, **IMAGE_KINDS}


def test_tags_text(test_pairs: list[int], all_pairs: list[int], lines: int = 25) -> str:
    """`lines` tags lines over the pairs the test split holds: in rounds, each hair colour's
    commonest pair (among all faces) not yet used, commonest hair colour first; pairs repeat
    when there are fewer."""
    counts = Counter(all_pairs)
    by_hair: dict[int, list[int]] = {}
    for pair in sorted(set(test_pairs), key=lambda pair: (-counts[pair], pair)):
        by_hair.setdefault(pair // NUM_EYES, []).append(pair)
    hair_order = sorted(by_hair, key=lambda hair: (-sum(counts[p] for p in by_hair[hair]), hair))
    chosen: list[int] = []
    while len(chosen) < len(set(test_pairs)):
        for hair in hair_order:
            if by_hair[hair]:
                chosen.append(by_hair[hair].pop(0))
    chosen = (chosen * lines)[:lines]
    return "".join(f"{line},{pair_from_index(pair)}\n" for line, pair in enumerate(chosen, start=1))


def report_text(meta: dict, excluded: list[tuple[str, str]], grey: list[str] = ()) -> str:
    """Counts by source and by reason, the rules, then every excluded row and every kept
    grey-scale face by FILE:LINE."""
    lines = [f"hw3 data import ({meta['importer_version']}): {meta['counts']['train']} training and "
             f"{meta['counts']['test']} test faces, {len(excluded)} rows excluded", "", "sources:"]
    for source in meta["sources"]:
        missing = "; ".join(f"no {part} {', '.join(colours)}" for part, colours in source["missing_colours"].items()
                            if colours) or "every colour present"
        lines.append(f"  {source['name']}: {source['tags_file']}: {source['tag_lines']} tag lines, "
                     f"{source['labelled']} labelled, {source['kept']} kept ({missing})")
    lines += ["", "excluded rows by reason:"]
    lines += [f"  {kind:<17} {meta['excluded'].get(kind, 0):>7}  {meaning}" for kind, meaning in REASONS.items()]
    lines += ["", f"resize: {meta['resize']}", f"merge: {meta['merge_rule']}",
              f"held-out pairs (test split only): {', '.join(meta['held_out_pairs']) or 'none'}",
              "pairs too rare for a test set (all their faces train): "
              + (", ".join(meta["pairs_too_rare_for_test"]) or "none")]
    lines.append(f"grey-scale faces kept with colour labels: {len(grey)}")
    for kind in REASONS:
        messages = [message for message_kind, message in excluded if message_kind == kind]
        if messages:
            lines += ["", f"## {kind} ({len(messages)})", *messages]
    if grey:
        lines += ["", f"## grey_scale_kept ({len(grey)})", *grey]
    return "\n".join(lines) + "\n"
