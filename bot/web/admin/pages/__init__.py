"""The console's pages: one module per page, each with ``routes = Routes()`` (see bot.web.admin)."""
