"""Tests for forum.privacy: per-kind table tests, labelled-set metrics, offsets and speed."""
from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from forum.privacy import REASONS, Finding, apply_suggestions, find_identifiers

LABELLED = Path(__file__).parent / "data" / "privacy_labelled.jsonl"
KINDS = ["email", "phone", "address", "date", "kin_name", "staff_name", "school", "full_name",
         "social_url"]


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    """(kind, text) of every finding in text."""
    return [(f.kind, f.text) for f in find_identifiers(text)]


POSITIVE = [
    ("email", "Write to me at jane.doe+iep@example.org please.", "jane.doe+iep@example.org"),
    ("email", "cc SPED_director@district.k12.tx.us on everything",
     "SPED_director@district.k12.tx.us"),
    ("phone", "Call me at (512) 555-0148 tonight.", "(512) 555-0148"),
    ("phone", "my cell 737.555.2211", "737.555.2211"),
    ("phone", "text +1 (614) 555-2390 anytime", "+1 (614) 555-2390"),
    ("address", "We live at 123 Oak Street near the park.", "123 Oak Street"),
    ("address", "Mail it to 45 W. Maple Ave, please.", "45 W. Maple Ave"),
    ("address", "Send it to PO Box 12.", "PO Box 12"),
    ("address", "the office at 900 South Congress Ave Suite 210",
     "900 South Congress Ave Suite 210"),
    ("date", "They told us on March 3rd.", "on March 3rd"),
    ("date", "The meeting is March 3 at noon.", "March 3"),
    ("date", "Signed 3/3/2025 by the team.", "3/3/2025"),
    ("date", "Hearing date 2025-03-03 confirmed.", "2025-03-03"),
    ("date", "It happened on the 3rd of March.", "on the 3rd of March"),
    ("date", "Our meeting is Tuesday, Oct. 14th.", "Tuesday, Oct. 14th"),
    ("kin_name", "my son Blake cried again", "my son Blake"),
    ("kin_name", "Our daughter, Emma, loves art.", "Our daughter, Emma,"),
    ("kin_name", "her name is Ava and she is 7", "Ava"),
    ("kin_name", "My 6 year old Liam has apraxia.", "My 6 year old Liam"),
    ("kin_name", "my husband Dave came too", "my husband Dave"),
    ("kin_name", "his sister Mia is older", "his sister Mia"),
    ("kin_name", "my twins Noah and Ethan", "my twins Noah and Ethan"),
    ("kin_name", "Our son (Jace) is 8.", "Our son (Jace)"),
    ("kin_name", "My son—Declan—has eloped.", "My son—Declan—"),
    ("kin_name", "DS Ethan, 11, has dyslexia.", "DS Ethan"),
    ("kin_name", "my daughter kayla is shy", "my daughter kayla"),
    ("staff_name", "Mr. T is his aide.", "Mr. T"),
    ("staff_name", "Principal Dr. Hayes said no.", "Principal Dr. Hayes"),
    ("staff_name", "Tina from the district office called.", "Tina"),
    ("staff_name", "His aide Marisol is kind.", "His aide Marisol"),
    ("staff_name", "Jorge Martinez, the transition coordinator, called.",
     "Jorge Martinez, the transition coordinator,"),
    ("staff_name", "Then Mrs. Alvarez called.", "Mrs. Alvarez"),
    ("staff_name", "We love Ms Kim.", "Ms Kim"),
    ("staff_name", "Principal Moore refused.", "Principal Moore"),
    ("staff_name", "We saw Dr. Patel.", "Dr. Patel"),
    ("staff_name", "his teacher Ms. Kim sent a note", "his teacher Ms. Kim"),
    ("staff_name", "Coach Davis benched him.", "Coach Davis"),
    ("staff_name", "the case manager, Jenna Smith, was absent", "the case manager, Jenna Smith,"),
    ("school", "He goes to Lincoln Elementary now.", "Lincoln Elementary"),
    ("school", "Jefferson Middle School called.", "Jefferson Middle School"),
    ("school", "Springfield Unified School District said no.",
     "Springfield Unified School District"),
    ("school", "We are in Round Rock ISD.", "Round Rock ISD"),
    ("school", "She starts at Oak Hill High soon.", "Oak Hill High"),
    ("school", "St. Mary's Academy said no.", "St. Mary's Academy"),
    ("school", "He moved to P.S. 321 last year.", "P.S. 321"),
    ("date", "The meeting is on 3rd March.", "on 3rd March"),
    ("full_name", "I talked with Jenna Smith today.", "Jenna Smith"),
    ("full_name", "Has anyone met Brian O'Connor?", "Brian O'Connor"),
    ("full_name", "Priya Patel did the evaluation.", "Priya Patel"),
    ("social_url", "see facebook.com/jenna.smith.77", "facebook.com/jenna.smith.77"),
    ("social_url", "https://www.instagram.com/our_journey/ has more",
     "https://www.instagram.com/our_journey/"),
    ("social_url", "on x.com/iepmom now", "x.com/iepmom"),
    ("social_url", "old twitter.com/spedparent", "twitter.com/spedparent"),
    ("social_url", "video: tiktok.com/@liamtalks", "tiktok.com/@liamtalks"),
    ("social_url", "linkedin.com/in/jenna-smith is me", "linkedin.com/in/jenna-smith"),
]

