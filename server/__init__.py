"""The HTTP side of the web process, beside Streamlit's pages: cheap change checks for open
pages, cached pictures, and downloads built when they are asked for (app.py mounts them)."""
