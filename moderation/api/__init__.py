"""The JSON API: the public widget API, the token-protected moderation API and the error shape."""
