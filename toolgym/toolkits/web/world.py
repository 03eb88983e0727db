"""The simulated web of one world: a shop, a wiki and a forum generated from one seed."""

from __future__ import annotations

import numpy as np
from faker import Faker

from toolgym.core.state import Database
from toolgym.toolkits.web.browser import Browser
from toolgym.toolkits.web.forum import ForumSite, populate_forum
from toolgym.toolkits.web.shop import ShopSite, populate_shop
from toolgym.toolkits.web.wiki import WikiSite, populate_wiki

__all__ = ["SIZES", "build_web"]

SIZES: dict[str, dict[str, int]] = {
    "small": {
        "products_min": 6,
        "products_max": 12,
        "reviews_max": 4,
        "accounts": 10,
        "orders_max": 6,
        "members": 20,
        "threads_min": 6,
        "threads_max": 12,
        "replies_max": 8,
        "cities": 6,
        "ranges": 3,
        "peaks_max": 4,
        "lakes": 6,
        "rivers": 6,
    },
    "default": {
        "products_min": 12,
        "products_max": 24,
        "reviews_max": 8,
        "accounts": 30,
        "orders_max": 12,
        "members": 50,
        "threads_min": 15,
        "threads_max": 30,
        "replies_max": 14,
        "cities": 15,
        "ranges": 5,
        "peaks_max": 6,
        "lakes": 15,
        "rivers": 15,
    },
    "large": {
        "products_min": 40,
        "products_max": 70,
        "reviews_max": 12,
        "accounts": 120,
        "orders_max": 20,
        "members": 200,
        "threads_min": 50,
        "threads_max": 90,
        "replies_max": 20,
        "cities": 50,
        "ranges": 15,
        "peaks_max": 8,
        "lakes": 45,
        "rivers": 45,
    },
}


def build_web(seed: int, size: str = "default") -> Browser:
    """Generate the three sites of ``seed`` and a browser on them (no page open yet)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(int(rng.integers(2**31)))
    db = Database()
    populate_shop(db, rng, fake, SIZES[size])
    coupons = [(c.id, c.percent, c.active) for c in db.tables["shop_coupons"].values()]
    populate_forum(db, rng, fake, SIZES[size], coupons)
    populate_wiki(db, rng, fake, SIZES[size])
    db.commit()
    return Browser(db, [ShopSite(db), WikiSite(db), ForumSite(db)])
