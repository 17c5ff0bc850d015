from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` (at most 100); responses carry count/next/previous/results."""

    page_size_query_param = "page_size"
    max_page_size = 100


class NewestFirstCursorPagination(pagination.CursorPagination):
    """``?cursor=…&page_size=M`` (at most 100), newest first by id: stable while new rows
    arrive, constant cost on any page. Responses carry next/previous/results."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 100
