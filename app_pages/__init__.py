"""The five pages Streamlit runs (through streamlit_app.py's navigation): thin, read state from
game/, draw with ui/. A package only so that the import contracts (pyproject.toml) see it."""
