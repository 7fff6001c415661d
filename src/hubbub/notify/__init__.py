"""Telling people: the notifications list (reads), and sending notifications
out by e-mail (SMTP) and to an outbound webhook, with retries."""
