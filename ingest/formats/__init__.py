"""One module per file format; each loader turns a path into a :class:`LoadResult`."""
