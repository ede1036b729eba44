"""Download responses that stream under ASGI (daphne) as they do under WSGI.

Django serves a ``StreamingHttpResponse`` built on a synchronous iterator,
under ASGI, by running ``list()`` over the whole iterator in a thread
(``StreamingHttpResponse.__aiter__`` in ``django/http/response.py``): an
export would be built whole in memory before its first byte left. An
asynchronous iterator is no cure, since under WSGI (and Django's test
client) Django collects that one whole with ``async_to_sync``.

So these responses keep a synchronous iterator, which WSGI reads as it
comes, and under ASGI pull it one chunk at a time with ``sync_to_async``:
each chunk is made in the request's thread (thread-sensitive, so the same
database connection and the same server-side cursor serve the whole
download), sent, and dropped before the next is made. The producer should
yield chunks of some tens of kilobytes (a thousand CSV rows, a file block):
each chunk costs one hop between the event loop and the thread.
"""

from asgiref.sync import sync_to_async
from django.http import FileResponse, StreamingHttpResponse

_END = object()


class ChunkByChunkMixin:
    """Under ASGI, read ``streaming_content`` one chunk per thread hop."""

    async def __aiter__(self):
        chunks = iter(self.streaming_content)
        pull = sync_to_async(next, thread_sensitive=True)
        while (chunk := await pull(chunks, _END)) is not _END:
            yield chunk


class StreamingExportResponse(ChunkByChunkMixin, StreamingHttpResponse):
    """A ``StreamingHttpResponse`` whose chunks leave one by one under ASGI too."""


class FileExportResponse(ChunkByChunkMixin, FileResponse):
    """A ``FileResponse`` read from disk block by block under ASGI too
    (Django's ASGI handler sets the block to 64 KiB)."""
