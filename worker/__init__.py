"""The job runner beside the web pages: it claims queued work from the database, has engine/
draw and score it, and stores the results through game/'s rules. It may import engine, game
and db; nothing but ui/services (thread mode) imports it."""
