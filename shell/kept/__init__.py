"""Nothing typed is lost: a form posted after its sender's session expired is kept for a while, and
after signing in again its sender is shown what they typed, to send again or discard."""
