"""The core: knowledge, matching, number checking, message scanning and reply composition.
Nothing in this package imports Telegram."""
