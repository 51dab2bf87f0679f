"""Drawing over a page of a signed copy in the incremental update after the shown bytes:
the filled signature blocks and the signed-version line."""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def draw_over_page(
    writer: IncrementalPdfFileWriter,
    page: int,
    drawing: generic.IndirectObject,
    *,
    name: str,
    at: tuple[float, float] = (0.0, 0.0),
) -> None:
    """Draw a form XObject (`drawing`, named `name` in the page's resources) over page
    `page`, its origin at `at`; the page's own content is wrapped in q/Q so that its
    graphics state does not move the drawing."""
    writer.add_stream_to_page(
        page, writer.add_object(generic.StreamObject(stream_data=b"q\n")), prepend=True
    )
    x, y = at
    writer.add_stream_to_page(
        page,
        writer.add_object(
            generic.StreamObject(
                stream_data=f"Q q 1 0 0 1 {x:.3f} {y:.3f} cm {name} Do Q\n".encode()
            )
        ),
        resources=generic.DictionaryObject(
            {pdf_name("/XObject"): generic.DictionaryObject({pdf_name(name): drawing})}
        ),
    )
