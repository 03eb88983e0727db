"""The web toolkit: a browser over simulated sites (a shop, a wiki, a forum) with server state."""

from toolgym.toolkits.web.browser import Browser
from toolgym.toolkits.web.page import Page, parse_page
from toolgym.toolkits.web.server import MemberSite, Request, Response, Site
from toolgym.toolkits.web.world import SIZES, build_web

__all__ = [
    "SIZES",
    "Browser",
    "MemberSite",
    "Page",
    "Request",
    "Response",
    "Site",
    "build_web",
    "parse_page",
]
