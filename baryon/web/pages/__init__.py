"""The dashboard's pages, one module per page family; each page is a function `(View) -> Response`."""
