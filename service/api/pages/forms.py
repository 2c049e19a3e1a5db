"""Reading a page's form with limits that hold while the body streams in.

A form whose declared Content-Length is over ``FormLimits.body`` is refused (413
``too_large``) before a byte of it is read; without Content-Length (chunked), the bytes
are counted as they arrive and reading stops at the limit. Inside a multipart body each
part has its own limit (a text field, a file by its name), also checked as it streams:
nothing over a limit is ever held whole. Files go to a spooled temporary file (memory up
to 1 MB, then disk), never into one ``bytes``.

    limits = FormLimits(body=4_100_000, fields={"content": 2_000_000}, file_bytes=lambda name: 2_000_000)
    form = await read_form(request, limits)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from service.errors import InvalidInput, TooLarge

SPOOL_BYTES = 1024 * 1024  # a file's bytes held in memory before it moves to disk
SMALL_FIELD_BYTES = 16_384  # a form field not named in FormLimits.fields (title, outlet, token...)


@dataclass(frozen=True, slots=True)
class FormLimits:
    """Bytes allowed: the whole body, each named text field, and a file by its file name."""

    body: int
    fields: dict[str, int] = field(default_factory=dict)
    file_bytes: Callable[[str], int] = lambda _name: 0
    max_fields: int = 16
    max_files: int = 2

    def field_bytes(self, name: str) -> int:
        return self.fields.get(name, SMALL_FIELD_BYTES)


@dataclass(slots=True)
class Upload:
    """One uploaded file: its name as sent and its bytes, rewound, in a temporary file."""

    filename: str
    file: SpooledTemporaryFile[bytes]
    size: int = 0


@dataclass(slots=True)
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return self.fields.get(name, "")

    def file(self, name: str) -> Upload | None:
        """The file sent as ``name``; None when the file input was left empty."""
        upload = self.files.get(name)
        return upload if upload is not None and upload.filename else None

    def close(self) -> None:
        for upload in self.files.values():
            upload.file.close()


def declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def refuse_declared_size(request: Request, limit: int) -> None:
    """413 from the headers alone, before any of the body is read."""
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise TooLarge(f"The form ({declared} bytes) is larger than the limit of {limit} bytes.")


async def read_form(request: Request, limits: FormLimits) -> Form:
    """The form of a POST (multipart or urlencoded), every limit checked as bytes arrive."""
    refuse_declared_size(request, limits.body)
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    chunks = _counted(request, limits.body)
    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise InvalidInput("The form has no multipart boundary.", code="invalid_form")
        return await _Multipart(limits, boundary).read(chunks)
    if content_type in (b"application/x-www-form-urlencoded", b""):
        body = b"".join([chunk async for chunk in chunks])
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=limits.max_fields, strict_parsing=False)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput(f"The form cannot be read: {exc}", code="invalid_form") from exc
        form = Form()
        for name, value in pairs:
            if len(value.encode("utf-8")) > limits.field_bytes(name):
                raise TooLarge(f"The field {name} is larger than the limit of {limits.field_bytes(name)} bytes.")
            form.fields[name] = value
        return form
    raise InvalidInput(f"A form is sent as multipart/form-data or urlencoded, not {content_type.decode(errors='replace')}.", code="invalid_form")


async def _counted(request: Request, limit: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The form is larger than the limit of {limit} bytes.")
        yield chunk


class _Multipart:
    """python-multipart's streaming parser, each part held to its own limit as it arrives."""

    def __init__(self, limits: FormLimits, boundary: bytes) -> None:
        self.limits = limits
        self.form = Form()
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._text = bytearray()
        self._upload: Upload | None = None
        self._limit = 0
        self._fields = 0

    async def read(self, chunks: AsyncIterator[bytes]) -> Form:
        try:
            async for chunk in chunks:
                self.parser.write(chunk)
            self.parser.finalize()
        except FormParserError as exc:
            self.form.close()
            raise InvalidInput("The form is not valid multipart data.", code="invalid_form") from exc
        except BaseException:
            self.form.close()
            raise
        return self.form

    def _begin(self) -> None:
        self._disposition, self._text, self._upload = b"", bytearray(), None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise InvalidInput("A form part has no name.", code="invalid_form")
        self._name = options[b"name"].decode("utf-8", errors="replace")
        self._fields += 1
        if self._fields > self.limits.max_fields + self.limits.max_files:
            raise InvalidInput("The form has too many fields.", code="invalid_form")
        if b"filename" in options:
            if len(self.form.files) >= self.limits.max_files:
                raise InvalidInput(f"The form has more than {self.limits.max_files} files.", code="invalid_form")
            filename = options[b"filename"].decode("utf-8", errors="replace")
            self._upload = Upload(filename, SpooledTemporaryFile(max_size=SPOOL_BYTES))
            self.form.files[self._name] = self._upload
            self._limit = self.limits.file_bytes(filename) if filename else 0
        else:
            self._limit = self.limits.field_bytes(self._name)

    def _data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if self._upload is not None:
            self._upload.size += len(piece)
            if self._upload.size > self._limit:
                raise TooLarge(f"The file {self._upload.filename} is larger than the limit of {self._limit} bytes.")
            self._upload.file.write(piece)
            return
        if len(self._text) + len(piece) > self._limit:
            raise TooLarge(f"The field {self._name} is larger than the limit of {self._limit} bytes.")
        self._text += piece

    def _end(self) -> None:
        if self._upload is not None:
            self._upload.file.seek(0)
            return
        try:
            self.form.fields[self._name] = self._text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"The field {self._name} is not UTF-8 text.", code="invalid_utf8") from exc
