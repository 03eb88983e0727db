"""``forum.test``: a discussion forum with boards, paginated threads, profiles and settings.

Anyone can read; members sign in to start threads, reply, like posts and change their settings.
The Announcements board carries the shop's partner coupon, so some tasks cross sites.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
from faker import Faker

from toolgym.core.state import Database, Record
from toolgym.toolkits.web.server import (
    MemberSite,
    Request,
    Response,
    checkbox,
    esc,
    field_row,
    link,
    pager,
    paginate,
    route,
    select,
    table,
    textarea,
)

__all__ = ["BOARDS", "Board", "ForumSite", "Like", "Post", "Thread", "User", "populate_forum"]

TODAY = "2026-05-15"
THREADS_PER_PAGE = 10
POSTS_PER_PAGE = 5
BOARDS = (
    ("announcements", "Announcements", "News from the forum team and our partners."),
    ("general", "General discussion", "Anything about gadgets."),
    ("help", "Help and support", "Ask the community for help."),
    ("marketplace", "Marketplace", "Buy, sell and swap."),
    ("offtopic", "Off-topic", "Everything else."),
)
TIMEZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
GADGETS = (
    "laptop", "phone", "tablet", "smartwatch", "camera", "router", "monitor", "keyboard",
    "headset", "drone", "e-reader", "speaker",
)  # fmt: skip
TITLES = {
    "general": (
        "What {g} do you use for {w}?",
        "Thoughts on {b}'s new {g}",
        "Is a {g} worth it in 2026?",
        "Show us your {w} setup",
        "{b} vs {c}: which {g}?",
    ),
    "help": (
        "My {g} keeps disconnecting",
        "{b} {g} will not turn on",
        "Battery drain on my {g}",
        "How do I reset a {b} {g}?",
        "Screen flicker on {g} after update",
    ),
    "marketplace": (
        "Selling: {b} {g}, barely used",
        "WTB: cheap {g} for {w}",
        "Swap my {g} for a {h}?",
        "Free to a good home: old {g}",
    ),
    "offtopic": (
        "Favourite {w} spots?",
        "What are you reading this {m}?",
        "Best {w} tips",
        "Anyone into {w}?",
    ),
}
T = TypeVar("T")


class User(Record):
    id: str
    password: str
    display_name: str
    email: str
    joined: str
    location: str
    signature: str
    notify: bool
    timezone: str


class Board(Record):
    id: str
    name: str
    description: str


class Thread(Record):
    id: str
    board: str
    title: str
    author: str
    created: str
    pinned: bool = False


class Post(Record):
    id: str
    thread: str
    author: str
    date: str
    body: str


class Like(Record):
    id: str
    post: str
    user: str


class ForumSite(MemberSite):
    """The forum. Usernames are account ids; posts are numbered in their thread by id order."""

    host = "forum.test"
    title = "Gadget Talk Forum"

    def __init__(self, db: Database) -> None:
        super().__init__(db, "forum_users")
        self.users = self.accounts
        self.boards = db.tables["forum_boards"]
        self.threads = db.tables["forum_threads"]
        self.posts = db.tables["forum_posts"]
        self.likes = db.tables["forum_likes"]

    def nav(self, request: Request) -> list[tuple[str, str]]:
        links = [("/", "Boards"), ("/search", "Search")]
        if request.user is None:
            return [*links, ("/login", "Sign in")]
        return [*links, (f"/u/{request.user}", "My profile"), ("/settings", "Settings")]

    def _posts(self, thread_id: str) -> list[Post]:
        return sorted(self.posts.where(thread=thread_id), key=lambda p: int(p.id))

    @route("GET", "/")
    def home(self, request: Request) -> Response:
        board_of = {t.id: t.board for t in self.threads.values()}
        threads = Counter(board_of.values())
        posts = Counter(board_of[p.thread] for p in self.posts.values())
        rows = [
            (
                link(f"/b/{board.id}", board.name),
                esc(board.description),
                str(threads[board.id]),
                str(posts[board.id]),
            )
            for board in self.boards.values()
        ]
        body = f"<h1>{esc(self.title)}</h1>" + table(("Board", "About", "Threads", "Posts"), rows)
        return self.page(request, "Boards", body)

    def _thread_rows(self, threads: Sequence[Thread]) -> list[tuple[str, ...]]:
        counts = Counter(p.thread for p in self.posts.values())
        rows = []
        for thread in threads:
            replies = counts[thread.id] - 1
            title = ("Pinned: " if thread.pinned else "") + link(f"/t/{thread.id}", thread.title)
            rows.append(
                (title, link(f"/u/{thread.author}", thread.author), str(replies), thread.created)
            )
        return rows

    @route("GET", r"/b/(?P<slug>[a-z]+)")
    def board(self, request: Request, slug: str, error: str = "", status: int = 200) -> Response:
        board = self.boards.get(slug)
        if board is None:
            return self.error(request, 404, f"There is no board called '{slug}'.")
        threads = sorted(
            self.threads.where(board=slug), key=lambda t: (t.created, int(t.id)), reverse=True
        )
        threads.sort(key=lambda t: not t.pinned)  # pinned first, each group newest first
        shown, page, pages = paginate(threads, request.page(), THREADS_PER_PAGE)
        if request.user is None:
            start = f"<p>{link(f'/login?next=/b/{slug}', 'Sign in to start a thread')}</p>"
        else:
            start = (
                f'<h2>Start a new thread</h2><form method="post" action="/b/{slug}/new" '
                'aria-label="New thread">'
                + field_row("new", "title", "Thread title")
                + textarea("new", "body", "Message")
                + '<button type="submit">Create thread</button></form>'
            )
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        body = (
            f"<h1>{esc(board.name)}</h1>{alert}<p>{esc(board.description)} "
            f"{len(threads)} threads.</p>"
            + table(("Thread", "Started by", "Replies", "Started on"), self._thread_rows(shown))
            + pager(f"/b/{slug}", page, pages)
            + start
        )
        return self.page(request, board.name, body, status)

    @route("GET", r"/t/(?P<tid>\d+)")
    def thread(self, request: Request, tid: str, error: str = "", status: int = 200) -> Response:
        thread = self.threads.get(tid)
        if thread is None:
            return self.error(request, 404, f"There is no thread {tid}.")
        posts = self._posts(tid)
        shown, page, pages = paginate(posts, request.page(), POSTS_PER_PAGE)
        first = (page - 1) * POSTS_PER_PAGE
        fans: dict[str, list[str]] = {post.id: [] for post in shown}
        for like in self.likes.values():
            if like.post in fans:
                fans[like.post].append(like.user)
        articles = "".join(
            self._post(request, post, first + i + 1, fans[post.id]) for i, post in enumerate(shown)
        )
        if request.user is None:
            reply = f"<p>{link(f'/login?next=/t/{tid}', 'Sign in to reply')}</p>"
        else:
            reply = (
                f'<form method="post" action="/t/{tid}/reply" aria-label="Reply">'
                + textarea("reply", "body", "Your reply")
                + '<button type="submit">Post reply</button></form>'
            )
        board = self.boards[thread.board]
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        body = (
            f"<h1>{esc(thread.title)}</h1>{alert}"
            f"<p>In {link(f'/b/{board.id}', board.name)}, {len(posts)} posts.</p>"
            + articles
            + pager(f"/t/{tid}", page, pages)
            + reply
        )
        return self.page(request, thread.title, body, status)

    def _post(self, request: Request, post: Post, number: int, likes: list[str]) -> str:
        mine = request.user is not None and request.user in likes
        button = ""
        if request.user is not None:
            button = (
                f'<form method="post" action="/p/{post.id}/like" aria-label="Like post {number}">'
                f'<button type="submit">{"Unlike" if mine else "Like"}</button></form>'
            )
        return (
            f"<article><p>#{number} by {link(f'/u/{post.author}', post.author)} on {post.date}"
            f"</p><p>{esc(post.body)}</p><p>{len(likes)} likes</p>{button}</article>"
        )

    # ------------------------------------------------------------- members
    @route("POST", r"/b/(?P<slug>[a-z]+)/new")
    def new_thread(self, request: Request, slug: str) -> Response:
        if (guard := self.require_login(request, f"/b/{slug}")) is not None:
            return guard
        if slug not in self.boards:
            return self.error(request, 404, f"There is no board called '{slug}'.")
        title, text = " ".join(request.arg("title").split()), request.arg("body")
        if not title or not text:
            return self.board(request, slug, "A thread needs a title and a message.", 400)
        tid = str(self.db.next_id("forum_thread", 9001))
        self.threads.insert(
            Thread(id=tid, board=slug, title=title, author=request.user, created=TODAY)
        )  # type: ignore[arg-type]
        self._add_post(tid, request.user, text)  # type: ignore[arg-type]
        return self.redirect(f"/t/{tid}")

    def _add_post(self, thread_id: str, author: str, text: str) -> None:
        pid = str(self.db.next_id("forum_post", 900001))
        body = " ".join(text.split())
        self.posts.insert(Post(id=pid, thread=thread_id, author=author, date=TODAY, body=body))

    @route("POST", r"/t/(?P<tid>\d+)/reply")
    def reply(self, request: Request, tid: str) -> Response:
        if (guard := self.require_login(request, f"/t/{tid}")) is not None:
            return guard
        if tid not in self.threads:
            return self.error(request, 404, f"There is no thread {tid}.")
        text = request.arg("body")
        if not text:
            return self.thread(request, tid, "Write something before posting.", 400)
        self._add_post(tid, request.user, text)  # type: ignore[arg-type]
        pages = -(-len(self.posts.where(thread=tid)) // POSTS_PER_PAGE)
        return self.redirect(f"/t/{tid}?page={pages}")

    @route("POST", r"/p/(?P<pid>\d+)/like")
    def like(self, request: Request, pid: str) -> Response:
        post = self.posts.get(pid)
        if post is None:
            return self.error(request, 404, f"There is no post {pid}.")
        posts = self._posts(post.thread)
        page = [p.id for p in posts].index(pid) // POSTS_PER_PAGE + 1
        back = f"/t/{post.thread}?page={page}"
        if (guard := self.require_login(request, back)) is not None:
            return guard
        key = f"{pid}/{request.user}"
        if key in self.likes:
            self.likes.delete(key)
        else:
            self.likes.insert(Like(id=key, post=pid, user=request.user))  # type: ignore[arg-type]
        return self.redirect(back)

    @route("GET", r"/u/(?P<name>[^/]+)")
    def profile(self, request: Request, name: str) -> Response:
        user = self.users.get(name)
        if user is None:
            return self.error(request, 404, f"There is no member called '{name}'.")
        posts = sum(p.author == name for p in self.posts.values())
        details = [
            ("Display name", user.display_name),
            ("Joined", user.joined),
            ("Location", user.location),
            ("Posts", str(posts)),
            ("Signature", user.signature or "(none)"),
        ]
        body = f"<h1>{esc(user.id)}</h1>" + table(
            ("Detail", "Value"), [(k, esc(v)) for k, v in details]
        )
        return self.page(request, user.id, body)

    @route("GET", "/settings")
    def settings_page(self, request: Request, error: str = "", status: int = 200) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        me = self.users[request.user]  # type: ignore[index]
        notice = "<p>Your settings were saved.</p>" if request.query.get("saved") else ""
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        zones = [(z, z) for z in TIMEZONES]
        body = (
            f"<h1>Settings</h1>{notice}{alert}"
            '<form method="post" action="/settings" aria-label="Settings">'
            + field_row("settings", "display_name", "Display name", me.display_name)
            + field_row("settings", "email", "Email", me.email, "email")
            + textarea("settings", "signature", "Signature", me.signature)
            + checkbox("settings", "notify", "Email me about replies", me.notify)
            + select("settings", "timezone", "Time zone", zones, me.timezone)
            + '<button type="submit">Save settings</button></form>'
        )
        return self.page(request, "Settings", body, status)

    @route("POST", "/settings")
    def save_settings(self, request: Request) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        display = " ".join(request.arg("display_name").split())
        email = request.arg("email").lower()
        if not display or len(display) > 40:
            return self.settings_page(request, "The display name must be 1 to 40 characters.", 400)
        if "@" not in email or "." not in email.split("@")[-1]:
            return self.settings_page(request, "Enter a valid email address.", 400)
        timezone = request.arg("timezone")
        if timezone not in TIMEZONES:
            return self.settings_page(request, "Choose a time zone from the list.", 400)
        self.users.update(
            request.user,  # type: ignore[arg-type]
            display_name=display,
            email=email,
            signature=" ".join(request.arg("signature").split()),
            notify=bool(request.form.get("notify")),
            timezone=timezone,
        )
        return self.redirect("/settings?saved=1")

    @route("GET", "/search")
    def search(self, request: Request) -> Response:
        query = request.arg("q")
        terms = query.casefold().split()
        hits = sorted(
            (
                t
                for t in self.threads.values()
                if terms and all(w in t.title.casefold() for w in terms)
            ),
            key=lambda t: int(t.id),
        )
        shown, page, pages = paginate(hits, request.page(), THREADS_PER_PAGE)
        body = (
            '<h1>Search threads</h1><form method="get" action="/search" aria-label="Search">'
            + field_row("search", "q", "Words in the title", query)
            + '<button type="submit">Search</button></form>'
            + (f"<p>{len(hits)} threads found.</p>" if terms else "")
            + (
                table(("Thread", "Started by", "Replies", "Started on"), self._thread_rows(shown))
                if hits
                else ""
            )
            + pager("/search", page, pages, {"q": query})
        )
        return self.page(request, "Search", body)


def populate_forum(
    db: Database,
    rng: np.random.Generator,
    fake: Faker,
    size: dict[str, int],
    coupons: Sequence[tuple[str, int, bool]],
) -> None:
    """Members, boards, threads and posts; announcements carry the shop's coupon codes."""
    users = db.table("forum_users", User)
    boards = db.table("forum_boards", Board)
    threads = db.table("forum_threads", Thread)
    posts = db.table("forum_posts", Post)
    likes = db.table("forum_likes", Like)

    def pick(items: Sequence[T]) -> T:
        return items[int(rng.integers(len(items)))]

    def date(max_days: int) -> str:
        return str(np.datetime64(TODAY) - np.timedelta64(int(rng.integers(1, max_days)), "D"))

    for _ in range(size["members"]):
        name = ""
        while not name or name in users:
            name = f"{fake.user_name()}{int(rng.integers(1, 100))}"
        first, last = fake.first_name(), fake.last_name()
        users.insert(
            User(
                id=name,
                password=f"{fake.word()}{int(rng.integers(1000, 10000))}",
                display_name=f"{first} {last}",
                email=f"{name}@{fake.free_email_domain()}",
                joined=date(3000),
                location=fake.city(),
                signature=pick(("", "", fake.sentence(nb_words=5))),
                notify=bool(rng.random() < 0.6),
                timezone=pick(TIMEZONES),
            )
        )
    members = list(users)
    for slug, name, about in BOARDS:
        boards.insert(Board(id=slug, name=name, description=about))

    thread_number, post_number = 1001, 100001
    titles: set[str] = set()

    def add_thread(board: str, title: str, texts: Sequence[str], pinned: bool = False) -> None:
        nonlocal thread_number, post_number
        author = pick(members)
        days = sorted((int(rng.integers(1, 900)) for _ in texts), reverse=True)
        tid = str(thread_number)
        thread_number += 1
        when = [str(np.datetime64(TODAY) - np.timedelta64(d, "D")) for d in days]
        threads.insert(
            Thread(id=tid, board=board, title=title, author=author, created=when[0], pinned=pinned)
        )
        for i, text in enumerate(texts):
            writer = author if i == 0 else pick(members)
            pid = str(post_number)
            post_number += 1
            posts.insert(Post(id=pid, thread=tid, author=writer, date=when[i], body=text))
            for fan in rng.choice(len(members), size=int(rng.integers(0, 4)), replace=False):
                likes.insert(
                    Like(id=f"{pid}/{members[int(fan)]}", post=pid, user=members[int(fan)])
                )

    add_thread(
        "announcements",
        "Welcome to Gadget Talk",
        [
            "Welcome! Please read the forum rules before posting.",
            "Glad to be here.",
        ],
        pinned=True,
    )
    for code, percent, active in coupons:
        if active:
            title = f"Partner offer: {percent}% off at Gadget Grove"
            text = (
                f"Members get {percent}% off any order at http://shop.test/ with the code "
                f"{code} at checkout."
            )
        else:
            title = f"Expired: {percent}% off at Gadget Grove"
            text = f"The code {code} has ended and no longer works. Thanks to everyone who used it."
        add_thread("announcements", title, [text, fake.sentence(nb_words=8)], pinned=active)

    for slug, templates in TITLES.items():
        for _ in range(int(rng.integers(size["threads_min"], size["threads_max"] + 1))):
            title = ""
            while not title or title in titles:
                title = pick(templates).format(
                    g=pick(GADGETS),
                    h=pick(GADGETS),
                    w=fake.word(),
                    b=fake.last_name(),
                    c=fake.last_name(),
                    m=pick(("week", "month", "summer", "winter")),
                )
                title = title[0].upper() + title[1:]
            titles.add(title)
            replies = int(rng.integers(0, size["replies_max"] + 1))
            add_thread(slug, title, [fake.paragraph(nb_sentences=2) for _ in range(replies + 1)])
