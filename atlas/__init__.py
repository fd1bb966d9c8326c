"""Cooperation Atlas domain layer: loading, validating, filtering and aggregating the data package.

Plain Python and pandas; nothing here imports Streamlit.
"""
