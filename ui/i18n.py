"""Every string the UI shows, in one place. `t(key, **params)` picks the current language.

Error keys raised by game/ (GameError.key) are translated here too.
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "ko": "한국어"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "Prompt Match",
        "tagline": "How precisely can you ask a model for what you want?",
        "language": "Language",
        "nav_home": "Home",
        "nav_host": "Host",
        "nav_play": "Play",
        "nav_board": "Board",
        "nav_results": "Results",
        "home_intro": (
            "A target image appears. Write a prompt that makes Stable Diffusion draw the same "
            "picture: everyone gets the same model and the same seed, so only your words matter. "
            "Each attempt is scored by how similar the pictures are."
        ),
        "home_host_header": "Teachers",
        "home_host_button": "Host a new game",
        "home_join_header": "Students",
        "join_code_label": "Game code (6 letters)",
        "join_button": "Join",
        "host_create_header": "Create a game",
        "game_title_label": "Title",
        "engine_label": "Image engine",
        "scorer_label": "Scoring",
        "attempts_label": "Attempts per round",
        "round_minutes_label": "Round length (minutes)",
        "image_size_label": "Image size (pixels)",
        "pin_label": "Teacher PIN",
        "create_game_button": "Create game",
        "wrong_pin": "That PIN is not right.",
        "host_link_warning": (
            "Bookmark this page now: its address is your key to this game. Anyone with it can run the game."
        ),
        "join_link_caption": "Students open this address, or scan the code:",
        "engine_banner": "Engine note: {note}",
        "no_worker": "No generation worker is running: attempts will wait in the queue.",
        "workers_alive": "Generation workers alive: {count}",
        "new_round_header": "New round",
        "target_source_label": "Target image from",
        "source_prompt": "A secret prompt",
        "source_preset": "The preset library",
        "source_upload": "An uploaded picture",
        "target_prompt_label": "Secret prompt (students will not see it until you reveal it)",
        "target_preset_label": "Preset",
        "target_upload_label": "PNG, JPEG or WebP, up to 10 MB",
        "create_round_button": "Create round",
        "round_header": "Round {number}",
        "round_status": "Status: {status}",
        "status_draft": "ready to start",
        "status_open": "open",
        "status_closed": "closed",
        "status_revealed": "revealed",
        "target_pending": "Preparing the target image…",
        "target_failed": "The target image could not be made: {error}",
        "start_round_button": "Start round",
        "close_round_button": "Close round now",
        "reveal_round_button": "Reveal",
        "secret_prompt_is": "Secret prompt: ",
        "time_left": "⏱ {minutes}:{seconds:02d} left",
        "time_up": "Time is up",
        "board_link": "Open the projector board",
        "results_link": "Results and downloads",
        "round_leaderboard": "This round",
        "game_leaderboard": "Whole game",
        "col_rank": "#",
        "col_player": "Player",
        "col_best": "Best score",
        "col_attempts": "Attempts",
        "col_total": "Total",
        "col_rounds": "Rounds scored",
        "col_attempt": "Attempt",
        "col_prompt": "Prompt",
        "col_score": "Score",
        "col_status": "Status",
        "no_players_yet": "No scores yet.",
        "play_enter_code": "Enter the code your teacher shows.",
        "nickname_label": "Your nickname (1–24 characters)",
        "welcome": "You are playing as {nickname} in “{title}”.",
        "waiting_for_round": "Waiting for the teacher to start a round…",
        "round_closed_wait": "The round is closed. Waiting for the reveal…",
        "target_caption": "Target",
        "attempts_left": "Attempts left: {left} of {total}",
        "prompt_label": "Describe the target image",
        "submit_button": "Generate",
        "queued": "In the queue: position {position}",
        "running": "Drawing your image…",
        "failed": "This attempt failed: {error}. It did not use up an attempt.",
        "blocked": (
            "The picture drawn from this prompt did not pass the safety check, so nobody will "
            "see it. It used up an attempt: describe the picture another way."
        ),
        "refused": (
            "This prompt uses a word that is not allowed in class, so it was not drawn. "
            "It did not use up an attempt: try describing the picture another way."
        ),
        "your_attempts": "Your attempts",
        "attempt_caption": "Attempt {attempt}: {score}",
        "reveal_header": "The secret prompt was",
        "gallery_header": "Best image of each player",
        "uploaded_target": "(an uploaded picture: no prompt)",
        "results_header": "Results",
        "download_submissions": "Submissions (CSV)",
        "download_standings": "Standings (CSV)",
        "download_zip": "Everything (ZIP with images)",
        "host_only": "This page is for the game's host. Open it from the host console's link.",
        "board_need_code": "Open this page as /board?code=XXXXXX.",
        "scored": "Scored {score}",
        # errors from game/
        "game_not_found": "No game has the code {code}. Check the letters and try again.",
        "not_host": "Only the game's host can do that.",
        "unknown_player": "We do not know you in this game (yet). Join with a nickname.",
        "nickname_empty": "Please type a nickname.",
        "nickname_too_long": "A nickname can have at most {maximum} characters.",
        "nickname_taken": "The nickname “{nickname}” is taken in this game. Pick another one.",
        "title_empty": "Please give the game a title.",
        "title_too_long": "A title can have at most {maximum} characters.",
        "prompt_empty": "Please write a prompt first.",
        "target_prompt_empty": "Please write the secret prompt for the target image.",
        "prompt_too_long": "A prompt can have at most {maximum} characters (yours has {length}).",
        "round_not_open": "The round is not open, so attempts are not accepted now.",
        "attempt_in_progress": "Your last attempt is still being drawn. Wait for its score first.",
        "no_attempts_left": "You have used all {attempts} attempts in this round.",
        "round_not_found": "That round does not exist in this game.",
        "round_already_started": "This round has already started.",
        "round_not_started": "This round has not started yet.",
        "round_not_revealed": "The gallery appears after the reveal.",
        "target_not_ready": "The target image is not ready yet.",
        "another_round_open": "Round {number} is still open. Close it first.",
        "preset_unknown": "Choose a preset from the list.",
        "bad_target_source": "Choose where the target image comes from.",
        "bad_engine": "Unknown engine {engine}.",
        "bad_scorer": "Unknown scorer {scorer}.",
        "bad_attempts": "Attempts must be between {minimum} and {maximum}.",
        "bad_round_length": "A round lasts between {minimum} and {maximum} seconds.",
        "bad_image_size": "Image size must be one of {sizes}.",
        "image_not_found": "That image is gone.",
        "upload_empty": "The file is empty.",
        "upload_too_large": "The file is larger than 10 MB.",
        "upload_not_image": "This file is not a PNG, JPEG or WebP picture (or it is damaged).",
        "upload_too_many_pixels": "This picture has too many pixels. Please use a smaller one.",
        "upload_missing": "Choose a picture to upload first.",
        "nickname_blocked": "That nickname is not allowed in class. Please choose another one.",
        "player_kicked": "The host removed you from this game.",
        "player_not_found": "That player is not in this game.",
        "submission_not_found": "That attempt is not in this game.",
        "too_many_blocked_words": "At most {maximum} blocked words per game.",
        # host moderation
        "moderation_header": "Moderation",
        "players_header": "Players",
        "kick_button": "Remove",
        "kicked_label": "removed",
        "rename_label": "New nickname",
        "rename_button": "Rename",
        "attempts_header": "All attempts (only you see the prompts)",
        "hide_button": "Hide",
        "unhide_button": "Show again",
        "hidden_label": "hidden",
        "blocked_words_label": "Extra blocked words for this game (one per line)",
        "blocked_words_save": "Save blocked words",
        "blocked_words_saved": "Saved {count} extra blocked words.",
        "delete_header": "Delete this game",
        "delete_explain": (
            "Deletes the game, its players, rounds, prompts, scores and every image, for good. "
            "Download the results first if you want to keep them."
        ),
        "delete_confirm": "Yes, delete this game and all its images",
        "delete_button": "Delete the game",
        "game_deleted": "The game and all its images were deleted.",
        "status_refused": "refused by the filter",
        "status_queued": "queued",
        "status_running": "drawing",
        "status_done": "scored",
        "status_failed": "failed",
        "status_blocked": "blocked",
    },
    "ko": {
        "app_title": "프롬프트 매치",
        "tagline": "원하는 것을 얼마나 정확하게 요청할 수 있나요?",
        "language": "언어",
    },
}


def current_language() -> str:
    language = st.session_state.get("language")
    return language if language in STRINGS else "en"


def t(key: str, **params: object) -> str:
    language = current_language()
    template = STRINGS[language].get(key) or STRINGS["en"].get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
