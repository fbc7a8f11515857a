"""`hw3 data import`: the course's own face sets, turned into the layout `hw3 data render` writes.

Sources. The 33k set is `faces/{id}.jpg` with a `tags.csv` of `id,tag:count<TAB>tag:count...`
(read by `hw3.data.tag_files.read_full_tags`); the extra set is `images/{id}.jpg` with a
`tags.csv` of `id,<colour> hair <colour> eyes` (`read_extra_tags`). Either or both may be given.

Rules, each a reason in the import report (`import_report.txt`, every excluded row by FILE:LINE):
- `malformed`, `duplicate_id`: the tags line cannot be read, or reuses an id;
- `unknown_colour`: an extra-set row names a colour outside the course vocabulary (in the 33k
  set non-colour tags such as `long hair` and unknown colours such as `silver hair` are ignored);
- `no_colour_tag`: no hair colour or no eye colour; `several_colours`: more than one of either
  (a guess would be label noise, so such faces are left out rather than resolved);
- `missing_image`, `unreadable_image`, `corrupt_image`: the image file is absent, is not an
  image (or is larger than 4096 px a side), or stops decoding part-way (a truncated JPEG);
- `degenerate_image`: it would come in as a uniform face: smaller than 32 px a side, fully
  transparent, or one colour throughout;
- `duplicate_image`: the same 64 x 64 pixels as a face kept earlier (the 33k set comes first).
CRLF line endings and a UTF-8 byte-order mark are accepted; blank lines are skipped.

A grey-scale face is kept (its labels may be what the user means), with one warning and a count
and listing in the import report. Images: converted to RGB (16-bit grey scaled to 8 bits,
transparent pixels over white), centre-cropped to a square, resized to
64 x 64 with PIL's Lanczos filter (antialiased; the 96 x 96 faces lose no detail a 64 x 64
generator could use) and written as JPEG quality 95 with 4:4:4 chroma, like the renderer.

Merge: the two sources are pooled, 33k set first; each row keeps its own source's label. The
colours a source never labels (the extra set has no gray eyes) are listed per source in
`meta.json`, so a model trained on it alone is known not to have seen them.

Split (`split.py`): per (hair, eyes) pair, a seeded shuffle; held-out pairs go to the test split
only; other pairs give min(40, 20 %) of their faces to the test split, or none when that is
fewer than 5 (such pairs are listed in `meta.json` as too rare for a test set). The same inputs
and seed give byte-identical files.
"""
