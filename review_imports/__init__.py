"""Importing a paper's public peer reviews from elsewhere (OpenReview first). Not yet an installed app: pure mapping
and the upstream client only; models, services and tasks come later."""