NEGATIVE = [
    ("date", "In March we met with the whole team."),
    ("date", "May I ask how long your evaluation took?"),
    ("date", "Mother's Day was hard this year."),
    ("date", "We have been fighting since 2022."),
    ("date", "We met in March 2024 and again in May."),
    ("date", "He finished 3/4 of the worksheet."),
    ("date", "He is in a 12:1:1 class for the 2024-2025 school year."),
    ("phone", "He scored 85 on the 2024 test, IDEA section 300.503."),
    ("kin_name", "my son will be fine, my daughter may join later."),
    ("kin_name", "My son and I went; my daughter ADHD diagnosis came late."),
    ("kin_name", "My son J has a new aide."),
    ("kin_name", "Our local DS Association runs a buddy walk."),
    ("kin_name", "Parent to Parent matched us with a mentor."),
    ("kin_name", "my son (Autism Level 2) struggles with transitions."),
    ("staff_name", "Dr. Seuss week is coming up."),
    ("staff_name", "We watch Ms. Rachel every morning."),
    ("staff_name", "He qualifies for Special Education services."),
    ("staff_name", "Grace period ends Friday."),
    ("staff_name", "I consulted Dr. Google at 2am."),
    ("staff_name", "I have a dr appointment Monday."),
    ("school", "Sunday School was his favorite."),
    ("school", "Extended School Year was denied."),
    ("school", "In High School things got harder."),
    ("school", "He uses Khan Academy for math."),
    ("full_name", "Always request Prior Written Notice."),
    ("full_name", "We moved here from New York, United States."),
    ("full_name", "Summer Camp filled up fast."),
    ("full_name", "Least Restrictive Environment matters."),
    ("full_name", "We met on Google Meet with Autism Speaks staff."),
    ("full_name", "Hope this helps. Will they listen? Mark my words."),
    ("full_name", "Thanks Lee for the tip; we live near Lincoln Park."),
    ("full_name", "I read Ross Greene and watched Harry Potter with him."),
    ("email", "Email the district about it @ the office."),
    ("social_url", "We use the fax.com/form and box.com/share links."),
    ("address", "He gets 30 minutes of Speech twice a week."),
]


@pytest.mark.parametrize(("kind", "text", "expected"), POSITIVE)
def test_positive(kind: str, text: str, expected: str) -> None:
    """Each positive example yields a finding of that kind with the exact text."""
    assert (kind, expected) in kinds_and_texts(text)


