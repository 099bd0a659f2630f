"""Reading IATI activity XML safely and in constant memory.

lxml's ``iterparse`` hands over one complete ``iati-activity`` at a time; each is cleared once
used, so a file of hundreds of MB never sits in memory. The parser never resolves entities,
never loads a DTD, never touches the network and keeps libxml2's limits on (no
``huge_tree``); a file that declares a DTD at all (``<!DOCTYPE …>``, the carrier of entity
bombs and external entities) is refused before any of its activities is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from kb.errors import ImportFormatError

ROOT_TAG = "iati-activities"
ACTIVITY_TAG = "iati-activity"
_PARSE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


@dataclass(frozen=True)
class FileInfo:
    """What the root element says about the whole file."""

    version: str | None
    generated: str | None


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _check_document(element: etree._Element, path: Path) -> FileInfo:
    tree = element.getroottree()
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.system_url:
        raise ImportFormatError(
            f"{path.name}: declares a DTD (<!DOCTYPE>); refused: IATI files have none, and DTDs carry "
            "entity bombs and external entities"
        )
    root = tree.getroot()
    name = _local(root.tag)
    if name != ROOT_TAG:
        kind = "an IATI organisation file" if name == "iati-organisations" else f"root element <{name}>"
        raise ImportFormatError(f"{path.name}: not IATI activity XML ({kind}, expected <{ROOT_TAG}>)")
    return FileInfo(version=root.get("version"), generated=root.get("generated-datetime"))


def check_readable(path: Path) -> None:
    """Raise :class:`ImportFormatError` when ``path`` cannot be opened for reading."""
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def iter_activities(
    path: Path, *, on_progress: Callable[[int], None] | None = None
) -> Iterator[tuple[FileInfo, etree._Element]]:
    """Each complete ``iati-activity`` of ``path`` with the file's root information.

    The element is cleared as soon as the caller asks for the next one. ``on_progress``, when
    given, is called with the number of bytes read so far after each activity.
    Raises :class:`ImportFormatError` for a file that is unreadable, not XML, truncated,
    declares a DTD, or is not IATI activity XML.
    """
    check_readable(path)
    etree.clear_error_log()  # the log is per thread: keep earlier files' errors out of this one's message
    handle = path.open("rb") if on_progress else None
    source = handle if handle is not None else str(path)
    context = etree.iterparse(source, events=("end",), tag="{*}" + ACTIVITY_TAG, **_PARSE_OPTIONS)
    info: FileInfo | None = None
    try:
        for _event, element in context:
            if info is None:
                info = _check_document(element, path)
            yield info, element
            element.clear(keep_tail=False)
            parent = element.getparent()
            while element.getprevious() is not None and parent is not None:
                del parent[0]
            if handle is not None and on_progress is not None:
                on_progress(handle.tell())
        if info is None:
            if context.root is None:
                raise ImportFormatError(f"{path.name}: not XML (empty document)")
            _check_document(context.root, path)
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"{path.name}: {_syntax_message(exc, info is not None)}") from exc
    finally:
        if handle is not None:
            handle.close()


def _syntax_message(exc: etree.XMLSyntaxError, started: bool) -> str:
    """One line naming what is wrong and where (libxml2's first error, not its last)."""
    entries = list(exc.error_log)
    first = entries[0] if entries else None
    message = (first.message if first else (exc.msg or str(exc))).strip()
    kind = first.type_name if first else ""
    line = first.line if first else (exc.position[0] if exc.position else 0)
    where = f" (line {line})" if line else ""
    if not entries and message == "no element found":
        return "not XML: the file is empty"
    if kind == "ERR_DOCUMENT_EMPTY" or (kind == "ERR_DOCUMENT_START" and not started):
        return f"not XML: {message}{where}"
    if kind in ("ERR_UNDECLARED_ENTITY", "WAR_UNDECLARED_ENTITY") or "entity" in message.lower():
        return f"refused entity reference: {message}{where}"
    if kind in ("ERR_TAG_NOT_FINISHED", "ERR_DOCUMENT_END") or "Premature end" in message:
        return f"truncated XML: {message}{where}"
    return f"malformed or truncated XML: {message}{where}"
