"""The Redis key browser: a screen the main window opens on a database's "Keys" entry.

``RedisBrowserScreen(driver, name, db)`` (for any driver with the KeyBrowsing
capability) scans the keyspace in the background into a key tree, shows the
selected key's value page by page, and offers TTL, rename, delete, bulk delete and
copy actions. :mod:`.screen` says which module holds which part of the screen.
"""

from dbtui.ui.key_browser.screen import RedisBrowserScreen

__all__ = ["RedisBrowserScreen"]