@pytest.mark.parametrize(("kind", "text"), NEGATIVE)
def test_negative(kind: str, text: str) -> None:
    """Each trap yields no finding of that kind."""
    assert [f for f in find_identifiers(text) if f.kind == kind] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("my son Blake cried", "my son cried"),
    ("Our daughter, Emma, loves art.", "Our daughter loves art."),
    ("Principal Moore refused.", "The principal refused."),
    ("his teacher Ms. Kim sent a note", "his teacher sent a note"),
    ("Mr. Johnson the bus driver saw it.", "The bus driver saw it."),
    ("He is at Lincoln Elementary.", "He is at [his school]."),
    ("She is at Lincoln Elementary.", "She is at [her school]."),
    ("Lincoln Elementary is nice.", "[the school] is nice."),
    ("We are in Round Rock ISD.", "We are in [our district]."),
    ("It was March 3rd.", "It was in early March."),
    ("It was on March 15.", "It was in mid-March."),
    ("Since Jan 28, 2025 nothing.", "Since late January 2025 nothing."),
    ("Signed 12/05/24.", "Signed in early December."),
    ("Mail jo@x.org or 512-555-0148", "Mail [email removed] or [phone removed]"),
    ("See facebook.com/jo now", "See [link removed] now"),
    ("At 12 Oak St today", "At [address removed] today"),
    ("Ask Jenna Smith.", "Ask [name]."),
    ("Our son (Jace) is 8.", "Our son is upper-elementary age."),  # ages too (issue 16)
    ("My son—Declan—has eloped.", "My son has eloped."),
    ("Our daughter (13) Avery refuses.", "Our daughter (middle-school-age) refuses."),
    ("Tina from the district office called.", "Someone from the district office called."),
    ("Principal Dr. Hayes said no.", "The principal said no."),
])
def test_suggestions(text: str, expected: str) -> None:
    """apply_suggestions produces the expected privacy-preserving rewrite."""
    assert apply_suggestions(text, find_identifiers(text)) == expected


def load_labelled() -> list[dict]:
    """Rows of the labelled set."""
    with LABELLED.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_labelled_set_is_well_formed() -> None:
    """The labelled set is large enough and every span is a substring of its text."""
    rows = load_labelled()
    assert len(rows) >= 170
    assert sum(1 for r in rows if not r["spans"]) >= 60
    for row in rows:
        for span in row["spans"]:
            assert span["kind"] in KINDS and span["text"] in row["text"], row


# Kinds added after this set was labelled (issue 16): a child's exact age is not labelled
# here, so age findings are left out of this set's count; a bare "name" finding is right
# where the set labels a person by any of its three person kinds.
UNLABELLED_KINDS = {"age"}
PERSON_KINDS = {"kin_name", "staff_name", "full_name"}


def _same(gold: str, found: str) -> bool:
    return gold == found or (found == "name" and gold in PERSON_KINDS)


def evaluate(rows: list[dict]) -> tuple[Counter, Counter, Counter, Counter, list[str]]:
    """Count matched/total findings and spans per kind; list the errors."""
    found, found_ok, gold, gold_ok = Counter(), Counter(), Counter(), Counter()
    errors: list[str] = []
    for row in rows:
        text = row["text"]
        spans = []
        for span in row["spans"]:
            start = text.index(span["text"])
            spans.append((span["kind"], start, start + len(span["text"])))
        findings = [f for f in find_identifiers(text) if f.kind not in UNLABELLED_KINDS]
        for f in findings:
            found[f.kind] += 1
            if any(_same(k, f.kind) and f.start < e and s < f.end for k, s, e in spans):
                found_ok[f.kind] += 1
            else:
                errors.append(f"FP {f.kind:<10} {f.text!r:<40} in {text!r}")
        for k, s, e in spans:
            gold[k] += 1
            if any(_same(k, f.kind) and f.start < e and s < f.end for f in findings):
                gold_ok[k] += 1
            else:
                errors.append(f"FN {k:<10} {text[s:e]!r:<40} in {text!r}")
    return found, found_ok, gold, gold_ok, errors


