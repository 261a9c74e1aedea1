"""Hostile XML read one record at a time, for the XML readers (Disqus, WordPress).

An export is untrusted and may be huge. The SAX parser (defusedxml's expat reader) is fed the
file in chunks, so memory holds the chunk and the record being built, never the document; it
refuses entity declarations (the billion laughs, external entities) and external references.
Only the elements a reader asks for (its records, and what they contain) are built; everything
around them is passed over.
"""

from __future__ import annotations

import xml.sax
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import DefusedExpatParser

from moderation.importers.records import ImportFileError

CHUNK_BYTES = 64 * 1024

#: The paths of tags, from the root down ("{namespace}local" each), of the elements that are
#: records: each is built whole (with what it contains) and handed back once complete.
RecordPaths = frozenset[tuple[str, ...]]

#: How many distinct tag names are remembered; a hostile file may use millions.
TAG_CACHE_SIZE = 1024


@dataclass(slots=True)
class Captured:
    """A record's element, complete, with the line its start tag is on."""

    element: Element
    line: int
    #: The record this one sits in (a WordPress item for its comments) as it stood when this
    #: one ended: the children before this record are there, the ones after are not.
    enclosing: Element | None


class _Collector:
    """Expat's callbacks, building the records' elements and nothing else."""

    def __init__(
        self,
        records: RecordPaths,
        root: str,
        describe: str,
        rename: Callable[[str], str],
        line: Callable[[], int],
    ) -> None:
        self.records = records
        self.depths = {len(record) for record in records}
        self.root = root
        self.describe = describe
        self.rename = rename
        self.line = line
        self.tags: dict[str, str] = {}
        self.path: list[str] = []
        #: One entry an open element: the element being built and its text so far, or None
        #: for an element outside every record.
        self.stack: list[tuple[Element, list[str]] | None] = []
        self.open_records: list[tuple[Element, int, int]] = []  # element, line, depth
        self.ready: list[Captured] = []

    def tag(self, name: str) -> str:
        """Expat's ``"uri local"`` as ElementTree's ``"{uri}local"``."""
        tag = self.tags.get(name)
        if tag is None:
            uri, _, local = name.rpartition(" ")
            tag = f"{{{self.rename(uri)}}}{local}" if uri else local
            if len(self.tags) < TAG_CACHE_SIZE:
                self.tags[name] = tag
        return tag

    def attrib(self, attrs: dict[str, str]) -> dict[str, str]:
        return {self.tag(key): value for key, value in attrs.items()}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self.tags.get(name) or self.tag(name)
        path = self.path
        if not path and tag != self.root:
            raise ImportFileError(
                f"not {self.describe}: the document's root element is <{tag}>", self.line()
            )
        path.append(tag)
        stack = self.stack
        if stack and (top := stack[-1]) is not None:
            # Only a leaf's text is kept: the blanks between a WordPress item's comments would
            # otherwise pile up, one per comment, in the item.
            top[1].clear()
        if len(path) in self.depths and tuple(path) in self.records:
            element = Element(tag, self.attrib(attrs)) if attrs else Element(tag)
            self.open_records.append((element, self.line(), len(path)))
            stack.append((element, []))
        elif stack and (top := stack[-1]) is not None:
            element = SubElement(top[0], tag, self.attrib(attrs) if attrs else {})
            stack.append((element, []))
        else:
            stack.append(None)

    def end(self, name: str) -> None:
        top = self.stack.pop()
        if top is not None:
            top[0].text = "".join(top[1])
        open_records = self.open_records
        if open_records and open_records[-1][2] == len(self.path):
            record, line, _ = open_records.pop()
            enclosing = None
            if open_records:  # as it is now, not once the parser has read on
                outer = open_records[-1][0]
                enclosing = Element(outer.tag, outer.attrib)
                enclosing.extend(outer)
            self.ready.append(Captured(record, line, enclosing))
        self.path.pop()

    def characters(self, content: str) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None:
            top[1].append(content)

    def drain(self) -> list[Captured]:
        ready, self.ready = self.ready, []
        return ready


class _Parser(DefusedExpatParser):
    """defusedxml's expat reader (entities and external references refused), its element
    callbacks going straight to the collector rather than through SAX's wrappers: a million
    posts is some ten million callbacks."""

    def __init__(self) -> None:
        super().__init__(namespaceHandling=1)
        self.collector: _Collector | None = None

    def reset(self) -> None:
        super().reset()
        expat = self._parser
        assert self.collector is not None
        expat.namespace_prefixes = False  # names as "uri local", without the prefix
        expat.buffer_text = True
        expat.StartElementHandler = self.collector.start
        expat.EndElementHandler = self.collector.end
        expat.CharacterDataHandler = self.collector.characters


def read_records(
    path: Path,
    records: RecordPaths,
    *,
    root: str,
    describe: str,
    rename: Callable[[str], str] = lambda uri: uri,
) -> Iterator[Captured]:
    """The elements of ``path`` at ``records``' paths, each once complete, in file order.

    ``root`` is the tag the document element must have (``describe`` names the format for the
    error when it does not); ``rename`` maps a namespace URI onto the one the reader looks for
    (WordPress changes its namespace with each export version). Raises ImportFileError on a
    malformed or truncated file, and on any entity declaration or external reference.
    """
    parser = _Parser()
    collector = _Collector(records, root, describe, rename, parser.getLineNumber)
    parser.collector = collector
    with path.open("rb") as file:
        try:
            while chunk := file.read(CHUNK_BYTES):
                parser.feed(chunk)
                yield from collector.drain()
            parser.close()
        except xml.sax.SAXParseException as error:
            raise ImportFileError(
                f"not well-formed XML ({error.getMessage()}); is the file complete?",
                error.getLineNumber(),
            ) from None
        except EntitiesForbidden as error:
            raise ImportFileError(
                f"the file declares an XML entity ({error.name!r}); entities are refused, "
                "since an export never needs them and an XML bomb or an external entity does",
                parser.getLineNumber(),
            ) from None
        except (ExternalReferenceForbidden, DTDForbidden) as error:
            raise ImportFileError(
                f"the file refers to an external resource ({error.sysid!r}); it is not fetched",
                parser.getLineNumber(),
            ) from None
    yield from collector.drain()


def child_text(element: Element, tag: str) -> str | None:
    """The text of ``element``'s first ``tag`` child, or None when there is none."""
    child = element.find(tag)
    if child is None:
        return None
    return child.text or ""


def stripped(element: Element, tag: str) -> str | None:
    """The text of a ``tag`` child without surrounding blanks; None when missing or empty."""
    value = child_text(element, tag)
    if value is None:
        return None
    return value.strip() or None
