"""Spelling distance between a word and a colour name: Damerau–Levenshtein (restricted to
adjacent transpositions) where a doubled or dropped letter costs half an edit.

`spelling_distance('bleu', 'blue')` is 1 (one transposition), `('yelow', 'yellow')` and
`('bluee', 'blue')` are 0.5 (a dropped or doubled letter), `('greay', 'gray')` is 1 and
`('greay', 'green')` 2. Written here because the kept libraries (rapidfuzz, jellyfish) give unit
costs only, and half-cost doubling is what tells 'gren' (green) from 'grey'.
"""

from __future__ import annotations

DOUBLED_LETTER_COST = 0.5  # inserting or deleting a letter next to the same letter


def spelling_distance(word: str, name: str) -> float:
    """Edits that turn `word` into `name`: insert, delete, substitute, swap two adjacent letters."""
    rows, columns = len(word) + 1, len(name) + 1
    distance = [[0.0] * columns for _ in range(rows)]  # distance[i][j]: word[:i] -> name[:j]
    for i in range(1, rows):
        distance[i][0] = distance[i - 1][0] + _indel_cost(word, i - 1)
    for j in range(1, columns):
        distance[0][j] = distance[0][j - 1] + _indel_cost(name, j - 1)
    for i in range(1, rows):
        for j in range(1, columns):
            best = min(
                distance[i - 1][j] + _indel_cost(word, i - 1),  # drop word[i-1]
                distance[i][j - 1] + _indel_cost(name, j - 1),  # add name[j-1]
                distance[i - 1][j - 1] + (word[i - 1] != name[j - 1]),  # keep or substitute
            )
            if i > 1 and j > 1 and word[i - 1] == name[j - 2] and word[i - 2] == name[j - 1] != name[j - 2]:
                best = min(best, distance[i - 2][j - 2] + 1)  # swap two adjacent letters
            distance[i][j] = best
    return distance[-1][-1]


def _indel_cost(text: str, index: int) -> float:
    """Half an edit for a letter beside its own double ('l' in 'yellow'), one for any other."""
    letter = text[index]
    doubled = (index > 0 and text[index - 1] == letter) or (index + 1 < len(text) and text[index + 1] == letter)
    return DOUBLED_LETTER_COST if doubled else 1.0
