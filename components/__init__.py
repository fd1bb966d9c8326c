"""Reusable Streamlit pieces: shared state and URL, sidebar filters, page header, charts, maps, exports."""
