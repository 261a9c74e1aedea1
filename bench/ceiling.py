"""The ceiling: the smallest Flask JSON endpoint, served with the same gunicorn settings."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():  # type: ignore[no-untyped-def]
    return jsonify({"status": "ok"})
