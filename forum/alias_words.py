"""The words anonymous aliases are made of: an adjective and an animal ("Gentle Heron").

Shared by forum.threads (which builds aliases) and forum.accounts (which
refuses usernames that read like one), so it sits below both. The words are
plain and friendly: nothing that mocks, nothing that is slang for something
else, no colours (they can read as remarks about people), no first names.
"""

from __future__ import annotations

import re

ADJECTIVES = tuple(
    """Agile Amiable Ardent Attentive Blithe Bold Brave Breezy Bright Bubbly Buoyant Calm
    Candid Careful Caring Cheerful Chipper Clever Cordial Cozy Curious Dapper Daring Dauntless
    Dazzling Devoted Diligent Dreamy Eager Easygoing Elegant Energetic Faithful Fearless Festive
    Friendly Gallant Generous Gentle Genial Giving Glad Gleeful Graceful Gracious Grateful Hardy
    Hearty Helpful Honest Hopeful Humble Jaunty Jolly Jovial Joyful Jubilant Keen Kind Lively
    Loyal Lucky Mellow Mindful Modest Nimble Noble Patient Peaceful Placid Playful Plucky Polite
    Quiet Radiant Relaxed Resilient Resolute Serene Sincere Snug Sparkling Spirited Splendid
    Spry Steadfast Steady Sturdy Sunlit Tender Thankful Thoughtful Tidy Tranquil Trusty Upbeat
    Valiant Vibrant Vivid Warm Watchful Wise Witty Wonderful Zesty""".split()
)
ANIMALS = tuple(
    """Alpaca Antelope Badger Bison Bluebird Bobcat Butterfly Canary Cardinal Caribou Chickadee
    Chipmunk Condor Crane Cricket Curlew Dolphin Dove Dragonfly Eagle Egret Elk Falcon Fawn
    Finch Firefly Flamingo Fox Gazelle Gecko Giraffe Goldfinch Gopher Grebe Hare Hedgehog Heron
    Hummingbird Ibis Jackrabbit Kestrel Kingfisher Koala Ladybug Lark Lemur Llama Lynx Magpie
    Mallard Manatee Marmot Marten Meerkat Moose Narwhal Nightingale Nuthatch Ocelot Okapi Orca
    Oriole Osprey Otter Owl Panda Pelican Penguin Pheasant Pika Platypus Plover Puffin Quail
    Quokka Rabbit Raccoon Raven Reindeer Robin Salamander Sandpiper Seahorse Seal Sparrow
    Squirrel Starling Stork Swallow Swan Tanager Tern Tortoise Toucan Turtle Vole Walrus
    Warbler Wombat Wren Yak Zebra""".split()
)
COMBINATIONS = len(ADJECTIVES) * len(ANIMALS)

_ADJECTIVES = frozenset(w.casefold() for w in ADJECTIVES)
_ANIMALS = frozenset(w.casefold() for w in ANIMALS)
_NOT_LETTER = re.compile(r"[^a-z]+")


def looks_like_alias(name: str) -> bool:
    """Whether a name reads as an alias once separators and digits are dropped:
    "Gentle_Heron", "gentle.heron2", "HeronGentle" and "GentleHeron" all do."""
    letters = _NOT_LETTER.sub("", name.casefold())
    for cut in range(1, len(letters)):
        head, tail = letters[:cut], letters[cut:]
        if (head in _ADJECTIVES and tail in _ANIMALS) or (head in _ANIMALS and tail in _ADJECTIVES):
            return True
    return False