def test_labelled_metrics() -> None:
    """Precision/recall on the labelled set meet the targets; the table is printed."""
    found, found_ok, gold, gold_ok, errors = evaluate(load_labelled())

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    print(f"\n{'kind':<12}{'prec':>7}{'recall':>8}{'found':>7}{'gold':>6}")
    for kind in KINDS + ["name", "overall"]:
        if kind == "overall":
            fo, f, go, g = (sum(c.values()) for c in (found_ok, found, gold_ok, gold))
        else:
            fo, f, go, g = found_ok[kind], found[kind], gold_ok[kind], gold[kind]
        print(f"{kind:<12}{ratio(fo, f):>7.2f}{ratio(go, g):>8.2f}{f:>7}{g:>6}")
    print("\n".join(errors))
    overall_p = ratio(sum(found_ok.values()), sum(found.values()))
    overall_r = ratio(sum(gold_ok.values()), sum(gold.values()))
    # Issue 16: whole-post work must not cost this set anything (218/219 and 217/219 before).
    assert overall_r >= 0.99
    assert overall_p >= 0.99
    for kind in ("email", "phone", "kin_name"):
        assert ratio(gold_ok[kind], gold[kind]) >= 0.95, kind


def test_offsets_are_exact_sorted_and_disjoint() -> None:
    """text[start:end] == finding.text; findings sorted and non-overlapping; reasons set."""
    for row in load_labelled():
        text = row["text"]
        findings = find_identifiers(text)
        for f in findings:
            assert isinstance(f, Finding) and text[f.start:f.end] == f.text
            assert f.reason == REASONS[f.kind] and f.reason.endswith(".")
        for a, b in zip(findings, findings[1:], strict=False):
            assert a.end <= b.start


def test_apply_suggestions_removes_everything() -> None:
    """The canonical distressed sentence loses its name, school, principal and date."""
    text = "my son Blake at Lincoln Elementary, Principal Moore told us on March 3rd"
    findings = find_identifiers(text)
    assert {f.kind for f in findings} == {"kin_name", "school", "staff_name", "date"}
    out = apply_suggestions(text, findings)
    print("\n" + out)
    for secret in ("Blake", "Lincoln", "Elementary", "Moore", "3rd"):
        assert secret not in out
    assert "my son" in out and "the principal" in out and "early March" in out


def adversarial_inputs() -> dict[str, str]:
    """20,000-character inputs aimed at regex backtracking and the phone matcher."""
    rng = random.Random(7)
    n = 20_000
    words = ["my", "son", "Blake", "Mr.", "Dr", "Lincoln", "Elementary", "March", "3rd", "on",
             "the", "of", "123", "Oak", "Street", "@", "a.b", "facebook.com/", "(555)", "555-0148",
             "Jenna", "Smith", "School", "District", ",", "and", "teacher", "1/2", "2025-03-03"]
    mixed = " ".join(rng.choice(words) for _ in range(n // 4))
    return {
        "letters": "a" * n,
        "word chars then @": "a" * (n - 1) + "@",
        "dotted": "a." * (n // 2),
        "digits": "1" * n,
        "digit groups": "1 " * (n // 2),
        "phone-ish": "(555) " * (n // 6),
        "capitalised words": "Aaaa " * (n // 5),
        "school-ish": "Lincoln Oak Hill Cedar " * (n // 23),
        "titles": "Mr. " * (n // 4),
        "kin": "my son " * (n // 7),
        "address-ish": "123 Oak Maple Elm " * (n // 18),
        "url-ish": "facebook.com/" + "a" * (n - 14) + ".",
        "mixed": mixed[:n],
    }


def test_adversarial_speed() -> None:
    """Every 20,000-char adversarial input finishes; timings are printed, not asserted."""
    print()
    for name, text in adversarial_inputs().items():
        t0 = time.perf_counter()
        find_identifiers(text)
        ms = (time.perf_counter() - t0) * 1000
        print(f"{name:<20} {len(text):>6} chars {ms:8.1f} ms")
    post = " ".join(row["text"] for row in load_labelled())
    post = (post * (20_000 // len(post) + 1))[:20_000]
    t0 = time.perf_counter()
    found = find_identifiers(post)
    print(f"{'realistic post':<20} {len(post):>6} chars {(time.perf_counter() - t0) * 1000:8.1f} ms"
          f" ({len(found)} findings)")
