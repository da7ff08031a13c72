"""The intranet web widget (aiohttp app, static widget files, demo page)."""
