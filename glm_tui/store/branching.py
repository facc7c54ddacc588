"""The store's operations on the tree of a conversation's messages: the path to a message, the
branch shown, siblings and their places, switching branch and forking.

A base class of ``Store`` (store.py holds the rest), as organize.py's ``Organising`` is; both
use only the plumbing of ``StoreBase``. The SQL of the tree is tree.py's.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import tree
from .base import StoreBase
from .errors import NotFound
from .models import Message, utc_now


class Branching(StoreBase):
    """Paths, branches and forks (see the module)."""

    def path_to(self, mid: int) -> list[Message]:
        """The messages from the root down to mid, in that order."""
        with self._read() as conn:
            path = tree.path_to(conn, mid)
        if not path:
            raise NotFound("message", mid, self.path)
        return path

    def current_path(self, cid: int) -> list[Message]:
        """The branch shown: root .. current leaf ([] for an empty conversation)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT current_leaf_id FROM conversations WHERE id = ?", (cid,)
            ).fetchone()
            if row is None:
                raise NotFound("conversation", cid, self.path)
            leaf = row[0]
            if leaf is None or tree.get_message(conn, leaf) is None:
                root = tree.newest_root(conn, cid)
                if root is None:
                    return []
                leaf = tree.newest_leaf_under(conn, root)
            return tree.path_to(conn, leaf)

    def children(self, mid: int) -> list[Message]:
        with self._read() as conn:
            self._message(conn, mid)
            return tree.children(conn, mid)

    def siblings(self, mid: int) -> list[Message]:
        """mid and the other answers to the same parent (or the other roots), by id."""
        with self._read() as conn:
            return tree.siblings(conn, self._message(conn, mid))

    def newest_leaf_under(self, mid: int) -> int:
        with self._read() as conn:
            self._message(conn, mid)
            return tree.newest_leaf_under(conn, mid)

    def branch_positions(self, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """For each existing id: (its 1-based place among its siblings, their count).

        One query for a page of messages, so the pane can mark every message that has
        siblings (``‹ 2/3 ›``) without asking once per message. Unknown ids are left out.
        """
        with self._read() as conn:
            return tree.branch_positions(conn, ids)

    def set_current_leaf(self, cid: int, mid: int) -> None:
        """Show the branch ending at mid (any message of the conversation, leaf or not)."""
        with self._write() as conn:
            self._conversation_row_exists(conn, cid)
            message = self._message(conn, mid)
            if message.conversation_id != cid:
                raise ValueError(f"message {mid} is not in conversation {cid}")
            conn.execute("UPDATE conversations SET current_leaf_id = ? WHERE id = ?", (mid, cid))

    def all_messages(self, cid: int) -> list[Message]:
        """Every message of every branch, by id (``show --all``)."""
        with self._read() as conn:
            self._conversation_row_exists(conn, cid)
            return tree.all_messages(conn, cid)

    def fork(self, mid: int) -> int:
        """A new conversation holding a copy of root .. mid; returns its id."""
        with self._write() as conn:
            path = tree.path_to(conn, mid)
            if not path:
                raise NotFound("message", mid, self.path)
            return tree.copy_path(conn, path, utc_now())
