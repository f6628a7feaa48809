"""Chinese text spelled in pinyin, as `minqing find` matches it (issue 19: find at a county's size).

A character is read every way pypinyin knows it: alone (曾 is ceng or zeng) and in any phrase of its dictionary (乐
is le or yue alone, lao in 乐亭). A name matches letters a clerk typed when consecutive characters spell them, each
by a prefix of one of its readings (zs, zhangs, zhangsan for 张三); characters without letters (a space, a dash)
are passed over. Reading each character on its own, rather than the name as pypinyin would segment it into
phrases, lets the index keep the readings of a county's few thousand distinct characters once (`readings`), so a
search spells 200,000 names without pypinyin: the NFA below runs over offsets into the letters, and `Speller.prefilter`
hands SQLite's text to a regular expression that only names with a character able to begin a spelling can match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

_SEPARATORS = re.compile(r"[\s'’·\-]+")


def letters(text: str) -> str:
    """Text lower-cased without the separators a clerk may type between syllables (zhang san, zhang-san)."""
    return _SEPARATORS.sub("", text.lower())


def readings(chars: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each character's readings in pinyin without tones, most common first: a character pypinyin cannot read is
    its own one reading, lower-cased (A → a, 4 → 4); one with no letters (a space, a dash) has none."""
    from pypinyin import Style, pinyin

    wanted = list(dict.fromkeys(chars))
    in_phrases = _phrase_readings(set(wanted))
    found: dict[str, tuple[str, ...]] = {}
    for char in wanted:
        groups = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda run: [c.lower() for c in run])
        options = [letters(reading) for group in groups for reading in group]
        options += in_phrases.get(char, ())
        found[char] = tuple(dict.fromkeys(option for option in options if option))
    return found


def _phrase_readings(chars: set[str]) -> dict[str, tuple[str, ...]]:
    """Character (of `chars`) -> the readings pypinyin's phrase dictionary gives it in its 47,000 phrases."""
    from pypinyin import Style
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.style import convert

    plain = functools.cache(lambda toned: letters(convert(toned, Style.NORMAL, True)))
    found: dict[str, dict[str, None]] = {}
    for phrase, groups in phrases_dict.items():
        if len(groups) == len(phrase) and not chars.isdisjoint(phrase):
            for char, group in zip(phrase, groups, strict=True):
                if char in chars:
                    found.setdefault(char, {}).update(dict.fromkeys(plain(toned) for toned in group))
    return {char: tuple(options) for char, options in found.items()}


# A step: the letters [start, end) of the query spelled by (a prefix of) one reading of one character.
Step = tuple[int, int]


class Speller:
    """Whether texts spell `query` (ASCII letters, lower case), given every character's readings.

    `full_only`: every syllable but the last must be typed in full (item descriptions are long: initials there would
    match half the ledger). A character missing from `char_readings` ends a spelling, as one whose readings hold no
    prefix of the letters does."""

    def __init__(self, query: str, char_readings: Mapping[str, tuple[str, ...]], full_only: bool = False):
        self.query = query
        self.size = len(query)
        self.char_readings = char_readings
        self.full_only = full_only
        self._steps: dict[tuple[str, ...], tuple[Step, ...]] = {}
        self._answers: dict[str, bool] = {}

    def steps(self, options: tuple[str, ...]) -> tuple[Step, ...]:
        """The steps a character with these readings can take, at any offset."""
        known = self._steps.get(options)
        if known is not None:
            return known
        query, size, found = self.query, self.size, set()
        for reading in options:
            for start in range(size):
                common = 0
                while (
                    common < len(reading)
                    and start + common < size
                    and reading[common] == query[start + common]
                ):
                    common += 1
                for taken in range(1, common + 1):
                    end = start + taken
                    if not self.full_only or taken == len(reading) or end == size:
                        found.add((start, end))
        steps = self._steps[options] = tuple(sorted(found))
        return steps

    def matches(self, text: str) -> bool:
        """True when consecutive characters of `text` spell the whole query (from any character on)."""
        answer = self._answers.get(text)
        if answer is None:
            answer = self._answers[text] = self._spells(text)
        return answer

    def _spells(self, text: str) -> bool:
        reached: set[int] = (
            set()
        )  # offsets into the query a spelling ending at the previous character reached
        for char in text:
            options = self.char_readings.get(char)
            if options == ():
                continue  # no letters: passed over
            steps = self.steps(options) if options else ()
            reached = {end for start, end in steps if start == 0 or start in reached}
            if self.size in reached:
                return True
        return False

    def prefilter(self) -> re.Pattern[str] | None:
        """A pattern that every text this speller matches contains: a character that can begin a spelling and,
        unless it spells every letter, the character after it (past those without letters) can take the next step.
        SQLite's concatenated names are searched with it in C; None: no text can match."""
        first: dict[int, list[str]] = {}  # end -> characters that spell query[0:end]
        then: dict[int, list[str]] = {}  # start -> characters with a step from `start`
        passed: list[str] = []
        for char, options in self.char_readings.items():
            if not options:
                passed.append(char)
                continue
            for start, end in self.steps(options):
                if start == 0:
                    first.setdefault(end, []).append(char)
                else:
                    then.setdefault(start, []).append(char)
        branches = []
        for end, chars in sorted(first.items()):
            if end == self.size:
                branches.append(f"(?<={_one_of(chars)})")
            elif end in then:
                skip = f"{_one_of(passed)}*" if passed else ""
                branches.append(f"(?<={_one_of(chars)}){skip}{_one_of(then[end])}")
        if not branches:
            return None
        starting = {char for chars in first.values() for char in chars}
        return re.compile(f"{_one_of(starting)}(?:{'|'.join(branches)})")


def _one_of(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(char) for char in sorted(set(chars))) + "]"
