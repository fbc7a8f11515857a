"""Data: the procedural anime-face renderer, tag-file parsers and the cached image data set."""
