"""Printed forms: the roster (花名册), the public notice (公示名单), the payment register.

:mod:`content` turns records into the words of a form (no Qt); :mod:`render` paginates
and paints them with QPainter on a ``QPdfWriter`` or a ``QPrinter``, page by page;
:mod:`paged` paints single pages into images for the preview; :mod:`pdf` writes a
PDF file safely. Only QtGui is used, so the command line prints without a window.
"""
