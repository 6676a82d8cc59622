"""One module per screen: Home, Interview, Report, Replay, History, and the confirm dialog."""
