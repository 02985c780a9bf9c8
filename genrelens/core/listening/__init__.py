"""Listening data a person downloads about themselves: Spotify's data export, Last.fm scrobbles,
Exportify playlists. Framework-free: files in, plain `Play` records out (see docs/taste.md)."""
