"""Realistic post text for the benchmark dataset, rendered fast.

Rendering Markdown through bleach costs a few milliseconds a post, far too
slow for 100,000 posts. So bodies are built from a pool of Markdown blocks
(paragraphs, lists, quotes), each rendered once with the app's own
render_markdown(); a body's HTML is the concatenation of its blocks' HTML.
That equals render_markdown(body) because blank-line-separated blocks render
independently, except two lists in a row (they would merge): never placed
next to each other. dataset.py re-renders a sample of posts to prove it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from forum.text import render_markdown

SEED_FILE = Path(__file__).resolve().parent.parent / "forum" / "dev" / "seed_data.json"

CHILD = [
    "my son",
    "my daughter",
    "our kid",
    "my youngest",
    "my oldest",
    "my stepson",
    "our daughter",
]
GRADE = [
    "in kindergarten",
    "in second grade",
    "in fourth grade",
    "in middle school",
    "in 7th grade",
    "in high school",
    "in preschool",
    "in a co-taught class",
    "in a resource room",
]
NEED = [
    "dyslexia",
    "ADHD",
    "autism",
    "a speech delay",
    "anxiety",
    "dysgraphia",
    "a processing disorder",
    "fine motor delays",
    "a hearing impairment",
    "executive function problems",
]
SERVICE = [
    "speech therapy",
    "OT",
    "a one-to-one aide",
    "pull-out reading support",
    "counseling",
    "extended time on tests",
    "a behavior plan",
    "assistive technology",
    "social skills group",
    "extended school year",
    "a quiet place to take breaks",
    "a reading specialist",
]
PERSON = [
    "the case manager",
    "the principal",
    "the school psychologist",
    "the special ed director",
    "his teacher",
    "her teacher",
    "the speech therapist",
    "the district rep",
    "our advocate",
    "the OT",
    "the team",
]
VERB = [
    "said",
    "told us",
    "wrote in the notes",
    "insisted",
    "agreed",
    "promised",
    "suggested",
    "finally admitted",
    "emailed me",
]
CLAIM = [
    "the data doesn't show a need",
    "they can't offer that at this school",
    "we should wait and see until the next report card",
    "the minutes would be cut",
    "an evaluation would take another 60 days",
    "the goals were met",
    "the aide would be shared with two other students",
    "progress was 'adequate'",
    "the services were being provided all along",
    "a private evaluation is not required",
]
ADVICE = [
    "Ask for it in writing.",
    "Request prior written notice.",
    "Keep a log of every email.",
    "Bring someone with you to the meeting.",
    "Ask to see the data behind the goals.",
    "You can ask for an IEP meeting at any time.",
    "Don't sign anything at the table.",
    "Request the full evaluation report before the meeting.",
    "Ask what the progress monitoring looks like week to week.",
    "Write a parent concerns letter and ask for it to be attached.",
]
FEELING = [
    "I left the meeting in tears.",
    "Honestly I'm exhausted.",
    "I felt completely steamrolled.",
    "It was the first good meeting we've had in years.",
    "I'm not sure what to do next.",
    "I am so grateful for this group.",
    "We are cautiously hopeful.",
    "I keep second-guessing myself.",
    "I finally feel heard.",
]
TIME = [
    "Last week",
    "Yesterday",
    "This morning",
    "At the annual review",
    "Two months ago",
    "In March",
    "Over the summer",
    "After the last progress report",
    "At the 30-day review",
]
LINKS = [
    "https://www.parentcenterhub.org/find-your-center/",
    "https://sites.ed.gov/idea/",
    "https://www.wrightslaw.com/",
    "https://www.understood.org/",
]
TITLE_START = [
    "Help with",
    "Question about",
    "Update on",
    "Advice needed:",
    "Finally a win with",
    "Struggling with",
    "How do you handle",
    "What worked for us:",
    "Is this normal?",
]
TITLE_END = [
    "the annual review",
    "a reduced schedule",
    "getting an aide",
    "the reevaluation",
    "speech minutes being cut",
    "a behavior plan",
    "transition planning",
    "an IEE request",
    "services not delivered",
    "the move to middle school",
    "a manifestation meeting",
    "extended school year",
    "reading goals",
    "homework accommodations",
]


def _sentence(rng: random.Random) -> str:
    shape = rng.randrange(7)
    if shape == 0:
        return (
            f"{rng.choice(TIME)}, {rng.choice(PERSON)} {rng.choice(VERB)} that {rng.choice(CLAIM)}."
        )
    if shape == 1:
        return (
            f"{rng.choice(CHILD).capitalize()} is {rng.choice(GRADE)} and has {rng.choice(NEED)}, "
            f"and we have been asking for {rng.choice(SERVICE)} since the fall."
        )
    if shape == 2:
        return rng.choice(ADVICE)
    if shape == 3:
        return rng.choice(FEELING)
    if shape == 4:
        return (
            f"We asked for {rng.choice(SERVICE)} and {rng.choice(PERSON)} {rng.choice(VERB)} "
            f"that {rng.choice(CLAIM)}."
        )
    if shape == 5:
        return (
            f"What helped us with {rng.choice(NEED)} was **{rng.choice(SERVICE)}**, "
            f"written into the IEP with minutes and a start date."
        )
    return (
        f"Has anyone had {rng.choice(PERSON)} say that {rng.choice(CLAIM)}? "
        f"I'd love to hear how you handled it."
    )


def _generated_block(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.08:
        return "\n".join(f"- {rng.choice(ADVICE)}" for _ in range(rng.randint(2, 4)))
    if shape < 0.12:
        return f"> {_sentence(rng)}"
    if shape < 0.16:
        return f"{_sentence(rng)} This helped us a lot: {rng.choice(LINKS)}"
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))


def _seed_blocks() -> list[str]:
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    bodies = [t["body"] for t in data["threads"]]
    bodies += [r["body"] for t in data["threads"] for r in t.get("replies", [])]
    return [b.strip() for body in bodies for b in body.split("\n\n") if b.strip()]


def _is_list(block: str) -> bool:
    first = block.lstrip().split(" ", 1)[0]
    return first in ("-", "*", "+") or (first[:-1].isdigit() and first[-1:] in ".)")


@dataclass
class Block:
    markdown: str
    html: str
    words: int
    is_list: bool


class Corpus:
    """A pool of rendered blocks; body() draws from it."""

    def __init__(self, rng: random.Random, size: int = 3000):
        sources = _seed_blocks() + [_generated_block(rng) for _ in range(size)]
        self.blocks = [
            Block(src, str(render_markdown(src)), len(src.split()), _is_list(src))
            for src in sources
        ]
        self.rng = rng

    def body(self, min_words: int = 50, max_words: int = 300) -> tuple[str, str]:
        """(markdown, html) of a post of about min_words..max_words words."""
        target = self.rng.randint(min_words, max_words)
        chosen: list[Block] = []
        words = 0
        while words < target:
            block = self.rng.choice(self.blocks)
            if block.is_list and chosen and chosen[-1].is_list:
                continue
            if words + block.words > max_words:
                if words >= min_words:
                    break
                continue
            chosen.append(block)
            words += block.words
        return "\n\n".join(b.markdown for b in chosen), "".join(b.html for b in chosen)

    def title(self) -> str:
        return f"{self.rng.choice(TITLE_START)} {self.rng.choice(TITLE_END)}"
